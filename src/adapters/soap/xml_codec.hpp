#pragma once
// JSON <-> XML the way SOAP services lay out data, with pugixml
// (xml_writer.cpp):
//   object  -> one child element per member (names must be XML names;
//              "@name" members are attributes and "#text" the text)
//   array   -> the element repeated, once per item
//   string, number, boolean -> the element's text; null -> xsi:nil="true"
// and back (xml_reader.cpp): an element with child elements or attributes is
// an object, members keyed by local name (a name that repeats, or is listed
// in `arrays`, becomes an array; a list declared by its path from the answer,
// "/danhSach/thua", is [] when it occurs zero times), attributes as "@name",
// text beside them as "#text", xsi:type (other than XML Schema's and SOAP
// encoding's built-in types) as "@xsi:type" in Clark notation "{uri}Type";
// a text-only element is a string, xsi:nil="true" null. Nothing is dropped
// silently: siblings of one local name in two namespaces, attributes of
// unknown namespaces and multiRef references make the answer
// Provider.BadResponse. Namespace declarations, xsi:schemaLocation and the
// SOAP envelope/encoding namespaces' bookkeeping attributes are syntax, not data.
//
// Parsing refuses any document type declaration, so entity expansion
// ("billion laughs") and external entities never happen; pugixml itself
// expands only the five predefined entities and character references.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <pugixml.hpp>

#include "lienthong/core/result.hpp"

namespace lienthong::adapters::soap {

inline constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
inline constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr std::string_view kXsdNamespace = "http://www.w3.org/2001/XMLSchema";
inline constexpr std::string_view kSoap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12Namespace = "http://www.w3.org/2003/05/soap-envelope";

// An XML 1.0 element name without a prefix (NCName), as JSON keys must be
// to become elements.
bool is_xml_name(std::string_view name);

// What shapes a request's XML (from the SOAP binding).
struct WriteRules {
  std::vector<std::string> order;  // names written first, in that order, at every level
  // Elements written in another namespace than the operation's (shared
  // "common types" schemas), with what they contain.
  std::map<std::string, std::string, std::less<>> namespaces;
  bool qualified = true;  // children in their parent's namespace (else unqualified)
  int max_depth = 64;
};

// Appends `value`'s members under `parent` as elements, its "@name" members
// as attributes ("@xml:lang", and "@xsi:type" as "{uri}Type" or "Type") and
// "#text" as text: the reader's convention, so what an answer held can be
// sent back. Errors are Client.MappingFailed naming the JSON pointer.
Status write_members(pugi::xml_node parent, const nlohmann::json& value, const WriteRules& rules);

// The JSON of `element` (see above), the top of the answer for the paths in
// `arrays`; Provider.BadResponse when deeper than max_depth or not readable
// without loss.
Result<nlohmann::json> read_element(const pugi::xml_node& element,
                                    const std::set<std::string, std::less<>>& arrays,
                                    int max_depth);

// Parses a provider's XML safely (see above); Provider.BadResponse when it
// is not well-formed or declares a document type.
Status parse_xml(pugi::xml_document& document, std::string_view text);

// "prefix:local" as {prefix, local}; the prefix is empty when there is none.
std::pair<std::string_view, std::string_view> split_qname(std::string_view name);

// The element's name without its prefix.
std::string_view local_name(const pugi::xml_node& node);

// The namespace URI bound to `prefix` ("" for the default namespace) where
// `element` stands, looked up on it and its ancestors; "" when unbound.
std::string_view namespace_uri(const pugi::xml_node& element, std::string_view prefix);

// The namespace URI of `element`'s own name.
std::string_view namespace_of(const pugi::xml_node& element);

}  // namespace lienthong::adapters::soap
