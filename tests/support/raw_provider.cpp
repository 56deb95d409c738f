#include "raw_provider.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace lienthong::testing {
namespace {

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string response(int status, std::string_view body) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Internal Server Error") +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + std::string(body);
}

// Reads one request's head and body (by Content-Length); its method, or
// empty when the peer sent no complete request within 2 s.
std::string read_request(int fd) {
  std::string data;
  char buffer[4096];
  std::size_t head_end = std::string::npos;
  std::size_t wanted = 0;
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::string head = data.substr(0, head_end);
        std::transform(head.begin(), head.end(), head.begin(), ::tolower);
        const auto length = head.find("content-length:");
        wanted =
            head_end + 4 + (length == std::string::npos ? 0 : std::stoul(head.substr(length + 15)));
      }
    }
    if (head_end != std::string::npos && data.size() >= wanted)
      return data.substr(0, data.find(' '));
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, 2'000) <= 0)
      return "";
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      return "";
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

RawProvider::RawProvider(std::vector<Step> script) : script_(std::move(script)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("raw provider: cannot listen on loopback");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

RawProvider::~RawProvider() {
  stopping_ = true;
  thread_.join();
  ::close(listener_);
}

void RawProvider::set_script(std::vector<Step> script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
  position_ = 0;
}

std::vector<std::string> RawProvider::methods() const {
  std::lock_guard lock(mutex_);
  return methods_;
}

int RawProvider::requests() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(methods_.size());
}

void RawProvider::serve() {
  while (!stopping_) {
    pollfd incoming{listener_, POLLIN, 0};
    if (::poll(&incoming, 1, 50) <= 0)
      continue;
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0)
      continue;
    serve_connection(fd);
  }
}

void RawProvider::serve_connection(int fd) {
  const std::string method = read_request(fd);
  if (method.empty()) {
    ::close(fd);
    return;
  }
  Step step;
  {
    std::lock_guard lock(mutex_);
    step = script_.empty() ? Step::kAnswer : script_[std::min(position_++, script_.size() - 1)];
    methods_.push_back(method);
  }
  switch (step) {
    case Step::kAnswer:
      send_all(fd, response(200, R"({"ok":true})"));
      break;
    case Step::kServerError:
      send_all(fd, response(500, R"({"error":"database down"})"));
      break;
    case Step::kResetMidResponse: {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000"
               "\r\n\r\n{\"partial\":");
      const linger reset{1, 0};  // close with RST instead of FIN
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      break;
    }
    case Step::kCloseWithoutAnswer:
      break;
    case Step::kOversized: {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n");
      const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
      for (int i = 0; i < 1024 && !stopping_ && send_all(fd, chunk); ++i) {
      }
      break;
    }
  }
  ::close(fd);
}

}  // namespace lienthong::testing
