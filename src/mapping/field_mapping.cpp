#include "lienthong/mapping/field_mapping.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

namespace lienthong::mapping {

using nlohmann::json;

namespace {

constexpr int kMaxNesting = 8;  // "each" within "each"

enum class Convert {
  kNone,
  kDateIsoToDmy,
  kDateDmyToIso,
  kNumberToString,
  kStringToNumber,
  kLookup
};

const std::map<std::string, Convert, std::less<>>& conversions() {
  static const std::map<std::string, Convert, std::less<>> kConversions{
      {"date-iso-to-dmy", Convert::kDateIsoToDmy},
      {"date-dmy-to-iso", Convert::kDateDmyToIso},
      {"number-to-string", Convert::kNumberToString},
      {"string-to-number", Convert::kStringToNumber},
      {"lookup", Convert::kLookup}};
  return kConversions;
}

struct Rule {
  json::json_pointer to;
  std::string to_text;
  std::optional<json::json_pointer> from;
  std::string from_text;
  json value;  // the constant, when there is no `from`
  Convert convert = Convert::kNone;
  std::string table;
  bool required = false;
  bool maps_each = false;  // "each" given: the value is an array mapped element by element
  std::vector<Rule> each;
};

// A fixed-width date layout: where year, month and day stand, and the
// separator between them.
struct DateLayout {
  std::size_t year_at, month_at, day_at;
  std::size_t separators_at[2];
  char separator;
};
constexpr DateLayout kIsoDate{0, 5, 8, {4, 7}, '-'};       // yyyy-MM-dd
constexpr DateLayout kDayMonthYear{6, 3, 0, {2, 5}, '/'};  // dd/MM/yyyy

// Digits at [at, at + count) of `text` as a number, or -1.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9')
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// `value` rewritten from one layout to the other; false when it is not a
// real date written in `from`.
bool reformat_date(json& value, const DateLayout& from, const DateLayout& to) {
  const std::string text = value.is_string() ? value.get<std::string>() : std::string();
  if (text.size() != 10 || text[from.separators_at[0]] != from.separator ||
      text[from.separators_at[1]] != from.separator)
    return false;
  const int year = digits(text, from.year_at, 4);
  const int month = digits(text, from.month_at, 2);
  const int day = digits(text, from.day_at, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 ||
      !std::chrono::year_month_day{std::chrono::year{year},
                                   std::chrono::month{static_cast<unsigned>(month)},
                                   std::chrono::day{static_cast<unsigned>(day)}}
           .ok())
    return false;
  std::string out(10, to.separator);
  const auto put = [&out](std::size_t at, int number, int width) {
    for (int i = width - 1; i >= 0; --i, number /= 10)
      out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + number % 10);
  };
  put(to.year_at, year, 4);
  put(to.month_at, month, 2);
  put(to.day_at, day, 2);
  value = std::move(out);
  return true;
}

}  // namespace

struct FieldMapping::Rules {
  std::string direction;
  std::vector<Rule> rules;
  std::map<std::string, std::map<std::string, json>> tables;

  // ---- Compiling ------------------------------------------------------------

  void compile_rules(const json& list, const std::string& at, int nesting, std::vector<Rule>& into,
                     std::vector<FieldError>& errors) const {
    if (!list.is_array()) {
      errors.push_back({at, "a list of rules"});
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (auto rule = compile_rule(list[i], at + "/" + std::to_string(i), nesting, errors))
        into.push_back(std::move(*rule));
    }
  }

