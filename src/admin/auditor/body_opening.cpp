#include "auditor/body_opening.hpp"

#include <stdexcept>

#include "lienthong/core/digest.hpp"

namespace lienthong::admin {

void open_record_bodies(audit::BodyOpener& opener, nlohmann::json& record) {
  const auto key = record.find("bodies_key");
  if (key == record.end() || key->is_null())
    return;
  const auto request_id = record.at("request_id").get<std::string>();
  bool shredded = false;
  for (const char* field : {"request", "response"}) {
    auto& value = record[std::string(field) + "_body_base64"];
    if (value.is_null())
      continue;
    const auto sealed = base64_decode(value.get<std::string>());
    if (!sealed)
      throw std::runtime_error("a sealed body of request " + request_id + " is not base64");
    const auto sha256 = record.at(std::string(field) + "_sha256").get<std::string>();
    const auto body = opener.open(key->get<std::int64_t>(), request_id, field, *sealed, sha256);
    if (body)
      value = base64_encode(*body);
    else
      value = nullptr;
    shredded = shredded || !body;
  }
  if (shredded)
    record["bodies_shredded"] = true;
}

}  // namespace lienthong::admin
