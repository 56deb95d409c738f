#pragma once
// The demo's Time-Stamping Authority over HTTP (RFC 3161 3.4): POST a DER
// TimeStampReq as application/timestamp-query, get the TimeStampResp as
// application/timestamp-reply. `lienthong-demo tsa` serves it for the demo;
// tests run it in-process. Not for production (timestamp_authority.hpp).

#include <atomic>
#include <memory>

#include "lienthong/audit/timestamp_authority.hpp"
#include "lienthong/net/http_handler.hpp"

namespace lienthong::demo {

// `available`: while false (tests stop the authority without closing its
// port), every request is answered 503.
std::shared_ptr<net::HttpHandler> make_timestamp_service(
    std::shared_ptr<const audit::TimestampAuthority> authority,
    std::shared_ptr<const std::atomic<bool>> available = nullptr);

}  // namespace lienthong::demo
