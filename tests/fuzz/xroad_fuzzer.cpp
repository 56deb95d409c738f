// libFuzzer target: an X-Road REST (r1) request target, X-Road-Client header
// and the request hash over method, target and body. Input: target, NUL,
// client header, NUL, body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xroad_rest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace xroad = lienthong::exchange::xroad;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\0');
  const auto target = input.substr(0, first);
  std::string_view client, body;
  if (first != std::string_view::npos) {
    const auto rest = input.substr(first + 1);
    const auto second = rest.find('\0');
    client = rest.substr(0, second);
    if (second != std::string_view::npos)
      body = rest.substr(second + 1);
  }
  std::string full_target = "/r1/";
  full_target += target;
  (void)xroad::parse_target(full_target);
  (void)xroad::parse_client(client);
  lienthong::net::HttpRequest request;
  request.method = "POST";
  request.target = full_target;
  request.body = std::string(body);
  (void)xroad::request_hash(request);
  return 0;
}
