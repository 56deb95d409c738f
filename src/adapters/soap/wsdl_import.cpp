#include "lienthong/adapters/wsdl_import.hpp"

#include <fstream>
#include <list>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "xml_codec.hpp"

namespace lienthong::adapters::soap {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kWsdl = "http://schemas.xmlsoap.org/wsdl/";
constexpr std::string_view kWsdlSoap11 = "http://schemas.xmlsoap.org/wsdl/soap/";
constexpr std::string_view kWsdlSoap12 = "http://schemas.xmlsoap.org/wsdl/soap12/";
// Types nest deeper than this only by recursion; the walk stops there.
constexpr int kMaxDepth = 16;
constexpr int kMaxVisits = 20'000;

struct QName {
  std::string ns;
  std::string local;
  auto operator<=>(const QName&) const = default;
};

Error invalid(const std::string& why) {
  return make_error(ErrorCode::kClientInvalidInput, why);
}

bool is(const pugi::xml_node& node, std::string_view ns, std::string_view local) {
  return node.type() == pugi::node_element && local_name(node) == local && namespace_of(node) == ns;
}

// "p:name" as written at `where`, its prefix resolved there.
QName resolve(const pugi::xml_node& where, std::string_view written) {
  const auto [prefix, local] = split_qname(written);
  return {std::string(namespace_uri(where, prefix)), std::string(local)};
}

pugi::xml_node schema_of(pugi::xml_node node) {
  while (node && !is(node, kXsdNamespace, "schema"))
    node = node.parent();
  return node;
}

std::string target_namespace(const pugi::xml_node& node) {
  return schema_of(node).attribute("targetNamespace").value();
}

bool repeated(const pugi::xml_node& particle) {
  const std::string_view most = particle.attribute("maxOccurs").value();
  return most == "unbounded" || (!most.empty() && most != "0" && most != "1");
}

// An element a type holds: its name, the namespace it is written in ("" when
// unqualified), where it is declared, and whether it may repeat.
struct Child {
  std::string name;
  std::string ns;
  pugi::xml_node declaration;
  bool repeats = false;
};

// The WSDL, its local imports, and what they declare, by qualified name.
class Definitions {
 public:
  Status load(const fs::path& file) {
    std::error_code error;
    const auto canonical = fs::weakly_canonical(file, error);
    if (error || !loaded_.insert(canonical).second)
      return Ok{};
    std::ifstream in(canonical, std::ios::binary);
    if (!in)
      return invalid("cannot read " + canonical.string());
    std::ostringstream text;
    text << in.rdbuf();
    auto& document = documents_.emplace_back();
    if (auto parsed = parse_xml(document, text.str()); !parsed.has_value())
      return invalid(canonical.string() + ": " + parsed.error().detail);
    const auto root = document.document_element();
    if (is(root, kWsdl, "definitions"))
      return definitions(root, canonical.parent_path());
    if (is(root, kXsdNamespace, "schema"))
      return schema(root, canonical.parent_path());
    return invalid(canonical.string() + " is neither a WSDL 1.1 document nor an XML Schema");
  }

  pugi::xml_node find(const std::map<QName, pugi::xml_node>& in, const QName& name) const {
    const auto found = in.find(name);
    return found == in.end() ? pugi::xml_node() : found->second;
  }

  std::map<QName, pugi::xml_node> elements, types, messages, port_types;
  std::vector<pugi::xml_node> bindings, ports;
  std::vector<std::string> notes;

 private:
  Status definitions(const pugi::xml_node& root, const fs::path& base) {
    const std::string tns = root.attribute("targetNamespace").value();
    for (const auto& node : root.children()) {
      const QName name{tns, node.attribute("name").value()};
      if (is(node, kWsdl, "import")) {
        if (auto loaded = import(node.attribute("location").value(), base); !loaded.has_value())
          return loaded;
      } else if (is(node, kWsdl, "types")) {
        for (const auto& child : node.children()) {
          if (is(child, kXsdNamespace, "schema")) {
            if (auto read = schema(child, base); !read.has_value())
              return read;
          }
        }
      } else if (is(node, kWsdl, "message")) {
        messages[name] = node;
      } else if (is(node, kWsdl, "portType")) {
        port_types[name] = node;
      } else if (is(node, kWsdl, "binding")) {
        bindings.push_back(node);
      } else if (is(node, kWsdl, "service")) {
        for (const auto& port : node.children())
          if (is(port, kWsdl, "port"))
            ports.push_back(port);
      }
    }
    return Ok{};
  }

