#include "registry/field_validation.hpp"

#include <algorithm>
#include <regex>

#include <nlohmann/json.hpp>

#include "lienthong/adapters/adapter_config.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/identifiers.hpp"
#include "lienthong/net/http_endpoint.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace lienthong::admin {
namespace {

using nlohmann::json;

bool matches(const std::string& text, const std::regex& pattern) {
  return std::regex_match(text, pattern);
}

// Returns why `value` breaks `spec`, or "" when it is fine.
std::string check_scalar(const FieldSpec& spec, const json& value);

// INSTANCE/CLASS/CODE: a member's identifier.
bool is_member_key(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t from = 0;;) {
    const auto slash = text.find('/', from);
    parts.push_back(text.substr(from, slash == std::string_view::npos ? slash : slash - from));
    if (slash == std::string_view::npos)
      break;
    from = slash + 1;
  }
  return parts.size() == 3 &&
         std::all_of(parts.begin(), parts.end(), lienthong::is_identifier_part) &&
         lienthong::is_member_class(parts[1]);
}

std::string check_list(const json& value, std::size_t max_items,
                       const std::function<std::string(const std::string&)>& check_item) {
  if (!value.is_array())
    return "must be an array of strings";
  if (value.size() > max_items)
    return "at most " + std::to_string(max_items) + " items";
  for (const auto& item : value) {
    if (!item.is_string())
      return "must be an array of strings";
    if (auto why = check_item(item.get<std::string>()); !why.empty())
      return "\"" + item.get<std::string>() + "\": " + why;
  }
  return "";
}

// Kinds that are a string matching a pattern, with what to tell the caller otherwise.
struct TextPattern {
  FieldKind kind;
  std::regex pattern;
  const char* expected;
};

const TextPattern* text_pattern(FieldKind kind) {
  static const std::vector<TextPattern> kPatterns = [] {
    std::vector<TextPattern> patterns;
    const auto add = [&](FieldKind k, const char* regex, const char* expected) {
      patterns.push_back({k, std::regex(regex), expected});
    };
    add(FieldKind::kHttpPath, R"(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,1000})",
        "must be an absolute path like /a/b");
    add(FieldKind::kTimestamp,
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))",
        "must be an RFC 3339 time with offset, e.g. 2027-01-01T00:00:00Z");
    add(FieldKind::kEmail, R"([^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63})",
        "must be an e-mail address");
    add(FieldKind::kSha256Hex, R"([0-9a-f]{64})",
        "must be 64 lower-case hex digits (SHA-256 of the DER certificate)");
    add(FieldKind::kMemberRef, R"([A-Za-z0-9._-]{1,128}(/[A-Za-z0-9._-]{1,128}){2})",
        "must be a member identifier INSTANCE/CLASS/CODE");
    add(FieldKind::kSystemRef, R"([A-Za-z0-9._-]{1,128}(/[A-Za-z0-9._-]{1,128}){3})",
        "must be a system identifier INSTANCE/CLASS/CODE/SYSTEM");
    add(FieldKind::kSchemaRef, R"([A-Za-z0-9._-]{1,128}/[A-Za-z0-9._-]{1,128})",
        "must be a schema NAME/VERSION");
    return patterns;
  }();
  for (const auto& pattern : kPatterns) {
    if (pattern.kind == kind)
      return &pattern;
  }
  return nullptr;
}

