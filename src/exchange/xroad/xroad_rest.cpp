#include "xroad_rest.hpp"

#include <array>

#include <boost/beast/core/string.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/json_text.hpp"

namespace lienthong::exchange::xroad {
namespace {

// Splits on '/' and percent-decodes each part; nullopt if any is not an
// identifier part after decoding.
std::optional<std::vector<std::string>> identifier_parts(std::string_view text, std::size_t count) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() < count) {
    const auto slash = text.find('/', start);
    const auto raw =
        text.substr(start, slash == std::string_view::npos ? text.npos : slash - start);
    const auto encoded = boost::urls::make_pct_string_view(raw);
    if (!encoded.has_value())
      return std::nullopt;
    const boost::urls::decode_view decoded = **encoded;
    std::string part(decoded.begin(), decoded.end());
    if (!is_identifier_part(part))
      return std::nullopt;
    parts.push_back(std::move(part));
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  if (parts.size() != count)
    return std::nullopt;
  return parts;
}

}  // namespace

Result<RestTarget> parse_target(std::string_view target) {
  if (target.size() > 2000)
    return make_error(ErrorCode::kClientBadRequest, "the request target is longer than 2000 bytes");
  RestTarget parsed;
  if (const auto question = target.find('?'); question != std::string_view::npos) {
    parsed.query = std::string(target.substr(question + 1));
    target = target.substr(0, question);
  }
  target.remove_prefix(kPrefix.size());
  // instance/class/member/system/service, then the optional path: the fifth
  // slash, if any, starts the path.
  std::size_t end = std::string_view::npos;
  for (std::size_t from = 0, slashes = 0; slashes < 5; ++slashes) {
    end = target.find('/', from);
    if (end == std::string_view::npos)
      break;
    from = end + 1;
  }
  const auto service_part = target.substr(0, end);
  auto parts = identifier_parts(service_part, 5);
  if (!parts || !is_member_class((*parts)[1])) {
    return make_error(ErrorCode::kClientBadRequest,
                      "expected /r1/INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE[/path], each part "
                      "[A-Za-z0-9._-], CLASS one of GOV, PROV, ORG, COM");
  }
  parsed.provider = SystemId{(*parts)[0], (*parts)[1], (*parts)[2], (*parts)[3]};
  parsed.service_code = (*parts)[4];
  if (end != std::string_view::npos)
    parsed.path = std::string(target.substr(end));
  if (parsed.path.find("/../") != std::string::npos || parsed.path.ends_with("/..") ||
      parsed.path.find("%2e%2e") != std::string::npos ||
      parsed.path.find("%2E%2E") != std::string::npos) {
    return make_error(ErrorCode::kClientBadRequest, "the path may not climb with '..'");
  }
  return parsed;
}

Result<SystemId> parse_client(std::string_view header) {
  auto parts = identifier_parts(header, 4);
  if (!parts || !is_member_class((*parts)[1])) {
    return make_error(ErrorCode::kClientBadRequest,
                      "X-Road-Client must be INSTANCE/CLASS/MEMBER/SYSTEM (percent-encoded)");
  }
  return SystemId{(*parts)[0], (*parts)[1], (*parts)[2], (*parts)[3]};
}

bool is_filtered_header(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kFiltered{
      "connection",          "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te",         "trailer",
      "transfer-encoding",   "upgrade",    "host",
      "user-agent",          "server",     "content-length",
      "authorization",       "expect",     "x-road-request-hash",
      "x-road-error"};
  for (const auto filtered : kFiltered) {
    if (boost::beast::iequals(name, filtered))
      return true;
  }
  // The hub's own headers, and those of a hop between hubs (an assertion, a
  // receipt): only a hub sets them, never a caller or a provider.
  return (name.size() >= 12 && boost::beast::iequals(name.substr(0, 12), "x-lienthong-")) ||
         (name.size() >= 10 && boost::beast::iequals(name.substr(0, 10), "lienthong-"));
}

std::string request_hash(const net::HttpRequest& request) {
  // The request line first, as X-Road's security server hashes it: two calls
  // that differ only in method, path or query (?id=1, ?id=2) differ here.
  std::string headers = request.method + " " + request.target + "\r\n";
  for (const auto& header : request.headers)
    headers += header.name + ": " + header.value + "\r\n";
  if (request.body.empty())
    return base64_encode(sha512(headers));
  return base64_encode(sha512(sha512(headers) + sha512(request.body)));
}

net::HttpResponse error_response(const Error& error, const std::string& request_id) {
  const std::string type(error.code_name());
  nlohmann::json body{{"type", type}, {"message", error.detail}, {"detail", request_id}};
  if (!error.fields.empty()) {
    for (const auto& field : error.fields)
      body["errors"].push_back({{"pointer", field.pointer}, {"detail", field.detail}});
  }
  auto response = net::HttpResponse::with_body(error.http_status(), to_json_text(body),
                                               "application/json; charset=utf-8");
  response.headers.push_back({"X-Road-Error", type});
  response.headers.push_back({"X-Road-Request-Id", request_id});
  return response;
}

}  // namespace lienthong::exchange::xroad
