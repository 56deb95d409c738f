// The two places a key-encryption key can live (body_keys.hpp): a file
// beside the hub's TLS key, or a PKCS#11 token that does the wrapping itself.
#include <stdexcept>

#include "lienthong/audit/body_keys.hpp"
#include "lienthong/core/pkcs11_token.hpp"
#include "lienthong/core/sealing_key.hpp"

namespace lienthong::audit {
namespace {

class FileKeyWrapper final : public KeyWrapper {
 public:
  explicit FileKeyWrapper(SealingKey key) : key_(std::move(key)), id_("file:" + key_.key_id()) {}
  const std::string& id() const override { return id_; }
  std::string wrap(std::string_view data_key, std::string_view context) const override {
    return key_.seal(data_key, context);
  }
  std::optional<std::string> unwrap(std::string_view wrapped,
                                    std::string_view context) const override {
    return key_.open(wrapped, context);
  }

 private:
  SealingKey key_;
  std::string id_;
};

class TokenKeyWrapper final : public KeyWrapper {
 public:
  explicit TokenKeyWrapper(std::shared_ptr<Pkcs11Token> token)
      : token_(std::move(token)), id_("pkcs11:" + token_->key_name()) {}
  const std::string& id() const override { return id_; }
  std::string wrap(std::string_view data_key, std::string_view context) const override {
    return token_->seal(data_key, context);
  }
  std::optional<std::string> unwrap(std::string_view wrapped,
                                    std::string_view context) const override {
    return token_->open(wrapped, context);
  }

 private:
  std::shared_ptr<Pkcs11Token> token_;
  std::string id_;
};

// A key change in progress: the new key wraps, either key unwraps its own.
class ChangingKeyWrapper final : public KeyWrapper {
 public:
  ChangingKeyWrapper(std::shared_ptr<const KeyWrapper> current,
                     std::shared_ptr<const KeyWrapper> previous)
      : current_(std::move(current)), previous_(std::move(previous)) {}
  const std::string& id() const override { return current_->id(); }
  std::string wrap(std::string_view data_key, std::string_view context) const override {
    return current_->wrap(data_key, context);
  }
  std::optional<std::string> unwrap(std::string_view wrapped,
                                    std::string_view context) const override {
    return current_->unwrap(wrapped, context);
  }
  bool holds(std::string_view kek_id) const override {
    return current_->holds(kek_id) || previous_->holds(kek_id);
  }
  std::optional<std::string> unwrap_from(std::string_view kek_id, std::string_view wrapped,
                                         std::string_view context) const override {
    return (current_->holds(kek_id) ? current_ : previous_)->unwrap_from(kek_id, wrapped, context);
  }

 private:
  std::shared_ptr<const KeyWrapper> current_;
  std::shared_ptr<const KeyWrapper> previous_;
};

}  // namespace

std::shared_ptr<const KeyWrapper> changing_key_wrapper(std::shared_ptr<const KeyWrapper> current,
                                                       std::shared_ptr<const KeyWrapper> previous) {
  if (!previous || !current)
    return current;
  return std::make_shared<ChangingKeyWrapper>(std::move(current), std::move(previous));
}

std::shared_ptr<const KeyWrapper> configured_key_wrapper(const Config& config, MissingKey missing) {
  auto current = load_key_wrapper(config.audit.body_key, missing);
  if (config.audit.previous_body_key.empty())
    return current;
  if (!current)
    throw std::runtime_error("audit.previous_body_key is set without audit.body_key");
  return changing_key_wrapper(std::move(current), load_key_wrapper(config.audit.previous_body_key));
}

std::shared_ptr<const KeyWrapper> load_key_wrapper(const std::string& setting, MissingKey missing) {
  if (setting.empty())
    return nullptr;
  if (Pkcs11Token::is_uri(setting)) {
    auto token = Pkcs11Token::open(setting);
    // A key the token does not hold fails here, at start, not at the first body.
    auto wrapper = std::make_shared<TokenKeyWrapper>(std::move(token));
    const std::string probe = "lienthong-body-key-probe";
    if (wrapper->unwrap(wrapper->wrap(probe, probe), probe) != probe)
      throw std::runtime_error("the token's key does not open what it sealed");
    return wrapper;
  }
  return std::make_shared<FileKeyWrapper>(missing == MissingKey::kCreate
                                              ? SealingKey::load_or_create(setting)
                                              : SealingKey::load(setting));
}

}  // namespace lienthong::audit
