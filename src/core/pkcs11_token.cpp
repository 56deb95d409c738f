#include "lienthong/core/pkcs11_token.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#include <sstream>
#include <stdexcept>
#include <vector>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

namespace lienthong {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

std::runtime_error token_error(const std::string& what, CK_RV rv) {
  std::ostringstream text;
  text << "PKCS#11: " << what << " failed (CKR 0x" << std::hex << rv << ")";
  return std::runtime_error(text.str());
}

void check(CK_RV rv, const std::string& what) {
  if (rv != CKR_OK)
    throw token_error(what, rv);
}

struct UriFree {
  void operator()(P11KitUri* uri) const { p11_kit_uri_free(uri); }
};

// The PIN from pin-value, or from the file pin-source names (first line).
std::string read_pin(P11KitUri* uri) {
  if (const char* value = p11_kit_uri_get_pin_value(uri))
    return value;
  const char* source = p11_kit_uri_get_pin_source(uri);
  if (!source)
    throw std::runtime_error("PKCS#11 URI names no pin-source (a PIN file) or pin-value");
  std::string path = source;
  if (path.rfind("file:", 0) == 0)
    path.erase(0, 5);
  std::ifstream in(path);
  std::string pin;
  if (!in || !std::getline(in, pin))
    throw std::runtime_error("cannot read the token PIN from " + path);
  return pin;
}

std::string label_text(const CK_TOKEN_INFO& info) {
  std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  return label.substr(0, label.find_last_not_of(' ') + 1);
}

// DER of Ed25519's object identifier (RFC 8410), as CKA_EC_PARAMS holds it.
std::vector<unsigned char> ed25519_parameters() {
  ASN1_OBJECT* oid = OBJ_nid2obj(NID_ED25519);
  const int size = i2d_ASN1_OBJECT(oid, nullptr);
  std::vector<unsigned char> der(size > 0 ? static_cast<std::size_t>(size) : 0);
  unsigned char* out = der.data();
  if (size <= 0 || i2d_ASN1_OBJECT(oid, &out) != size)
    throw std::runtime_error("cannot encode Ed25519's object identifier");
  return der;
}

}  // namespace

struct Pkcs11Token::Impl {
  CK_FUNCTION_LIST* module = nullptr;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  std::string object_label;
  std::string key_name;
  mutable std::mutex mutex;
  mutable std::map<CK_OBJECT_CLASS, CK_OBJECT_HANDLE> handles;  // under `mutex`

  ~Impl() {
    if (session != CK_INVALID_HANDLE)
      module->C_CloseSession(session);
    if (module) {
      p11_kit_module_finalize(module);
      p11_kit_module_release(module);
    }
  }

  // The handle of the object of `object_class` labelled as the URI says.
  std::optional<CK_OBJECT_HANDLE> find(CK_OBJECT_CLASS object_class) const {
    CK_ATTRIBUTE search[] = {
        {CKA_CLASS, &object_class, sizeof object_class},
        {CKA_LABEL, const_cast<char*>(object_label.data()), object_label.size()},
    };
    check(module->C_FindObjectsInit(session, search, 2), "C_FindObjectsInit");
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    CK_ULONG found = 0;
    const CK_RV rv = module->C_FindObjects(session, &handle, 1, &found);
    module->C_FindObjectsFinal(session);
    check(rv, "C_FindObjects");
    if (found == 0)
      return std::nullopt;
    return handle;
  }

  // Handles stay valid for the session: found once, kept.
  CK_OBJECT_HANDLE require(CK_OBJECT_CLASS object_class) const {
    if (const auto known = handles.find(object_class); known != handles.end())
      return known->second;
    const auto handle = find(object_class);
    if (!handle)
      throw std::runtime_error("the token holds no key labelled '" + object_label + "'");
    handles.emplace(object_class, *handle);
    return *handle;
  }

  void refuse_existing(CK_OBJECT_CLASS object_class) const {
    if (find(object_class))
      throw std::runtime_error("the token already holds a key labelled '" + object_label +
                               "'; nothing was generated");
  }
};