  Status schema(const pugi::xml_node& root, const fs::path& base) {
    const std::string tns = root.attribute("targetNamespace").value();
    for (const auto& node : root.children()) {
      if (is(node, kXsdNamespace, "import") || is(node, kXsdNamespace, "include")) {
        const std::string location = node.attribute("schemaLocation").value();
        if (location.empty())
          continue;  // a namespace the document defines elsewhere (inline schemas)
        if (auto loaded = import(location, base); !loaded.has_value())
          return loaded;
      } else if (is(node, kXsdNamespace, "element")) {
        elements[{tns, node.attribute("name").value()}] = node;
      } else if (is(node, kXsdNamespace, "complexType")) {
        types[{tns, node.attribute("name").value()}] = node;
      }
    }
    return Ok{};
  }

  Status import(const std::string& location, const fs::path& base) {
    if (location.find("://") != std::string::npos) {
      notes.push_back("not fetched (local files only): " + location);
      return Ok{};
    }
    return load(base / location);
  }

  std::list<pugi::xml_document> documents_;
  std::set<fs::path> loaded_;
};

class Proposer {
 public:
  explicit Proposer(const Definitions& definitions) : definitions_(definitions) {}

  // The elements `element` holds, in document order.
  std::vector<Child> children(const pugi::xml_node& element) {
    std::vector<Child> out;
    // Mutually recursive types branch on every path: the walk has a budget.
    if (++visits_ > kMaxVisits) {
      if (visits_ == kMaxVisits + 1)
        notes.push_back("the schema is too large to follow completely; check the lists by hand");
      return out;
    }
    if (const auto type = type_of(element))
      type_children(type, false, out, 0);
    return out;
  }

  std::vector<std::string> notes;

 private:
  pugi::xml_node type_of(const pugi::xml_node& element) {
    if (const auto inline_type = element.find_child(
            [](const pugi::xml_node& n) { return is(n, kXsdNamespace, "complexType"); }))
      return inline_type;
    const std::string_view written = element.attribute("type").value();
    if (written.empty())
      return {};
    const auto name = resolve(element, written);
    if (name.ns == kXsdNamespace)
      return {};  // a built-in simple type
    return definitions_.find(definitions_.types, name);
  }

  void type_children(const pugi::xml_node& type, bool repeats, std::vector<Child>& out, int depth) {
    if (depth > kMaxDepth)
      return;
    for (const auto& node : type.children()) {
      if (is(node, kXsdNamespace, "complexContent")) {
        for (const auto& derivation : node.children()) {
          const std::string_view base = derivation.attribute("base").value();
          if (!base.empty()) {  // the base type's elements come first
            if (const auto base_type =
                    definitions_.find(definitions_.types, resolve(derivation, base)))
              type_children(base_type, repeats, out, depth + 1);
          }
          type_children(derivation, repeats, out, depth + 1);
        }
      } else if (is(node, kXsdNamespace, "sequence") || is(node, kXsdNamespace, "choice") ||
                 is(node, kXsdNamespace, "all")) {
        type_children(node, repeats || repeated(node), out, depth + 1);
      } else if (is(node, kXsdNamespace, "element")) {
        out.push_back(child(node, repeats));
      } else if (is(node, kXsdNamespace, "group") || is(node, kXsdNamespace, "any")) {
        notes.push_back(std::string("xs:") + std::string(local_name(node)) + " in " +
                        named_ancestor(node) + " is not followed; check by hand");
      }
    }
  }

