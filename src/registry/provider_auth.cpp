#include "lienthong/registry/provider_auth.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "lienthong/core/digest.hpp"

namespace lienthong::registry {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxUsername = 256;
constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kMaxSoapHeaders = 16 * 1024;

void wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

class Reader {
 public:
  std::vector<FieldError> errors;

  // Refuses members other than `known`: a misspelt "pasword" must not
  // register credentials without a password.
  void only(const json& object, const std::string& pointer,
            std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : object.items()) {
      if (std::find(known.begin(), known.end(), name) == known.end())
        errors.push_back({pointer + "/" + name, "unknown member"});
    }
  }

  std::string text(const json& object, const std::string& pointer, const char* name,
                   std::size_t max_length, bool colon_allowed = true) {
    const std::string at = pointer + "/" + name;
    const auto found = object.find(name);
    if (found == object.end() || !found->is_string()) {
      errors.push_back({at, "required: a string"});
      return {};
    }
    const auto& value = found->get_ref<const std::string&>();
    if (value.empty() || value.size() > max_length)
      errors.push_back({at, "1 to " + std::to_string(max_length) + " bytes"});
    else if (has_control_character(value))
      errors.push_back({at, "may not contain control characters"});
    else if (!colon_allowed && value.find(':') != std::string::npos)
      errors.push_back({at, "may not contain ':' (RFC 7617)"});
    return value;
  }

  bool flag(const json& object, const std::string& pointer, const char* name) {
    const auto found = object.find(name);
    if (found == object.end())
      return false;
    if (!found->is_boolean()) {
      errors.push_back({pointer + "/" + name, "true or false"});
      return false;
    }
    return found->get<bool>();
  }

  const json* object(const json& parent, const char* name) {
    const auto found = parent.find(name);
    if (found == parent.end())
      return nullptr;
    if (!found->is_object()) {
      errors.push_back({std::string("/") + name, "an object"});
      return nullptr;
    }
    return &*found;
  }
};

}  // namespace

std::string provider_auth_context(std::int64_t system_id) {
  return "lienthong provider credentials of system " + std::to_string(system_id);
}

ProviderAuth::~ProviderAuth() {
  if (http_basic)
    wipe(http_basic->password);
  if (ws_security)
    wipe(ws_security->password);
  wipe(soap_headers);
}

Result<ProviderAuth> parse_provider_auth(const json& document) {
  if (!document.is_object())
    return make_error(ErrorCode::kClientInvalidInput, "provider credentials are a JSON object");
  Reader read;
  read.only(document, "", {"http_basic", "ws_security", "soap_headers"});
  ProviderAuth auth;
  if (const json* basic = read.object(document, "http_basic")) {
    read.only(*basic, "/http_basic", {"username", "password"});
    auth.http_basic = ProviderAuth::HttpBasic{
        read.text(*basic, "/http_basic", "username", kMaxUsername, /*colon_allowed=*/false),
        read.text(*basic, "/http_basic", "password", kMaxPassword)};
  }
  if (const json* wsse = read.object(document, "ws_security")) {
    read.only(*wsse, "/ws_security", {"username", "password", "password_type", "timestamp"});
    ProviderAuth::WsSecurity token{read.text(*wsse, "/ws_security", "username", kMaxUsername),
                                   read.text(*wsse, "/ws_security", "password", kMaxPassword)};
    const std::string type = wsse->value("password_type", std::string("text"));
    if (type != "text" && type != "digest")
      read.errors.push_back({"/ws_security/password_type", "text (the default) or digest"});
    token.digest = type == "digest";
    token.timestamp = read.flag(*wsse, "/ws_security", "timestamp");
    auth.ws_security = std::move(token);
  }
  if (const auto found = document.find("soap_headers"); found != document.end()) {
    if (!found->is_string() || found->get_ref<const std::string&>().empty() ||
        found->get_ref<const std::string&>().size() > kMaxSoapHeaders) {
      read.errors.push_back({"/soap_headers", "an XML fragment of 1 to " +
                                                  std::to_string(kMaxSoapHeaders) + " bytes"});
    } else {
      auth.soap_headers = found->get<std::string>();
    }
  }
  if (read.errors.empty() && !auth.http_basic && !auth.ws_security && auth.soap_headers.empty())
    read.errors.push_back({"", "give http_basic, ws_security or soap_headers"});
  if (!read.errors.empty()) {
    Error error =
        make_error(ErrorCode::kClientInvalidInput, "the provider credentials are not valid");
    error.fields = std::move(read.errors);
    return error;
  }
  return auth;
}

json describe_provider_auth(const ProviderAuth& auth) {
  json view = json::object();
  if (auth.http_basic)
    view["http_basic"] = {{"username", auth.http_basic->username}};
  if (auth.ws_security) {
    view["ws_security"] = {{"username", auth.ws_security->username},
                           {"password_type", auth.ws_security->digest ? "digest" : "text"},
                           {"timestamp", auth.ws_security->timestamp}};
  }
  if (!auth.soap_headers.empty())
    view["soap_headers"] = {{"sha256", sha256_hex(auth.soap_headers)},
                            {"bytes", auth.soap_headers.size()}};
  return view;
}

}  // namespace lienthong::registry