Pkcs11Token::Pkcs11Token(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pkcs11Token::~Pkcs11Token() = default;

bool Pkcs11Token::is_uri(std::string_view setting) {
  return setting.rfind("pkcs11:", 0) == 0;
}

std::shared_ptr<Pkcs11Token> Pkcs11Token::open(const std::string& text) {
  std::unique_ptr<P11KitUri, UriFree> uri(p11_kit_uri_new());
  if (p11_kit_uri_parse(text.c_str(), P11_KIT_URI_FOR_ANY, uri.get()) != P11_KIT_URI_OK)
    throw std::runtime_error("not a PKCS#11 URI (RFC 7512)");
  const char* module_path = p11_kit_uri_get_module_path(uri.get());
  if (!module_path)
    throw std::runtime_error("the PKCS#11 URI names no module-path (the token's library)");
  const CK_ATTRIBUTE* label = p11_kit_uri_get_attribute(uri.get(), CKA_LABEL);
  if (!label || label->ulValueLen == 0)
    throw std::runtime_error("the PKCS#11 URI names no object (the key's label)");

  auto impl = std::make_unique<Impl>();
  impl->object_label.assign(static_cast<const char*>(label->pValue), label->ulValueLen);
  impl->module = p11_kit_module_load(module_path, 0);
  if (!impl->module)
    throw std::runtime_error(std::string("cannot load the PKCS#11 module ") + module_path + ": " +
                             (p11_kit_message() ? p11_kit_message() : "unknown error"));
  if (const CK_RV rv = p11_kit_module_initialize(impl->module); rv != CKR_OK) {
    p11_kit_module_release(impl->module);
    impl->module = nullptr;
    throw token_error("initialising the module", rv);
  }
  CK_ULONG count = 0;
  check(impl->module->C_GetSlotList(CK_TRUE, nullptr, &count), "C_GetSlotList");
  std::vector<CK_SLOT_ID> slots(count);
  check(impl->module->C_GetSlotList(CK_TRUE, slots.data(), &count), "C_GetSlotList");
  slots.resize(count);
  std::optional<CK_SLOT_ID> chosen;
  std::string token_label;
  for (const CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info;
    if (impl->module->C_GetTokenInfo(slot, &info) == CKR_OK &&
        p11_kit_uri_match_token_info(uri.get(), &info) == 1) {
      chosen = slot;
      token_label = label_text(info);
      break;
    }
  }
  if (!chosen)
    throw std::runtime_error("no token matches the PKCS#11 URI");
  check(impl->module->C_OpenSession(*chosen, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                    &impl->session),
        "C_OpenSession");
  std::string pin = read_pin(uri.get());
  const CK_RV login = impl->module->C_Login(impl->session, CKU_USER,
                                            reinterpret_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
  OPENSSL_cleanse(pin.data(), pin.size());
  if (login != CKR_OK && login != CKR_USER_ALREADY_LOGGED_IN)
    throw token_error("C_Login", login);
  impl->key_name = token_label + "/" + impl->object_label;
  return std::shared_ptr<Pkcs11Token>(new Pkcs11Token(std::move(impl)));
}

const std::string& Pkcs11Token::key_name() const {
  return impl_->key_name;
}

void Pkcs11Token::generate_aes_key() {
  const std::lock_guard lock(impl_->mutex);
  impl_->refuse_existing(CKO_SECRET_KEY);
  CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG length = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE attributes[] = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_ENCRYPT, &yes, sizeof yes},
      {CKA_DECRYPT, &yes, sizeof yes},
      {CKA_VALUE_LEN, &length, sizeof length},
      {CKA_LABEL, impl_->object_label.data(), impl_->object_label.size()},
  };
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  check(impl_->module->C_GenerateKey(impl_->session, &mechanism, attributes, std::size(attributes),
                                     &key),
        "C_GenerateKey (AES-256)");
}

std::string Pkcs11Token::seal(std::string_view plaintext, std::string_view context) const {
  const std::lock_guard lock(impl_->mutex);
  const CK_OBJECT_HANDLE key = impl_->require(CKO_SECRET_KEY);
  std::string out(kNonceBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(nonce, kNonceBytes) != 1)
    throw std::runtime_error("no random bytes for a nonce");
  CK_GCM_PARAMS gcm{
      nonce,           kNonceBytes,
      kNonceBytes * 8, reinterpret_cast<unsigned char*>(const_cast<char*>(context.data())),
      context.size(),  kTagBytes * 8};
  CK_MECHANISM mechanism{CKM_AES_GCM, &gcm, sizeof gcm};
  check(impl_->module->C_EncryptInit(impl_->session, &mechanism, key), "C_EncryptInit (AES-GCM)");
  CK_ULONG size = plaintext.size() + kTagBytes;
  out.resize(kNonceBytes + size);
  auto* in = reinterpret_cast<unsigned char*>(const_cast<char*>(plaintext.data()));
  check(impl_->module->C_Encrypt(impl_->session, in, plaintext.size(),
                                 reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes, &size),
        "C_Encrypt (AES-GCM)");
  out.resize(kNonceBytes + size);
  return out;
}

