#pragma once
// Private to demo/: the social-insurance agency's claims system, the provider
// behind the asynchronous health-insurance claim service.

#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>

#include "lienthong/net/http_handler.hpp"

namespace lienthong::demo::detail {

// POST /giam-dinh/ho-so with a claim: answers 201 with a receipt the first
// time a clinic's claim number arrives, and 200 with the same receipt when it
// arrives again (a redelivery after a lost answer), so a claim takes effect
// once however often the hub delivers it. With a journal file, accepted
// claims survive a restart (a line each, written before the answer).
class ClaimsRegistry final : public net::HttpHandler {
 public:
  explicit ClaimsRegistry(std::filesystem::path journal);
  ~ClaimsRegistry() override;
  ClaimsRegistry(const ClaimsRegistry&) = delete;
  ClaimsRegistry& operator=(const ClaimsRegistry&) = delete;

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest request, Error error) override;

 private:
  net::HttpResponse answer(const net::HttpRequest& request);
  void load_journal();

  std::filesystem::path journal_;
  int journal_fd_ = -1;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> receipts_;  // facility/claim number -> receipt
};

}  // namespace lienthong::demo::detail
