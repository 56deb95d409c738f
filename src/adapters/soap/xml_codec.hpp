#pragma once
// JSON <-> XML the way SOAP services lay out data, with pugixml:
//   object  -> one child element per member (names must be XML names)
//   array   -> the element repeated, once per item
//   string, number, boolean -> the element's text; null -> xsi:nil="true"
// and back: an element with child elements is an object (a name that repeats,
// or is listed in `arrays`, becomes an array), a text-only element a string,
// xsi:nil="true" null. Namespace prefixes and attributes are not carried
// into JSON: the standard form has no place for them.
//
// Parsing refuses any document type declaration, so entity expansion
// ("billion laughs") and external entities never happen; pugixml itself
// expands only the five predefined entities and character references.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <pugixml.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::adapters::soap {

// An XML 1.0 element name without a prefix (NCName), as JSON keys must be
// to become elements.
bool is_xml_name(std::string_view name);

// Appends `value`'s members under `parent` as elements; `order` lists names
// written first, in that order, at every level (XSD sequences). Errors are
// Client.MappingFailed naming the JSON pointer.
Status write_members(pugi::xml_node parent, const nlohmann::json& value,
                     const std::vector<std::string>& order, int max_depth);

// The JSON of `element` (see above); Provider.BadResponse when deeper than max_depth.
Result<nlohmann::json> read_element(const pugi::xml_node& element,
                                    const std::set<std::string, std::less<>>& arrays,
                                    int max_depth);

// Parses a provider's XML safely (see above); Provider.BadResponse when it
// is not well-formed or declares a document type.
Status parse_xml(pugi::xml_document& document, std::string_view text);

// The element's name without its prefix.
std::string_view local_name(const pugi::xml_node& node);

}  // namespace lienthong::adapters::soap