std::optional<std::string> Pkcs11Token::open(std::string_view sealed,
                                             std::string_view context) const {
  if (sealed.size() < kNonceBytes + kTagBytes)
    return std::nullopt;
  const std::lock_guard lock(impl_->mutex);
  const CK_OBJECT_HANDLE key = impl_->require(CKO_SECRET_KEY);
  std::string nonce(sealed.substr(0, kNonceBytes));
  CK_GCM_PARAMS gcm{reinterpret_cast<unsigned char*>(nonce.data()),
                    kNonceBytes,
                    kNonceBytes * 8,
                    reinterpret_cast<unsigned char*>(const_cast<char*>(context.data())),
                    context.size(),
                    kTagBytes * 8};
  CK_MECHANISM mechanism{CKM_AES_GCM, &gcm, sizeof gcm};
  check(impl_->module->C_DecryptInit(impl_->session, &mechanism, key), "C_DecryptInit (AES-GCM)");
  std::string body(sealed.substr(kNonceBytes));
  std::string out(body.size(), '\0');
  CK_ULONG size = out.size();
  // A wrong tag fails the call (and ends the operation): not this key's.
  if (impl_->module->C_Decrypt(impl_->session, reinterpret_cast<unsigned char*>(body.data()),
                               body.size(), reinterpret_cast<unsigned char*>(out.data()),
                               &size) != CKR_OK)
    return std::nullopt;
  out.resize(size);
  return out;
}

std::string Pkcs11Token::generate_ed25519_key() {
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->refuse_existing(CKO_PRIVATE_KEY);
    CK_MECHANISM mechanism{CKM_EC_EDWARDS_KEY_PAIR_GEN, nullptr, 0};
    auto parameters = ed25519_parameters();
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    auto* label = impl_->object_label.data();
    const auto label_size = impl_->object_label.size();
    CK_ATTRIBUTE public_attributes[] = {
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_VERIFY, &yes, sizeof yes},
        {CKA_EC_PARAMS, parameters.data(), parameters.size()},
        {CKA_LABEL, label, label_size},
    };
    CK_ATTRIBUTE private_attributes[] = {
        {CKA_TOKEN, &yes, sizeof yes},     {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_SIGN, &yes, sizeof yes},      {CKA_LABEL, label, label_size},
    };
    CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE, private_key = CK_INVALID_HANDLE;
    check(impl_->module->C_GenerateKeyPair(
              impl_->session, &mechanism, public_attributes, std::size(public_attributes),
              private_attributes, std::size(private_attributes), &public_key, &private_key),
          "C_GenerateKeyPair (Ed25519)");
  }
  return ed25519_public_key();
}

std::string Pkcs11Token::ed25519_public_key() const {
  const std::lock_guard lock(impl_->mutex);
  const CK_OBJECT_HANDLE key = impl_->require(CKO_PUBLIC_KEY);
  CK_ATTRIBUTE point{CKA_EC_POINT, nullptr, 0};
  check(impl_->module->C_GetAttributeValue(impl_->session, key, &point, 1), "reading CKA_EC_POINT");
  std::vector<unsigned char> der(point.ulValueLen);
  point.pValue = der.data();
  check(impl_->module->C_GetAttributeValue(impl_->session, key, &point, 1), "reading CKA_EC_POINT");
  // PKCS#11 3.0 holds the point DER-encoded as an OCTET STRING.
  const unsigned char* in = der.data();
  ASN1_OCTET_STRING* octets = d2i_ASN1_OCTET_STRING(nullptr, &in, static_cast<long>(der.size()));
  std::string raw;
  if (octets) {
    raw.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(octets)),
               static_cast<std::size_t>(ASN1_STRING_length(octets)));
    ASN1_OCTET_STRING_free(octets);
  }
  if (raw.size() != 32)
    throw std::runtime_error("the token's key '" + impl_->object_label + "' is not Ed25519");
  return raw;
}

std::string Pkcs11Token::sign(std::string_view message) const {
  const std::lock_guard lock(impl_->mutex);
  const CK_OBJECT_HANDLE key = impl_->require(CKO_PRIVATE_KEY);
  CK_MECHANISM mechanism{CKM_EDDSA, nullptr, 0};
  {
#if defined(__SANITIZE_ADDRESS__)
    // SoftHSM2 2.6.1, the tests' token, leaks 37 bytes of OpenSSL ASN.1 in
    // every EdDSA C_SignInit; its stack ends inside libcrypto, where no
    // suppression can name the module. The token's allocations are not ours.
    __lsan::ScopedDisabler token_allocations;
#endif
    check(impl_->module->C_SignInit(impl_->session, &mechanism, key), "C_SignInit (EdDSA)");
  }
  std::string signature(64, '\0');
  CK_ULONG size = signature.size();
  check(impl_->module->C_Sign(
            impl_->session, reinterpret_cast<unsigned char*>(const_cast<char*>(message.data())),
            message.size(), reinterpret_cast<unsigned char*>(signature.data()), &size),
        "C_Sign (EdDSA)");
  signature.resize(size);
  return signature;
}

}  // namespace lienthong