std::string check_scalar(const FieldSpec& spec, const json& value) {
  static const std::regex kPathPattern(R"(/[A-Za-z0-9._~!$&'()+,;=:@%/*-]{0,1000})");
  static const std::regex kPointer(R"((/([^~]|~[01])*)*)");

  const auto as_text = [&]() -> const std::string* {
    return value.is_string() ? value.get_ptr<const std::string*>() : nullptr;
  };
  if (const TextPattern* pattern = text_pattern(spec.kind)) {
    const auto* text = as_text();
    return text != nullptr && matches(*text, pattern->pattern) ? "" : pattern->expected;
  }
  switch (spec.kind) {
    case FieldKind::kText: {
      const auto* text = as_text();
      if (text == nullptr)
        return "must be a string";
      if (text->empty() || text->size() > spec.max_length)
        return "must be 1 to " + std::to_string(spec.max_length) + " characters";
      return "";
    }
    case FieldKind::kIdentifierPart: {
      const auto* text = as_text();
      return text != nullptr && lienthong::is_identifier_part(*text)
                 ? ""
                 : "must be 1 to 128 of the characters A-Z a-z 0-9 . _ -";
    }
    case FieldKind::kChoice: {
      const auto* text = as_text();
      if (text != nullptr &&
          std::find(spec.choices.begin(), spec.choices.end(), *text) != spec.choices.end())
        return "";
      std::string allowed;
      for (const auto& c : spec.choices)
        allowed += (allowed.empty() ? "" : ", ") + c;
      return "must be one of: " + allowed;
    }
    case FieldKind::kInteger:
      if (!value.is_number_integer() || value.get<std::int64_t>() < spec.min ||
          value.get<std::int64_t>() > spec.max) {
        return "must be an integer from " + std::to_string(spec.min) + " to " +
               std::to_string(spec.max);
      }
      return "";
    case FieldKind::kBoolean:
      return value.is_boolean() ? "" : "must be true or false";
    case FieldKind::kUrl: {
      const auto* text = as_text();
      if (text == nullptr || text->size() > 2000)
        return "must be an http:// or https:// URL";
      auto endpoint = net::HttpEndpoint::parse(*text);
      return endpoint.has_value() ? "" : endpoint.error().detail;
    }
    case FieldKind::kPemCertificate: {
      const auto* text = as_text();
      if (text == nullptr || text->size() > 65536 ||
          text->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return "must be a PEM certificate (at most 64 KiB)";
      return "";
    }
    case FieldKind::kPemPublicKey: {
      const auto* text = as_text();
      if (text == nullptr || text->size() > 4096 || !audit::public_key_id(*text).has_value())
        return "must be an Ed25519 public key in PEM (openssl pkey -pubout)";
      return "";
    }
    case FieldKind::kObject:
      return value.is_object() && value.dump().size() <= 65536
                 ? ""
                 : "must be a JSON object (at most 64 KiB)";
    case FieldKind::kAdapterConfig: {
      if (!value.is_object() || value.dump().size() > 65536)
        return "must be a JSON object (at most 64 KiB)";
      return adapters::check_adapter_config(value);
    }
    case FieldKind::kJsonSchema: {
      if (!value.is_object())
        return "must be a JSON Schema object";
      if (value.dump().size() > 1024 * 1024)
        return "must be at most 1 MiB";
      if (value.contains("$schema")) {
        const auto& uri = value["$schema"];
        if (!uri.is_string() || (uri != "http://json-schema.org/draft-07/schema#" &&
                                 uri != "http://json-schema.org/draft-07/schema"))
          return "$schema must be http://json-schema.org/draft-07/schema# (draft 7)";
      }
      auto compiled = schema::JsonSchema::compile(value);
      return compiled.has_value() ? "" : compiled.error().detail;
    }
    case FieldKind::kHttpPath:
    case FieldKind::kTimestamp:
    case FieldKind::kEmail:
    case FieldKind::kSha256Hex:
    case FieldKind::kMemberRef:
    case FieldKind::kSystemRef:
    case FieldKind::kSchemaRef:
      break;  // text_pattern() above
    case FieldKind::kServiceKeyList:
      return check_list(value, 1000, [](const std::string& item) {
        // A provider system's key plus the service code: five identifier parts.
        const auto last = item.rfind('/');
        const bool ok = last != std::string::npos && SystemId::parse(item.substr(0, last)) &&
                        lienthong::is_identifier_part(item.substr(last + 1));
        return ok ? "" : "not a service INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE";
      });
    case FieldKind::kOutboundRules: {
      if (!value.is_array() || value.size() > 200)
        return "must be an array of at most 200 rules {\"consumer\": ..., \"service\": ...}";
      for (const auto& rule : value) {
        if (!rule.is_object() || rule.size() != 2 || !rule.contains("consumer") ||
            !rule.contains("service") || !rule["consumer"].is_string() ||
            !rule["service"].is_string())
          return "each rule is {\"consumer\": ..., \"service\": ...}, both strings";
        const auto& consumer = rule["consumer"].get_ref<const std::string&>();
        const auto& service = rule["service"].get_ref<const std::string&>();
        if (consumer != "*" && !is_member_key(consumer) && !SystemId::parse(consumer))
          return "\"" + consumer + "\": a consumer is *, a member INSTANCE/CLASS/CODE or a system";
        const auto last = service.rfind('/');
        if (service != "*" &&
            (last == std::string::npos || !SystemId::parse(service.substr(0, last)) ||
             !lienthong::is_identifier_part(service.substr(last + 1))))
          return "\"" + service + "\": a service is * or INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE";
      }
      return "";
    }
    case FieldKind::kIdentifierList:
      return check_list(value, 50, [](const std::string& item) {
        return lienthong::is_identifier_part(item) ? "" : "not an identifier";
      });
    case FieldKind::kMethodList:
      return check_list(value, 10, [](const std::string& item) {
        static const std::vector<std::string> kMethods{"GET",   "POST",   "PUT",
                                                       "PATCH", "DELETE", "HEAD"};
        return std::find(kMethods.begin(), kMethods.end(), item) != kMethods.end()
                   ? ""
                   : "not one of GET, POST, PUT, PATCH, DELETE, HEAD";
      });
    case FieldKind::kPathPatternList:
      return check_list(value, 50, [](const std::string& item) {
        return matches(item, kPathPattern) ? "" : "not an absolute path pattern";
      });
    case FieldKind::kPointerList:
      return check_list(value, 200, [](const std::string& item) {
        return item.size() <= 500 && matches(item, kPointer) ? "" : "not a JSON pointer";
      });
  }
  return "unsupported field";
}

std::string escape_pointer_token(const std::string& token) {
  std::string escaped;
  for (const char c : token) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped.push_back(c);
  }
  return escaped;
}

}  // namespace

