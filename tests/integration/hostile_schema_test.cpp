// The JSON Schema attacks of issue 20 against a running hub: through the
// admin API (a member administrator uploads the schema) and through an
// exchange (any consumer sends the value). Each once stopped the process
// (stack overflow) or held an I/O thread for seconds; now the upload is a 400
// naming the problem and the exchange an ordinary answer, and the hub keeps
// serving.
#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

class HostileSchemaOnTheHub : public AdminFixture {
 protected:
  // The default body limit (1 MiB) rather than the fixture's 64 KiB: the
  // values are as long as any consumer may send.
  void configure(Config& config) override { config.limits.body_bytes = 1 << 20; }

  ClientResponse exchange(const std::string& id, const json& body) {
    auto consumer = client();
    return consumer.post(
        "/exchange/v1/messages",
        envelope(id, kConsumer, std::string(kProviderMember) + "/HOSTILE", "hostile", body.dump()));
  }
  void expect_serving() {
    auto consumer = client();
    const auto answer =
        consumer.post("/exchange/v1/messages",
                      envelope("alive-" + std::to_string(++probes_), kConsumer, kProvider, "echo"));
    EXPECT_EQ(answer.status, 200) << answer.body;
  }
  int probes_ = 0;
};

TEST_F(HostileSchemaOnTheHub, SelfReferencingSchemasAreRefusedAtUpload) {
  auto admin = hub_admin();
  const std::vector<json> hostile = {
      json::parse(R"({"$ref": "#"})"),
      json::parse(R"({"definitions": {"a": {"$ref": "#/definitions/b"},
                                      "b": {"$ref": "#/definitions/a"}},
                      "$ref": "#/definitions/a"})"),
      json::parse(R"({"definitions": {"a": {"allOf": [{"$ref": "#/definitions/a"}]}},
                      "$ref": "#/definitions/a"})"),
      json::parse(R"({"properties": {"x": {"pattern": "^(a)\\1$"}}})"),
  };
  int version = 0;
  for (const auto& document : hostile) {
    const auto response = admin.post(
        "/admin/v1/json-schemas",
        {{"name", "hostile"}, {"version", std::to_string(++version)}, {"document", document}});
    EXPECT_EQ(response.status, 400) << document.dump() << "\n" << response.body;
    EXPECT_EQ(AdminClient::json_of(response)["errors"][0]["pointer"], "/document");
    expect_serving();
  }
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM json_schemas WHERE name = 'hostile'"), "0");
}

TEST_F(HostileSchemaOnTheHub, LongStringsAndNestedQuantifiersCannotStallAnExchange) {
  auto admin = hub_admin();
  const json document = json::parse(R"({
    "type": "object",
    "properties": {"name": {"type": "string", "pattern": "^(a+)+$"},
                   "digits": {"type": "string", "pattern": "^[0-9]*$"},
                   "anything": {"type": "string", "pattern": "^.*$"},
                   "idNumber": {"type": "string"}}})");
  const auto created =
      admin.post("/admin/v1/json-schemas",
                 {{"name", "hostile-request"}, {"version", "1"}, {"document", document}});
  ASSERT_EQ(created.status, 201) << created.body;
  register_provider("HOSTILE", "http://127.0.0.1:" + std::to_string(provider_->port()), "hostile",
                    "/api/echo", {{"request_schema", "hostile-request/1"}});

  // 10 s with backtracking for 28 characters; a 400 at once now.
  const auto backtracking = exchange("hostile-1", {{"name", std::string(28, 'a') + "!"}});
  EXPECT_EQ(backtracking.status, 400) << backtracking.body;
  EXPECT_EQ(AdminClient::json_of(backtracking)["code"], "Client.SchemaViolation");
  const auto longer = exchange("hostile-2", {{"name", std::string(200'000, 'a') + "!"}});
  EXPECT_EQ(longer.status, 400) << longer.body.substr(0, 300);

  // Stack overflow per character with std::regex; right answers now.
  const auto digits = exchange("hostile-3", {{"digits", std::string(300'000, '7')}});
  EXPECT_EQ(digits.status, 200) << digits.body.substr(0, 300);
  const auto not_digits = exchange("hostile-4", {{"digits", std::string(300'000, '7') + "x"}});
  EXPECT_EQ(not_digits.status, 400) << not_digits.body.substr(0, 300);
  const auto anything = exchange("hostile-5", {{"anything", std::string(500'000, 'z')}});
  EXPECT_EQ(anything.status, 200) << anything.body.substr(0, 300);

  expect_serving();
  EXPECT_EQ(provider_->calls(), 3);  // the two valid messages and the probe
}

}  // namespace
}  // namespace lienthong::testing
