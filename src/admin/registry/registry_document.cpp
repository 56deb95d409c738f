#include "registry/registry_document.hpp"

#include <charconv>
#include <yaml-cpp/yaml.h>

namespace lienthong::admin {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 32;

// A plain (unquoted) YAML scalar typed as YAML 1.2's core schema would.
json typed_scalar(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE")
    return true;
  if (text == "false" || text == "False" || text == "FALSE")
    return false;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return nullptr;
  std::int64_t integer = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (ec == std::errc() && end == text.data() + text.size())
    return integer;
  return text;
}

json to_json(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth)
    throw std::runtime_error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!" and plain ones "?".
      return node.Tag() == "!" ? json(node.Scalar()) : typed_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node)
        array.push_back(to_json(item, depth + 1));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node)
        object[entry.first.as<std::string>()] = to_json(entry.second, depth + 1);
      return object;
    }
  }
  return nullptr;
}

void emit(YAML::Emitter& out, const json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [key, item] : value.items()) {
      out << YAML::Key << key << YAML::Value;
      emit(out, item);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : value)
      emit(out, item);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    // Quoted whenever plain style would change the type on the way back.
    const auto& text = value.get_ref<const std::string&>();
    if (!typed_scalar(text).is_string())
      out << YAML::DoubleQuoted;
    out << text;
  } else if (value.is_null()) {
    out << YAML::Null;
  } else if (value.is_boolean()) {
    out << value.get<bool>();
  } else if (value.is_number_integer()) {
    out << value.get<std::int64_t>();
  } else {
    out << value.dump();
  }
}

}  // namespace

Result<json> parse_registry_document(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded())
      return make_error(ErrorCode::kClientInvalidInput, "the registry file is not valid JSON");
    return document;
  }
  try {
    return to_json(YAML::Load(std::string(text)), 0);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kClientInvalidInput,
                      std::string("the registry file is not valid YAML: ") + e.what());
  }
}

std::string to_yaml(const json& document) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, document);
  return std::string(out.c_str()) + "\n";
}

}  // namespace lienthong::admin