std::vector<FieldError> validate_fields(const json& body, const std::vector<FieldSpec>& fields,
                                        WriteMode mode) {
  std::vector<FieldError> errors;
  if (!body.is_object()) {
    errors.push_back({"", "the body must be a JSON object"});
    return errors;
  }
  for (const auto& [name, value] : body.items()) {
    const auto spec = std::find_if(fields.begin(), fields.end(),
                                   [&](const FieldSpec& f) { return f.name == name; });
    const std::string pointer = "/" + escape_pointer_token(name);
    if (spec == fields.end()) {
      errors.push_back({pointer, "unknown field"});
    } else if (mode == WriteMode::kUpdate && !spec->updatable) {
      errors.push_back({pointer, "cannot be changed; create a new one instead"});
    } else if (value.is_null()) {
      if (spec->required)
        errors.push_back({pointer, "is required and cannot be null"});
    } else if (auto why = check_scalar(*spec, value); !why.empty()) {
      errors.push_back({pointer, std::move(why)});
    }
  }
  if (mode == WriteMode::kCreate) {
    for (const auto& spec : fields) {
      if (spec.required && !body.contains(spec.name))
        errors.push_back({"/" + spec.name, "is required"});
    }
  }
  return errors;
}

std::optional<std::string> find_nul_in_strings(const json& value, const std::string& at) {
  if (value.is_string())
    return value.get_ref<const std::string&>().find('\0') == std::string::npos
               ? std::nullopt
               : std::optional<std::string>(at);
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (auto found = find_nul_in_strings(value[i], at + "/" + std::to_string(i)))
        return found;
    }
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      std::string pointer = at + "/";
      for (const char c : key)
        pointer += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      if (key.find('\0') != std::string::npos)
        return pointer;
      if (auto found = find_nul_in_strings(member, pointer))
        return found;
    }
  }
  return std::nullopt;
}

}  // namespace lienthong::admin
