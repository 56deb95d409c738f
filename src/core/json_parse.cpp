#include "lienthong/core/json_parse.hpp"

#include <set>
#include <simdjson.h>
#include <string>
#include <vector>

#include "lienthong/core/json_text.hpp"

namespace lienthong {
namespace {

namespace dom = simdjson::dom;

// Documents up to this size reuse one parser per thread; its buffers grow
// to the largest document it read, so bigger (rarer) ones get a parser of
// their own that is freed with them.
constexpr std::size_t kReusedParserLimit = 64 * 1024;

// Builds the nlohmann tree of a document simdjson read, refusing (and
// building nothing further) once arrays/objects nest deeper than max_depth.
class TreeBuilder {
 public:
  explicit TreeBuilder(int max_depth) : max_depth_(max_depth) {}

  bool too_deep() const { return too_deep_; }
  std::optional<std::string>& repeated_name() { return repeated_name_; }

  // `level`: how many arrays/objects enclose `element`.
  nlohmann::json build(dom::element element, int level) {
    switch (element.type()) {
      case dom::element_type::OBJECT: {
        if (exceeds(level))
          return nullptr;
        nlohmann::json object = nlohmann::json::object();
        auto& members = object.get_ref<nlohmann::json::object_t&>();
        for (const auto field : dom::object(element)) {
          // A repeated name keeps its last value, as nlohmann's parser does.
          auto [member, inserted] =
              members.insert_or_assign(std::string(field.key), build(field.value, level + 1));
          if (too_deep_)
            return nullptr;
          if (!inserted && !repeated_name_)
            repeated_name_ = member->first;
        }
        return object;
      }
      case dom::element_type::ARRAY: {
        if (exceeds(level))
          return nullptr;
        nlohmann::json array = nlohmann::json::array();
        auto& items = array.get_ref<nlohmann::json::array_t&>();
        const dom::array source(element);
        items.reserve(source.size());
        for (const auto item : source) {
          items.push_back(build(item, level + 1));
          if (too_deep_)
            return nullptr;
        }
        return array;
      }
      case dom::element_type::STRING:
        return std::string(std::string_view(element));
      case dom::element_type::INT64: {
        // nlohmann keeps non-negative integers as unsigned.
        const std::int64_t value(element);
        if (value >= 0)
          return static_cast<std::uint64_t>(value);
        return value;
      }
      case dom::element_type::UINT64:
        return std::uint64_t(element);
      case dom::element_type::DOUBLE:
        return double(element);
      case dom::element_type::BOOL:
        return bool(element);
      case dom::element_type::NULL_VALUE:
        return nullptr;
    }
    return nullptr;
  }

 private:
  // A container enclosed by `level` others is at depth level + 1.
  bool exceeds(int level) {
    if (level >= max_depth_)
      too_deep_ = true;
    return too_deep_;
  }

  int max_depth_;
  bool too_deep_ = false;
  std::optional<std::string> repeated_name_;
};

// nlohmann's parser, noting the first member name repeated within one
// object (the fallback path; rare, so a set per open object is affordable).
JsonReading parse_with_nlohmann(std::string_view text) {
  std::vector<std::set<std::string>> open_objects;
  std::optional<std::string> repeated;
  auto document = nlohmann::json::parse(
      text,
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (event == nlohmann::json::parse_event_t::object_start) {
          open_objects.emplace_back();
        } else if (event == nlohmann::json::parse_event_t::object_end) {
          open_objects.pop_back();
        } else if (event == nlohmann::json::parse_event_t::key && !open_objects.empty()) {
          auto& name = parsed.get_ref<const std::string&>();
          if (!open_objects.back().insert(name).second && !repeated)
            repeated = name;
        }
        return true;
      },
      /*allow_exceptions=*/false);
  if (document.is_discarded())
    return JsonReading{};
  return JsonReading{std::move(document), false, std::move(repeated)};
}

// Reads `text` with `parser`; nullopt when simdjson refuses it.
std::optional<JsonReading> read_with(dom::parser& parser, std::string_view text, int max_depth) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: the text is
  // copied into a padded buffer (per thread) rather than trusted to have them.
  thread_local std::string padded;
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING, '\0');
  dom::element root;
  const bool read = parser.parse(padded.data(), text.size(), false).get(root) == simdjson::SUCCESS;
  if (padded.capacity() > kReusedParserLimit + simdjson::SIMDJSON_PADDING)
    std::string().swap(padded);
  if (!read)
    return std::nullopt;
  TreeBuilder builder(max_depth);
  auto document = builder.build(root, 0);
  if (builder.too_deep())
    return JsonReading{std::nullopt, true, std::nullopt};
  return JsonReading{std::move(document), false, std::move(builder.repeated_name())};
}

}  // namespace

JsonReading parse_json(std::string_view text, int max_depth) {
  std::optional<JsonReading> reading;
  if (text.size() <= kReusedParserLimit) {
    thread_local dom::parser parser;
    reading = read_with(parser, text, max_depth);
  } else {
    dom::parser parser;
    reading = read_with(parser, text, max_depth);
  }
  if (reading.has_value())
    return std::move(*reading);
  // Refused: not JSON, or JSON simdjson does not represent (an integer past
  // 64 bits). The old path decides, depth first, as it always did.
  if (exceeds_json_depth(text, max_depth))
    return JsonReading{std::nullopt, true, std::nullopt};
  return parse_with_nlohmann(text);
}

}  // namespace lienthong