  Child child(const pugi::xml_node& particle, bool repeats) {
    Child out;
    out.repeats = repeats || repeated(particle);
    if (const std::string_view ref = particle.attribute("ref").value(); !ref.empty()) {
      const auto name = resolve(particle, ref);
      out.name = name.local;
      out.ns = name.ns;
      out.declaration = definitions_.find(definitions_.elements, name);
      return out;
    }
    out.name = particle.attribute("name").value();
    const auto schema = schema_of(particle);
    const std::string_view form = particle.attribute("form").value();
    const bool qualified =
        form.empty()
            ? std::string_view(schema.attribute("elementFormDefault").value()) == "qualified"
            : form == "qualified";
    out.ns = qualified ? target_namespace(particle) : "";
    out.declaration = particle;
    return out;
  }

  // The nearest enclosing declaration with a name, for notes.
  static std::string named_ancestor(pugi::xml_node node) {
    while (node && node.attribute("name").empty())
      node = node.parent();
    return node ? node.attribute("name").value() : "?";
  }

  const Definitions& definitions_;
  int visits_ = 0;
};

// The request element's child names in the order its sequences give, every
// level folded into one list (the binding's "order"), and those written in
// another namespace than the operation's.
void walk_request(Proposer& proposer, const pugi::xml_node& element, const std::string& ns,
                  json& order, json& namespaces, std::set<const void*>& seen, int depth) {
  if (depth > kMaxDepth || !element || !seen.insert(element.internal_object()).second)
    return;
  for (const auto& child : proposer.children(element)) {
    if (std::find(order.begin(), order.end(), child.name) == order.end())
      order.push_back(child.name);
    // Only where the namespace changes: what an element holds follows it.
    if (!child.ns.empty() && child.ns != ns)
      namespaces[child.name] = child.ns;
    walk_request(proposer, child.declaration, child.ns.empty() ? ns : child.ns, order, namespaces,
                 seen, depth + 1);
  }
  seen.erase(element.internal_object());
}

// The answer's lists as paths below the ...Response element.
void walk_answer(Proposer& proposer, const pugi::xml_node& element, const std::string& path,
                 json& arrays, std::set<const void*>& seen, int depth) {
  if (!element)
    return;
  if (depth > kMaxDepth || !seen.insert(element.internal_object()).second) {
    proposer.notes.push_back("a recursive type: lists below " + path +
                             " are not listed (declare deeper ones by hand)");
    return;
  }
  for (const auto& child : proposer.children(element)) {
    const auto child_path = path + "/" + child.name;
    if (child.repeats)
      arrays.push_back(child_path);
    walk_answer(proposer, child.declaration, child_path, arrays, seen, depth + 1);
  }
  seen.erase(element.internal_object());
}

}  // namespace

