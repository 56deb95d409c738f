#include "claims_registry.hpp"

#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "lienthong/core/timestamp.hpp"

#include "synthetic.hpp"

namespace lienthong::demo::detail {
namespace {

using nlohmann::json;

constexpr std::string_view kPath = "/giam-dinh/ho-so";

net::HttpResponse error(int status, const std::string& reason) {
  return net::HttpResponse::with_body(status, json{{"error", reason}}.dump());
}

}  // namespace

ClaimsRegistry::ClaimsRegistry(std::filesystem::path journal) : journal_(std::move(journal)) {
  if (journal_.empty())
    return;
  load_journal();
  journal_fd_ = ::open(journal_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (journal_fd_ < 0)
    throw std::runtime_error("cannot open the claims journal " + journal_.string());
}

ClaimsRegistry::~ClaimsRegistry() {
  if (journal_fd_ >= 0)
    ::close(journal_fd_);
}

void ClaimsRegistry::load_journal() {
  std::ifstream in(journal_);
  std::string line;
  while (std::getline(in, line)) {
    const auto entry = json::parse(line, nullptr, false);
    if (entry.is_object() && entry.contains("key") && entry.contains("receipt"))
      receipts_[entry["key"].get<std::string>()] = entry["receipt"].get<std::string>();
    // A torn last line (the process was killed mid-write) was never answered: the
    // hub delivers that claim again.
  }
}

boost::asio::awaitable<net::HttpResponse> ClaimsRegistry::handle(net::HttpRequest request) {
  co_return answer(request);
}

boost::asio::awaitable<net::HttpResponse> ClaimsRegistry::reject(net::HttpRequest, Error e) {
  co_return error(e.http_status(), e.detail);
}

net::HttpResponse ClaimsRegistry::answer(const net::HttpRequest& request) {
  if (request.path() != kPath)
    return error(404, "no such endpoint");
  if (request.method != "POST")
    return error(405, "use POST");
  const auto claim = json::parse(request.body, nullptr, false);
  if (!claim.is_object() || !claim.contains("facilityCode") || !claim["facilityCode"].is_string() ||
      !claim.contains("claimNumber") || !claim["claimNumber"].is_string() ||
      !claim.contains("totalCostVnd") || !claim["totalCostVnd"].is_number_integer())
    return error(400, "a claim needs facilityCode, claimNumber and totalCostVnd");
  const std::string key =
      claim["facilityCode"].get<std::string>() + "/" + claim["claimNumber"].get<std::string>();

  std::lock_guard lock(mutex_);
  int status = 200;
  auto found = receipts_.find(key);
  if (found == receipts_.end()) {
    const std::string receipt = "GD-" + padded(receipts_.size() + 1, 9);
    if (journal_fd_ >= 0) {
      const std::string line = json{{"key", key},
                                    {"receipt", receipt},
                                    {"message_id", request.header("X-Lienthong-Message-Id")},
                                    {"received_at", to_rfc3339(request.received_at)}}
                                   .dump() +
                               "\n";
      if (::write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        return error(503, "the claims journal cannot be written");
    }
    found = receipts_.emplace(key, receipt).first;
    status = 201;
  }
  return net::HttpResponse::with_body(status, json{{"receiptNumber", found->second},
                                                   {"claimNumber", claim["claimNumber"]},
                                                   {"facilityCode", claim["facilityCode"]},
                                                   {"status", "received"}}
                                                  .dump());
}

}  // namespace lienthong::demo::detail
