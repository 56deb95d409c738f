#include "lienthong/net/http_fields.hpp"

#include <string>

namespace lienthong::net {
namespace {

// RFC 9110 §5.6.2: tchar.
bool is_token_char(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  if (text.empty())
    return false;
  for (const char c : text) {
    if (!is_token_char(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

Error unsendable(std::string what) {
  return make_error(ErrorCode::kClientBadRequest,
                    std::move(what) +
                        " holds a character HTTP does not allow there "
                        "(a control character such as CR, LF or NUL)");
}

}  // namespace

bool is_field_name(std::string_view name) {
  return is_token(name);
}

bool is_field_value(std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f)
      return false;
  }
  return true;
}

bool is_request_target(std::string_view target) {
  if (target.empty())
    return false;
  for (const char c : target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f)
      return false;
  }
  return true;
}

Status check_fields(const std::vector<Header>& headers) {
  for (const auto& header : headers) {
    if (!is_field_name(header.name)) {
      // The name may itself be the injected text: show only its safe prefix.
      std::string shown;
      for (const char c : header.name) {
        if (!is_token_char(static_cast<unsigned char>(c)))
          break;
        shown.push_back(c);
      }
      return unsendable("a header name beginning '" + shown + "'");
    }
    if (!is_field_value(header.value))
      return unsendable("the value of header " + header.name);
  }
  return Ok{};
}

Status check_outgoing_request(const HttpRequest& request) {
  if (!is_token(request.method))
    return unsendable("the request method");
  if (!is_request_target(request.target))
    return unsendable("the request target");
  return check_fields(request.headers);
}

}  // namespace lienthong::net
