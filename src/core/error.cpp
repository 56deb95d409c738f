#include "lienthong/core/error.hpp"

#include <array>
#include <cstddef>

namespace lienthong {
namespace {

struct Entry {
  ErrorCode code;
  ErrorInfo info;
};

// The one place that maps a code to its name and HTTP status.
constexpr std::array kErrors{
    Entry{ErrorCode::kClientBadRequest, {"Client.BadRequest", 400, "Bad request"}},
    Entry{ErrorCode::kClientBadEnvelope, {"Client.BadEnvelope", 400, "Invalid message envelope"}},
    Entry{ErrorCode::kClientUnauthenticated,
          {"Client.Unauthenticated", 401, "Caller is not authenticated"}},
    Entry{ErrorCode::kClientSenderMismatch,
          {"Client.SenderMismatch", 403, "Sender does not match the authenticated system"}},
    Entry{ErrorCode::kClientUnknownService, {"Client.UnknownService", 404, "Unknown service"}},
    Entry{ErrorCode::kClientNotFound, {"Client.NotFound", 404, "No such resource"}},
    Entry{ErrorCode::kClientMethodNotAllowed,
          {"Client.MethodNotAllowed", 405, "Method not allowed"}},
    Entry{ErrorCode::kClientPayloadTooLarge,
          {"Client.PayloadTooLarge", 413, "Request is too large"}},
    Entry{ErrorCode::kClientHeadersTooLarge,
          {"Client.HeadersTooLarge", 431, "Request headers are too large"}},
    Entry{ErrorCode::kClientUnsupportedMediaType,
          {"Client.UnsupportedMediaType", 415, "Unsupported media type"}},
    Entry{ErrorCode::kClientInvalidInput, {"Client.InvalidInput", 400, "Invalid input"}},
    Entry{ErrorCode::kClientAdminUnauthenticated,
          {"Client.AdminUnauthenticated", 401, "A valid admin bearer token is required"}},
    Entry{ErrorCode::kClientForbidden,
          {"Client.Forbidden", 403, "Not allowed for this token's role or member"}},
    Entry{ErrorCode::kClientConflict,
          {"Client.Conflict", 409, "Conflicts with the current state of the registry"}},
    Entry{ErrorCode::kClientPreconditionFailed,
          {"Client.PreconditionFailed", 412, "The resource was changed by someone else"}},
    Entry{ErrorCode::kClientPreconditionRequired,
          {"Client.PreconditionRequired", 428, "Send If-Match with the resource's ETag"}},
    Entry{ErrorCode::kClientNoAgreement,
          {"Client.NoAgreement", 403, "No approved agreement covers this call"}},
    Entry{ErrorCode::kClientAgreementExpired,
          {"Client.AgreementExpired", 403, "The agreement for this call is not valid now"}},
    Entry{ErrorCode::kClientPurposeRequired,
          {"Client.PurposeRequired", 403, "This service requires header.purpose"}},
    Entry{ErrorCode::kClientOperationNotAllowed,
          {"Client.OperationNotAllowed", 403,
           "The agreement does not allow this method on this path"}},
    Entry{ErrorCode::kClientSchemaViolation,
          {"Client.SchemaViolation", 400, "The request body does not match the service's schema"}},
    Entry{ErrorCode::kClientRateLimited,
          {"Client.RateLimited", 429, "Rate limit of the agreement reached; retry later"}},
    Entry{ErrorCode::kClientQuotaExceeded,
          {"Client.QuotaExceeded", 429, "Daily quota of the agreement used up"}},
    Entry{ErrorCode::kClientConcurrencyLimit,
          {"Client.ConcurrencyLimit", 429,
           "Too many requests from this system in progress at once; retry shortly"}},
    Entry{ErrorCode::kClientRequestTimeout,
          {"Client.RequestTimeout", 408, "The request did not arrive in time"}},
    Entry{ErrorCode::kClientMappingFailed,
          {"Client.MappingFailed", 400,
           "The request could not be mapped to the provider's interface"}},
    Entry{ErrorCode::kServerInternal, {"Server.Internal", 500, "Internal error in the hub"}},
    Entry{ErrorCode::kServerAuditUnavailable,
          {"Server.AuditUnavailable", 503, "Audit log unavailable; nothing was exchanged"}},
    Entry{ErrorCode::kServerRegistryUnavailable,
          {"Server.RegistryUnavailable", 503, "Registry not loaded"}},
    Entry{ErrorCode::kServerQueueUnavailable,
          {"Server.QueueUnavailable", 503, "Delivery queue unavailable; nothing was queued"}},
    Entry{ErrorCode::kServerCredentialsUnavailable,
          {"Server.CredentialsUnavailable", 503,
           "This hub node cannot open the credentials the provider registered; the provider "
           "was not called"}},
    Entry{ErrorCode::kServerLimitsUnavailable,
          {"Server.LimitsUnavailable", 503,
           "The hub could not check the agreement's shared limits; nothing was exchanged"}},
    Entry{ErrorCode::kProviderUnreachable,
          {"Provider.Unreachable", 502, "Provider system could not be reached"}},
    Entry{ErrorCode::kProviderTimeout,
          {"Provider.Timeout", 504, "Provider system did not answer in time"}},
    Entry{ErrorCode::kProviderBadResponse,
          {"Provider.BadResponse", 502, "Provider system sent an invalid response"}},
    Entry{ErrorCode::kProviderError,
          {"Provider.Error", 502, "Provider system failed to process the request"}},
    Entry{ErrorCode::kProviderSchemaViolation,
          {"Provider.SchemaViolation", 502,
           "Provider system answered with a body that does not match the service's schema"}},
    Entry{ErrorCode::kProviderMappingFailed,
          {"Provider.MappingFailed", 502,
           "Provider system's answer could not be mapped to the standard form"}},
    Entry{ErrorCode::kProviderFault,
          {"Provider.Fault", 502, "Provider system answered with a SOAP Fault"}},
    Entry{ErrorCode::kProviderUnavailable,
          {"Provider.Unavailable", 503,
           "Provider system is failing; calls are paused for a cool-down"}},
};

constexpr bool table_is_in_enum_order() {
  for (std::size_t i = 0; i < kErrors.size(); ++i) {
    if (static_cast<std::size_t>(kErrors[i].code) != i)
      return false;
  }
  return true;
}
static_assert(table_is_in_enum_order(), "kErrors must list every ErrorCode in enum order");
static_assert(kErrors.size() == static_cast<std::size_t>(ErrorCode::kProviderUnavailable) + 1,
              "kErrors must list every ErrorCode (update this check when appending a code)");

}  // namespace

const ErrorInfo& describe(ErrorCode code) {
  return kErrors[static_cast<std::size_t>(code)].info;
}

}  // namespace lienthong
