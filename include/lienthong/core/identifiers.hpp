#pragma once
// X-Road style hierarchical identifiers:
//   system:  INSTANCE/CLASS/MEMBER/SYSTEM            e.g. VN/GOV/000.00.00.G12/HOTICH
//   service: INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE/VERSION
// Each part matches [A-Za-z0-9._-]+; CLASS is one of GOV, PROV, ORG, COM.

#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

// True when `part` is a non-empty identifier part of at most 128 characters
// drawn from [A-Za-z0-9._-].
bool is_identifier_part(std::string_view part);

// True for the member classes the hub knows: GOV, PROV, ORG, COM.
bool is_member_class(std::string_view member_class);

// True for the service codes X-Road reserves for its metaservices
// (listMethods, allowedMethods, getOpenAPI, listClients, getWsdl): the hub
// answers them itself, so no registered service may use one.
bool is_reserved_service_code(std::string_view service_code);

struct SystemId {
  std::string instance;
  std::string member_class;
  std::string member_code;
  std::string system_code;

  // Parses the slash-separated form; nullopt when any part is invalid.
  static std::optional<SystemId> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const SystemId&) const = default;
};

struct ServiceId {
  SystemId provider;
  std::string service_code;
  std::string version;

  static std::optional<ServiceId> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const ServiceId&) const = default;
};

}  // namespace lienthong