Result<json> import_wsdl(const fs::path& wsdl) {
  Definitions definitions;
  if (auto loaded = definitions.load(wsdl); !loaded.has_value())
    return std::move(loaded).error();
  if (definitions.bindings.empty() && definitions.port_types.empty())
    return invalid(wsdl.string() + " declares no WSDL 1.1 binding");

  json proposals = json::array();
  for (const auto& binding : definitions.bindings) {
    const auto soap = binding.find_child([](const pugi::xml_node& n) {
      return is(n, kWsdlSoap11, "binding") || is(n, kWsdlSoap12, "binding");
    });
    if (!soap)
      continue;  // an HTTP binding, say
    const bool soap12 = namespace_of(soap) == kWsdlSoap12;
    const std::string soap_ns(soap12 ? kWsdlSoap12 : kWsdlSoap11);
    const std::string binding_style = soap.attribute("style").value();
    const auto port_type = definitions.find(definitions.port_types,
                                            resolve(binding, binding.attribute("type").value()));
    const QName binding_name{binding.parent().attribute("targetNamespace").value(),
                             binding.attribute("name").value()};
    std::string address;
    for (const auto& port : definitions.ports) {
      if (resolve(port, port.attribute("binding").value()) == binding_name)
        address =
            port.find_child([&](const pugi::xml_node& n) { return is(n, soap_ns, "address"); })
                .attribute("location")
                .value();
    }

    for (const auto& operation : binding.children()) {
      if (!is(operation, kWsdl, "operation"))
        continue;
      Proposer proposer(definitions);
      json notes = json::array();
      for (const auto& note : definitions.notes)
        notes.push_back(note);
      const std::string name = operation.attribute("name").value();
      const auto soap_operation = operation.find_child(
          [&](const pugi::xml_node& n) { return is(n, soap_ns, "operation"); });
      const std::string style = soap_operation.attribute("style").empty()
                                    ? binding_style
                                    : soap_operation.attribute("style").value();
      if (style == "rpc")
        notes.push_back("rpc style: the adapter sends document/literal wrapped requests");
      for (const auto& body : operation.select_nodes(".//*[local-name()='body']")) {
        if (std::string_view(body.node().attribute("use").value()) == "encoded")
          notes.push_back("SOAP encoding (use=\"encoded\"): multiRef answers are refused");
      }

      // The messages of the portType's operation of the same name.
      pugi::xml_node abstract;
      for (const auto& candidate : port_type.children())
        if (is(candidate, kWsdl, "operation") && name == candidate.attribute("name").value())
          abstract = candidate;
      std::vector<std::string> input_parts;
      const auto part_element = [&](std::string_view direction) -> pugi::xml_node {
        const auto io =
            abstract.find_child([&](const pugi::xml_node& n) { return is(n, kWsdl, direction); });
        const auto message =
            definitions.find(definitions.messages, resolve(io, io.attribute("message").value()));
        const auto part =
            message.find_child([](const pugi::xml_node& n) { return is(n, kWsdl, "part"); });
        for (const auto& each : message.children()) {
          if (direction == "input" && is(each, kWsdl, "part"))
            input_parts.emplace_back(each.attribute("name").value());
        }
        const std::string_view element = part.attribute("element").value();
        if (part && element.empty())
          notes.push_back(std::string(direction) + " part " + part.attribute("name").value() +
                          " has a type, not an element (rpc): check the binding by hand");
        return element.empty() ? pugi::xml_node()
                               : definitions.find(definitions.elements, resolve(part, element));
      };
      const auto request = part_element("input");
      const auto answer = part_element("output");

      json binding_json{{"version", soap12 ? "1.2" : "1.1"}};
      if (request) {
        const auto request_ns = target_namespace(request);
        binding_json["namespace"] = request_ns;
        binding_json["operation"] = request.attribute("name").value();
        const auto type_schema = schema_of(request);
        binding_json["elements"] =
            std::string_view(type_schema.attribute("elementFormDefault").value()) == "qualified"
                ? "qualified"
                : "unqualified";
        json order = json::array();
        json namespaces = json::object();
        std::set<const void*> seen;
        walk_request(proposer, request, request_ns, order, namespaces, seen, 0);
        if (!order.empty())
          binding_json["order"] = std::move(order);
        if (!namespaces.empty())
          binding_json["namespaces"] = std::move(namespaces);
      } else if (style == "rpc") {
        // The rpc wrapper is the operation, in the input body's namespace;
        // its children are the message's parts.
        for (const auto& input : operation.children()) {
          for (const auto& soap_body : input.children())
            if (is(input, kWsdl, "input") && is(soap_body, soap_ns, "body"))
              binding_json["namespace"] = soap_body.attribute("namespace").value();
        }
        binding_json["operation"] = name;
        binding_json["elements"] = "unqualified";
        if (!input_parts.empty())
          binding_json["order"] = input_parts;
      } else {
        notes.push_back("the request element was not found: namespace and operation missing");
      }
      if (const std::string action = soap_operation.attribute("soapAction").value();
          !action.empty())
        binding_json["action"] = action;
      if (answer) {
        json arrays = json::array();
        std::set<const void*> seen;
        walk_answer(proposer, answer, "", arrays, seen, 0);
        if (!arrays.empty())
          binding_json["arrays"] = std::move(arrays);
      }
      for (const auto& note : proposer.notes)
        notes.push_back(note);
      json unique = json::array();
      for (auto& note : notes)
        if (std::find(unique.begin(), unique.end(), note) == unique.end())
          unique.push_back(std::move(note));
      notes = std::move(unique);
      proposals.push_back({{"binding", binding.attribute("name").value()},
                           {"operation", name},
                           {"address", address},
                           {"adapter_config", {{"soap", std::move(binding_json)}}},
                           {"notes", std::move(notes)}});
    }
  }
  return proposals;
}

}  // namespace lienthong::adapters::soap