  std::optional<Rule> compile_rule(const json& spec, const std::string& at, int nesting,
                                   std::vector<FieldError>& errors) const {
    const auto fail = [&](const std::string& where, const std::string& why) {
      errors.push_back({at + where, why});
      return std::nullopt;
    };
    if (!spec.is_object())
      return fail("", "a rule is an object with \"to\" and \"from\" or \"value\"");
    for (const auto& [key, unused] : spec.items()) {
      static const std::vector<std::string> kKeys{"to",    "from",     "value", "convert",
                                                  "table", "required", "each"};
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
        return fail("/" + key, "unknown rule field");
    }
    Rule rule;
    const auto pointer = [&](const char* key,
                             std::string& text) -> std::optional<json::json_pointer> {
      const auto it = spec.find(key);
      if (it == spec.end())
        return std::nullopt;
      if (!it->is_string()) {
        fail(std::string("/") + key, "a JSON pointer such as \"/person/birthDate\"");
        return std::nullopt;
      }
      text = it->get<std::string>();
      try {
        return json::json_pointer(text);
      } catch (const json::exception&) {
        fail(std::string("/") + key, "not a JSON pointer (RFC 6901)");
        return std::nullopt;
      }
    };
    const std::size_t before = errors.size();
    const auto to = pointer("to", rule.to_text);
    rule.from = pointer("from", rule.from_text);
    if (errors.size() != before)
      return std::nullopt;
    if (!to || rule.to_text.empty())
      return fail("/to", "required: where the value goes (not the whole document)");
    rule.to = *to;
    const bool has_value = spec.contains("value");
    if (rule.from.has_value() == has_value)
      return fail("", "give either \"from\" or \"value\"");
    if (has_value)
      rule.value = spec["value"];
    if (const auto it = spec.find("required"); it != spec.end()) {
      if (!it->is_boolean())
        return fail("/required", "true or false");
      rule.required = it->get<bool>();
    }
    if (const auto it = spec.find("convert"); it != spec.end()) {
      const auto known =
          it->is_string() ? conversions().find(it->get<std::string>()) : conversions().end();
      if (known == conversions().end())
        return fail("/convert",
                    "one of date-iso-to-dmy, date-dmy-to-iso, number-to-string, "
                    "string-to-number, lookup");
      rule.convert = known->second;
    }
    if (rule.convert == Convert::kLookup) {
      const auto it = spec.find("table");
      if (it == spec.end() || !it->is_string() || !tables.contains(it->get<std::string>()))
        return fail("/table", "the name of a table in \"lookups\"");
      rule.table = it->get<std::string>();
    }
    if (const auto it = spec.find("each"); it != spec.end()) {
      if (!rule.from)
        return fail("/each", "maps the elements of the array named by \"from\"");
      if (nesting >= kMaxNesting)
        return fail("/each", "nested more than " + std::to_string(kMaxNesting) + " deep");
      rule.maps_each = true;
      compile_rules(*it, at + "/each", nesting + 1, rule.each, errors);
      if (rule.convert != Convert::kNone)
        return fail("/convert", "applies to single values, not to \"each\"");
    }
    return rule;
  }

  // ---- Applying -------------------------------------------------------------

  // Empty when the rule applied (or was skipped); otherwise why not.
  std::string apply(const Rule& rule, const json& input, json& output) const {
    json value;
    if (rule.from) {
      const json* found = nullptr;
      try {
        if (input.contains(*rule.from))
          found = &input.at(*rule.from);
      } catch (const json::exception&) {
        found = nullptr;  // e.g. "/items/x" into an array: not there
      }
      if (found == nullptr)
        return rule.required ? rule.from_text + " is missing" : std::string();
      value = *found;
    } else {
      value = rule.value;
    }
    if (rule.maps_each) {
      if (!value.is_array())
        return rule.from_text + " is not an array";
      json mapped = json::array();
      for (std::size_t i = 0; i < value.size(); ++i) {
        json element = json::object();
        for (const Rule& nested : rule.each) {
          if (auto why = apply(nested, value[i], element); !why.empty())
            return rule.from_text + "/" + std::to_string(i) + ": " + why;
        }
        mapped.push_back(std::move(element));
      }
      value = std::move(mapped);
    }
    if (auto why = convert(rule, value); !why.empty())
      return (rule.from ? rule.from_text : rule.to_text) + ": " + why;
    try {
      output[rule.to] = std::move(value);
    } catch (const json::exception&) {
      return rule.to_text + " cannot be written: another rule put a value on its path";
    }
    return {};
  }

