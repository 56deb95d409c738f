#pragma once
// Errors on the request path are values: an Error carries a stable code that
// callers and auditors can rely on, plus a human-readable detail.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lienthong {

// Stable error codes. `Client.*` is the caller's fault, `Server.*` the hub's,
// `Provider.*` the provider's. The spelling and HTTP status of each code live
// in exactly one table (error.cpp); never compare the strings elsewhere.
enum class ErrorCode {
  kClientBadRequest,
  kClientBadEnvelope,
  kClientUnauthenticated,
  kClientSenderMismatch,
  kClientUnknownService,
  kClientNotFound,
  kClientMethodNotAllowed,
  kClientPayloadTooLarge,
  kClientHeadersTooLarge,
  kClientUnsupportedMediaType,
  kClientInvalidInput,
  kClientAdminUnauthenticated,
  kClientForbidden,
  kClientConflict,
  kClientPreconditionFailed,
  kClientPreconditionRequired,
  kClientNoAgreement,
  kClientAgreementExpired,
  kClientPurposeRequired,
  kClientOperationNotAllowed,
  kClientSchemaViolation,
  kClientRateLimited,
  kClientQuotaExceeded,
  kClientConcurrencyLimit,
  kClientRequestTimeout,
  kClientMappingFailed,
  kServerInternal,
  kServerAuditUnavailable,
  kServerRegistryUnavailable,
  kServerQueueUnavailable,
  kServerCredentialsUnavailable,
  kServerLimitsUnavailable,
  kProviderUnreachable,
  kProviderTimeout,
  kProviderBadResponse,
  kProviderError,
  kProviderSchemaViolation,
  kProviderMappingFailed,
  kProviderFault,
  kProviderUnavailable,
};

struct ErrorInfo {
  std::string_view code;   // e.g. "Client.BadEnvelope"
  int http_status;         // e.g. 400
  std::string_view title;  // short, constant summary of the problem type
};

const ErrorInfo& describe(ErrorCode code);

// One invalid input field: where (a JSON pointer or a parameter name) and why.
struct FieldError {
  std::string pointer;
  std::string detail;
};

struct Error {
  ErrorCode code;
  std::string detail;                   // safe to show the caller: never another system's internals
  std::vector<FieldError> fields = {};  // for validation failures, at most a bounded few
  // When trying again may succeed, and after how long: sent as Retry-After
  // with a 429 or 503 (a rate limit, an open circuit breaker).
  std::optional<int> retry_after_seconds = std::nullopt;

  std::string_view code_name() const { return describe(code).code; }
  int http_status() const { return describe(code).http_status; }
};

inline Error make_error(ErrorCode code, std::string detail) {
  return Error{code, std::move(detail)};
}

}  // namespace lienthong
