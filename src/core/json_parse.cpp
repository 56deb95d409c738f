#include "lienthong/core/json_parse.hpp"

#include <cstring>
#include <memory>
#include <simdjson.h>
#include <string>

namespace lienthong {
namespace {

namespace dom = simdjson::dom;

// Documents up to this size reuse one parser per thread; its buffers grow
// to the largest document it read, so bigger (rarer) ones get a parser of
// their own that is freed with them.
constexpr std::size_t kReusedParserLimit = 64 * 1024;

nlohmann::json to_nlohmann(dom::element element) {
  switch (element.type()) {
    case dom::element_type::OBJECT: {
      nlohmann::json object = nlohmann::json::object();
      auto& members = object.get_ref<nlohmann::json::object_t&>();
      for (const auto field : dom::object(element)) {
        // A repeated name keeps its last value, as nlohmann's parser does.
        members.insert_or_assign(std::string(field.key), to_nlohmann(field.value));
      }
      return object;
    }
    case dom::element_type::ARRAY: {
      nlohmann::json array = nlohmann::json::array();
      auto& items = array.get_ref<nlohmann::json::array_t&>();
      const dom::array source(element);
      items.reserve(source.size());
      for (const auto item : source)
        items.push_back(to_nlohmann(item));
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

// Parses `text` with `parser`; nullopt when simdjson refuses it.
std::optional<nlohmann::json> parse_with(dom::parser& parser, std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: the text is
  // copied into a padded buffer (per thread) rather than trusted to have them.
  thread_local std::string padded;
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING, '\0');
  dom::element root;
  if (parser.parse(padded.data(), text.size(), false).get(root) != simdjson::SUCCESS)
    return std::nullopt;
  auto document = to_nlohmann(root);
  if (padded.capacity() > kReusedParserLimit + simdjson::SIMDJSON_PADDING)
    std::string().swap(padded);
  return document;
}

}  // namespace

std::optional<nlohmann::json> parse_json(std::string_view text) {
  std::optional<nlohmann::json> document;
  if (text.size() <= kReusedParserLimit) {
    thread_local dom::parser parser;
    document = parse_with(parser, text);
  } else {
    dom::parser parser;
    document = parse_with(parser, text);
  }
  if (document.has_value())
    return document;
  // Refused: either not JSON, or JSON simdjson does not represent (an
  // integer past 64 bits). nlohmann decides, as it always did.
  auto fallback = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (fallback.is_discarded())
    return std::nullopt;
  return fallback;
}

}  // namespace lienthong