  std::string convert(const Rule& rule, json& value) const {
    switch (rule.convert) {
      case Convert::kNone:
        return {};
      case Convert::kDateIsoToDmy:
        return reformat_date(value, kIsoDate, kDayMonthYear) ? "" : "not a date yyyy-MM-dd";
      case Convert::kDateDmyToIso:
        return reformat_date(value, kDayMonthYear, kIsoDate) ? "" : "not a date dd/MM/yyyy";
      case Convert::kNumberToString:
        if (!value.is_number())
          return "not a number";
        value = value.dump();
        return {};
      case Convert::kStringToNumber: {
        const std::string text = value.is_string() ? value.get<std::string>() : std::string();
        std::int64_t integer = 0;
        if (const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
            !text.empty() && ec == std::errc() && end == text.data() + text.size()) {
          value = integer;
          return {};
        }
        double real = 0;
        if (const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), real);
            !text.empty() && ec == std::errc() && end == text.data() + text.size()) {
          value = real;
          return {};
        }
        return "not a number in a string";
      }
      case Convert::kLookup: {
        const auto& table = tables.at(rule.table);
        const std::string key = value.is_string() ? value.get<std::string>() : value.dump();
        const auto found = table.find(key);
        if (found == table.end())
          return "\"" + key.substr(0, 64) + "\" is not in the code list " + rule.table;
        value = found->second;
        return {};
      }
    }
    return {};
  }
};

Result<FieldMapping> FieldMapping::compile(const json& mapping, const std::string& direction) {
  auto rules = std::make_unique<Rules>();
  rules->direction = direction;
  std::vector<FieldError> errors;
  if (!mapping.is_object()) {
    errors.push_back({"", "a mapping is an object with \"request\", \"response\" and \"lookups\""});
  } else {
    if (const auto lookups = mapping.find("lookups"); lookups != mapping.end()) {
      if (!lookups->is_object())
        errors.push_back({"/lookups", "an object of code lists: {\"name\": {\"code\": value}}"});
      else {
        for (const auto& [name, table] : lookups->items()) {
          if (!table.is_object()) {
            errors.push_back({"/lookups/" + name, "a code list: {\"code\": value}"});
            continue;
          }
          for (const auto& [code, value] : table.items())
            rules->tables[name][code] = value;
        }
      }
    }
    if (const auto list = mapping.find(direction); list != mapping.end())
      rules->compile_rules(*list, "/" + direction, 0, rules->rules, errors);
  }
  if (!errors.empty()) {
    Error error =
        make_error(ErrorCode::kClientInvalidInput, "the " + direction + " mapping is invalid");
    error.fields = std::move(errors);
    return error;
  }
  return FieldMapping(std::move(rules));
}

FieldMapping::FieldMapping(std::unique_ptr<Rules> rules) : rules_(std::move(rules)) {}
FieldMapping::~FieldMapping() = default;
FieldMapping::FieldMapping(FieldMapping&&) noexcept = default;
FieldMapping& FieldMapping::operator=(FieldMapping&&) noexcept = default;

Result<json> FieldMapping::apply(const json& input, ErrorCode failure) const {
  json output = json::object();
  for (const Rule& rule : rules_->rules) {
    if (auto why = rules_->apply(rule, input, output); !why.empty())
      return make_error(failure, "the " + rules_->direction + " could not be mapped: " + why);
  }
  return output;
}

std::vector<FieldError> check_mapping(const json& mapping) {
  std::vector<FieldError> errors;
  if (mapping.is_object()) {
    for (const auto& [key, unused] : mapping.items()) {
      if (key != "request" && key != "response" && key != "lookups")
        errors.push_back({"/" + key, "unknown: a mapping has request, response and lookups"});
    }
  }
  for (const char* direction : {"request", "response"}) {
    auto compiled = FieldMapping::compile(mapping, direction);
    if (!compiled.has_value()) {
      for (const auto& field : compiled.error().fields) {
        if (std::find_if(errors.begin(), errors.end(), [&](const FieldError& e) {
              return e.pointer == field.pointer;
            }) == errors.end())
          errors.push_back(field);
      }
    }
  }
  return errors;
}

}  // namespace lienthong::mapping
