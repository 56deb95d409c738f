#include "peer_answer.hpp"

#include <nlohmann/json.hpp>

#include "lienthong/core/error.hpp"
#include "lienthong/core/json_parse.hpp"
#include "lienthong/core/json_text.hpp"

namespace lienthong::delivery {

PeerAnswer read_peer_answer(const net::HttpResponse& response, int max_json_depth) {
  PeerAnswer answer;
  answer.status = response.status;
  if (response.status == 202) {
    answer.delivered = true;
    answer.body = response.body;
    return answer;
  }
  const auto reading = parse_json(response.body, max_json_depth);
  const nlohmann::json* document =
      reading.document && reading.document->is_object() ? &*reading.document : nullptr;
  const auto text_of = [document](const char* name) -> std::string {
    if (document == nullptr)
      return {};
    const auto found = document->find(name);
    return found != document->end() && found->is_string() ? found->get<std::string>() : "";
  };
  if (response.status >= 200 && response.status < 300) {
    if (document != nullptr && document->contains("body")) {
      answer.delivered = true;
      answer.body = to_json_text((*document)["body"]);
      return answer;
    }
    const Error bad = make_error(ErrorCode::kProviderBadResponse, "");
    answer.status = bad.http_status();
    answer.code = std::string(bad.code_name());
    answer.detail =
        "the peer hub answered " + std::to_string(response.status) + " without an envelope";
    answer.retry = true;
    return answer;
  }
  answer.code = text_of("code");
  if (answer.code.empty() || answer.code.size() > 64)
    answer.code = std::string(make_error(ErrorCode::kProviderError, "").code_name());
  answer.detail = "the peer hub answered " + std::to_string(response.status) + ": " +
                  text_of("detail").substr(0, 1000);
  answer.retry = response.status == 429 || response.status >= 500;
  return answer;
}

}  // namespace lienthong::delivery
