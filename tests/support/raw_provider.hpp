#pragma once
// A provider that misbehaves below HTTP, on raw loopback TCP: it can break
// an answer halfway with a reset, hang up without answering, or stream a
// body larger than any limit. Each request it reads takes the next step of
// its script (the last step repeats; set_script starts a new one); every answer closes the
// connection, so one thread serves them in turn.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lienthong::testing {

class RawProvider {
 public:
  enum class Step {
    kAnswer,              // 200 {"ok":true}
    kServerError,         // 500 {"error":"database down"}
    kResetMidResponse,    // headers and part of the body, then a TCP reset
    kCloseWithoutAnswer,  // reads the request, then closes cleanly
    kOversized,           // 200 with a chunked body that never stops (up to 64 MiB)
  };

  explicit RawProvider(std::vector<Step> script);
  ~RawProvider();
  RawProvider(const RawProvider&) = delete;
  RawProvider& operator=(const RawProvider&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_script(std::vector<Step> script);
  // The method of each request read so far, in order.
  std::vector<std::string> methods() const;
  int requests() const;

 private:
  void serve();
  void serve_connection(int fd);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<Step> script_;
  std::size_t position_ = 0;  // next step of the script
  std::vector<std::string> methods_;
  std::thread thread_;
};

}  // namespace lienthong::testing
