#include "lienthong/policy/agreement_check.hpp"

#include <algorithm>

namespace lienthong::policy {
namespace {

// The next segment of `path` (without its leading '/'), consumed from it.
std::string_view next_segment(std::string_view& path) {
  if (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  const auto slash = path.find('/');
  const auto segment = path.substr(0, slash);
  path.remove_prefix(slash == std::string_view::npos ? path.size() : slash);
  return segment;
}

bool allows(const registry::AgreementEntry& agreement, const Operation& operation) {
  const auto& methods = agreement.allowed_methods;
  if (!methods.empty() &&
      std::find(methods.begin(), methods.end(), operation.method) == methods.end())
    return false;
  if (agreement.path_patterns.empty())
    return true;
  return std::any_of(
      agreement.path_patterns.begin(), agreement.path_patterns.end(),
      [&](const std::string& pattern) { return path_matches(pattern, operation.path); });
}

}  // namespace

bool path_matches(std::string_view pattern, std::string_view path) {
  while (true) {
    if (pattern.empty() || pattern == "/")
      return path.empty() || path == "/";
    const auto want = next_segment(pattern);
    if (want == "**" && pattern.empty())
      return true;
    if (path.empty())
      return false;
    const auto have = next_segment(path);
    if (want != "*" && want != have)
      return false;
  }
}

Result<const registry::AgreementEntry*> find_agreement(const registry::Snapshot& snapshot,
                                                       const registry::SystemEntry& consumer,
                                                       const registry::ServiceEntry& service,
                                                       std::string_view version,
                                                       std::chrono::system_clock::time_point now,
                                                       const std::optional<Operation>& operation) {
  bool covered_at_other_times = false;
  bool valid_but_not_this_operation = false;
  for (const registry::AgreementEntry* agreement : snapshot.agreements(consumer, service)) {
    if (!agreement->covers_version(version))
      continue;
    if (!agreement->valid_at(now)) {
      covered_at_other_times = true;
    } else if (operation && !allows(*agreement, *operation)) {
      valid_but_not_this_operation = true;
    } else {
      return agreement;
    }
  }
  if (valid_but_not_this_operation) {
    return make_error(ErrorCode::kClientOperationNotAllowed,
                      "the agreement does not allow " + std::string(operation->method) + " " +
                          (operation->path.empty() ? "/" : std::string(operation->path)));
  }
  if (covered_at_other_times) {
    return make_error(ErrorCode::kClientAgreementExpired, "the agreement between " + consumer.key +
                                                              " and " + service.key +
                                                              " is not valid at this time");
  }
  return make_error(ErrorCode::kClientNoAgreement,
                    "no approved agreement allows " + consumer.key + " to call " + service.key);
}

}  // namespace lienthong::policy
