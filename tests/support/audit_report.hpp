#pragma once
// Finding one chain in a verification report: every report also lists the
// admin-change chain, whose genesis a running node always signs.

#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lienthong/audit/audit_verifier.hpp"

namespace lienthong::testing {

inline const audit::ChainReport& chain_named(const audit::VerifyReport& report,
                                             std::string_view node) {
  for (const auto& chain : report.chains) {
    if (chain.node == node)
      return chain;
  }
  ADD_FAILURE() << "no chain of " << node << " in " << audit::report_json(report).dump(2);
  static const audit::ChainReport kNone;
  return kNone;
}

}  // namespace lienthong::testing
