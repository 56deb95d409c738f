#include "lienthong/core/identifiers.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace lienthong {
namespace {

constexpr std::size_t kMaxPartLength = 128;

// Splits `text` on '/' into exactly N parts; false when the count differs.
template <std::size_t N>
bool split_exact(std::string_view text, std::array<std::string_view, N>& parts) {
  std::size_t count = 0;
  while (true) {
    const auto slash = text.find('/');
    if (count == N)
      return false;
    parts[count++] = text.substr(0, slash);
    if (slash == std::string_view::npos)
      break;
    text.remove_prefix(slash + 1);
  }
  return count == N;
}

// The N parts of a system (N=4) or service (N=6) identifier, all validated.
template <std::size_t N>
std::optional<std::array<std::string_view, N>> split_identifier(std::string_view text) {
  std::array<std::string_view, N> parts;
  if (!split_exact(text, parts))
    return std::nullopt;
  for (const auto part : parts) {
    if (!is_identifier_part(part))
      return std::nullopt;
  }
  if (!is_member_class(parts[1]))
    return std::nullopt;
  return parts;
}

template <std::size_t N>
SystemId system_from(const std::array<std::string_view, N>& parts) {
  return SystemId{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                  std::string(parts[3])};
}

}  // namespace

bool is_identifier_part(std::string_view part) {
  if (part.empty() || part.size() > kMaxPartLength)
    return false;
  for (const char c : part) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

bool is_member_class(std::string_view member_class) {
  return member_class == "GOV" || member_class == "PROV" || member_class == "ORG" ||
         member_class == "COM";
}

bool is_reserved_service_code(std::string_view service_code) {
  static constexpr std::array<std::string_view, 5> kReserved{
      "listMethods", "allowedMethods", "getOpenAPI", "listClients", "getWsdl"};
  return std::find(kReserved.begin(), kReserved.end(), service_code) != kReserved.end();
}

std::optional<SystemId> SystemId::parse(std::string_view text) {
  const auto parts = split_identifier<4>(text);
  if (!parts)
    return std::nullopt;
  return system_from(*parts);
}

std::string SystemId::to_string() const {
  std::string out;
  out.reserve(instance.size() + member_class.size() + member_code.size() + system_code.size() + 3);
  out.append(instance).append("/").append(member_class).append("/");
  out.append(member_code).append("/").append(system_code);
  return out;
}

std::optional<ServiceId> ServiceId::parse(std::string_view text) {
  const auto parts = split_identifier<6>(text);
  if (!parts)
    return std::nullopt;
  return ServiceId{system_from(*parts), std::string((*parts)[4]), std::string((*parts)[5])};
}

std::string ServiceId::to_string() const {
  return provider.to_string() + "/" + service_code + "/" + version;
}

}  // namespace lienthong
