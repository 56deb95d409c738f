#include "lienthong/adapters/standard_request.hpp"

#include "lienthong/net/header_text.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::adapters {

net::HttpRequest standard_request(const registry::ServiceEntry& service,
                                  const MessageContext& context, std::string body) {
  net::HttpRequest call;
  call.method = "POST";
  call.target = service.provider->endpoint->base_path + service.provider_path;
  call.headers = {{"Content-Type", "application/json"},
                  {"Accept", "application/json"},
                  {"X-Lienthong-Message-Id", context.message_id},
                  {"X-Lienthong-Request-Id", context.request_id},
                  {"X-Lienthong-Client", context.consumer},
                  {"X-Lienthong-Service", service.key}};
  // People's text (Vietnamese) in RFC 8187 form, so Latin-1 readers keep it intact.
  if (!context.user_id.empty())
    call.headers.push_back({"X-Lienthong-User-Id", net::encode_header_text(context.user_id)});
  if (!context.purpose.empty())
    call.headers.push_back({"X-Lienthong-Purpose", net::encode_header_text(context.purpose)});
  call.body = std::move(body);
  return call;
}

}  // namespace lienthong::adapters
