// The bytes the audit chain hashes. Records that stayed on one hub keep the
// v1 encoding they always had (chains written before federation must still
// verify); a record that crossed a peer hub is v2 and its peer fields are
// covered like every other field.
#include <gtest/gtest.h>

#include "lienthong/audit/audit_chain.hpp"

namespace lienthong::audit {
namespace {

AuditRecord small_record() {
  AuditRecord r;
  r.node = "n1";
  r.request_id = "r";
  r.method = "GET";
  r.path = "/";
  r.status = 200;
  r.received_at = from_micros(1'000'000);
  r.responded_at = from_micros(1'000'007);
  return r;
}

TEST(CanonicalEncoding, ALocalRecordKeepsTheV1Bytes) {
  // Written out once by hand: any change here breaks every stored chain.
  EXPECT_EQ(canonical_encoding(7, small_record()),
            "lienthong-audit-v11:72:n10:1:r0:0:0:0:0:3:GET1:/0:0:0:0:3:2000:1:01:00:0:"
            "7:1000000~~7:1000007");
  EXPECT_FALSE(crossed_a_peer(small_record()));
}

TEST(CanonicalEncoding, ARecordThatCrossedAPeerIsV2AndCoversItsPeerFields) {
  AuditRecord crossed = small_record();
  crossed.upstream_instance = "VN-HN";
  EXPECT_TRUE(crossed_a_peer(crossed));
  EXPECT_EQ(canonical_encoding(7, crossed),
            "lienthong-audit-v21:72:n10:1:r0:0:0:0:0:3:GET1:/0:0:0:0:3:2000:1:01:00:0:"
            "7:1000000~~7:10000075:VN-HN0:0:0:0:0:");
  const std::string base = chain_hash(kGenesisHash, 7, crossed);
  for (std::size_t i = 0; i < kPeerColumns.size(); ++i) {
    AuditRecord changed = crossed;
    *peer_fields(changed)[i] += "x";
    EXPECT_NE(chain_hash(kGenesisHash, 7, changed), base) << kPeerColumns[i];
  }
  // Length-prefixed: moving a byte from one peer field to the next is a change.
  AuditRecord shifted = crossed;
  shifted.upstream_instance = "VN-H";
  shifted.upstream_assertion = "N";
  EXPECT_NE(chain_hash(kGenesisHash, 7, shifted), base);
}

TEST(CanonicalEncoding, IsReadBackExactlyAndNothingElseIs) {
  AuditRecord full = small_record();
  full.message_id = "m:1";  // a colon inside a field
  full.user_id = std::string("a\0b", 3);
  full.provider_called_at = from_micros(1'000'002);
  full.request_sha256 = std::string(64, 'a');
  for (const AuditRecord& record : {small_record(), full}) {
    for (bool crossed : {false, true}) {
      AuditRecord r = record;
      if (crossed)
        r.downstream_instance = "VN-HN";
      const auto encoding = canonical_encoding(42, r);
      const auto decoded = decode_canonical_encoding(encoding);
      ASSERT_TRUE(decoded.has_value()) << encoding;
      EXPECT_EQ(decoded->first, 42);
      EXPECT_EQ(canonical_encoding(decoded->first, decoded->second), encoding);
      EXPECT_EQ(decoded->second.user_id, r.user_id);
      EXPECT_EQ(decoded->second.downstream_instance, r.downstream_instance);
      EXPECT_FALSE(decode_canonical_encoding(encoding + "x").has_value());
      EXPECT_FALSE(decode_canonical_encoding(encoding.substr(0, encoding.size() - 1)).has_value());
    }
  }
  const auto v1 = canonical_encoding(7, small_record());
  EXPECT_FALSE(decode_canonical_encoding("lienthong-audit-v2" + v1.substr(18)).has_value())
      << "a v2 tag on a record that crossed no peer";
  EXPECT_FALSE(decode_canonical_encoding("lienthong-audit-v101:7" + v1.substr(21)).has_value())
      << "a leading zero";
  EXPECT_FALSE(decode_canonical_encoding("").has_value());
  // A time no clock holds (read from a changed evidence file) is refused,
  // not converted: the conversion to nanoseconds would overflow (UBSan).
  std::string far = v1;
  far.replace(far.find("7:1000000~"), 9, "17:17965961904497901");
  EXPECT_FALSE(decode_canonical_encoding(far).has_value()) << far;
}

}  // namespace
}  // namespace lienthong::audit
