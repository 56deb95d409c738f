#include "lienthong/policy/agreement_check.hpp"

namespace lienthong::policy {

Result<const registry::AgreementEntry*> find_agreement(const registry::Snapshot& snapshot,
                                                       const registry::SystemEntry& consumer,
                                                       const registry::ServiceEntry& service,
                                                       std::string_view version,
                                                       std::chrono::system_clock::time_point now) {
  bool covered_at_other_times = false;
  for (const registry::AgreementEntry* agreement : snapshot.agreements(consumer, service)) {
    if (!agreement->covers_version(version))
      continue;
    if (agreement->valid_at(now))
      return agreement;
    covered_at_other_times = true;
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
