#include "lienthong/admin/registry_file.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "access/certificate_fingerprint.hpp"
#include "registry/field_validation.hpp"
#include "registry/registry_document.hpp"
#include "registry/resource_store.hpp"

namespace lienthong::admin {
namespace {

using nlohmann::json;

// The order entities are applied in: each refers only to earlier ones.
constexpr std::string_view kSections[] = {"members",  "systems",     "json-schemas",
                                          "services", "credentials", "agreements"};

std::string section_key(std::string_view resource) {
  return resource == "json-schemas" ? "json_schemas" : std::string(resource);
}

bool is_closed_agreement(const json& doc) {
  const auto status = doc.value("status", std::string());
  return status == "revoked" || status == "rejected";
}

// How an entity is recognised across the file and the database.
std::string natural_key(std::string_view resource, const json& entity) {
  const auto text = [&](const char* name) { return entity.value(name, std::string()); };
  if (resource == "members")
    return text("instance") + "/" + text("class") + "/" + text("code");
  if (resource == "systems")
    return text("member") + "/" + text("code");
  if (resource == "json-schemas")
    return text("name") + "/" + text("version");
  if (resource == "services")
    return text("system") + "/" + text("code") + "/" + text("version");
  if (resource == "credentials")
    return text("system") + " certificate " + text("fingerprint");
  return text("consumer") + " -> " + text("provider") + "/" + text("service_code");
}

Error entry_error(std::string_view resource, std::size_t index, const Error& cause) {
  Error error{
      cause.code, section_key(resource) + "[" + std::to_string(index) + "]: " + cause.detail, {}};
  for (const auto& field : cause.fields) {
    error.fields.push_back(
        {"/" + section_key(resource) + "/" + std::to_string(index) + field.pointer, field.detail});
  }
  return error;
}

Result<std::vector<json>> load_all(ResourceStore& store, const ResourceSpec& spec) {
  std::vector<json> all;
  Query query{{"limit", "500"}};
  while (true) {
    auto page = store.list(spec, query);
    if (!page.has_value())
      return std::move(page).error();
    for (auto& item : page.value()["items"])
      all.push_back(std::move(item));
    if (page.value()["next_after"].is_null())
      return all;
    query["after"] = std::to_string(page.value()["next_after"].get<std::int64_t>());
  }
}

// Timestamps are equal when they name the same instant, whatever the offset.
bool same_value(pqxx::transaction_base& tx, const FieldSpec& field, const json& wanted,
                const json& current) {
  if (wanted == current)
    return true;
  if (field.kind == FieldKind::kTimestamp && wanted.is_string() && current.is_string()) {
    return tx
        .exec_params("SELECT $1::timestamptz = $2::timestamptz", wanted.get<std::string>(),
                     current.get<std::string>())[0][0]
        .as<bool>();
  }
  return false;
}

class Applier {
 public:
  Applier(pqxx::dbtransaction& tx, const ApplyOptions& options)
      : tx_(tx),
        options_(options),
        store_(tx, Actor{Role::kHubAdmin, std::nullopt, options.actor}) {}

  Status apply(const json& document) {
    if (!document.is_object())
      return make_error(ErrorCode::kClientInvalidInput, "the registry file must be a mapping");
    for (const auto& [name, value] : document.items()) {
      bool known = name == "version";
      for (const auto section : kSections)
        known = known || name == section_key(section);
      if (!known)
        return make_error(ErrorCode::kClientInvalidInput, "unknown section " + name);
      if (name != "version" && !value.is_array())
        return make_error(ErrorCode::kClientInvalidInput, name + " must be an array");
    }
    for (const auto section : kSections) {
      const ResourceSpec& spec = *find_resource(section);
      const json entries = document.value(section_key(section), json::array());
      if (auto done = apply_section(spec, entries); !done.has_value())
        return done;
    }
    return Ok{};
  }

  ApplyReport report;

 private:
  Status apply_section(const ResourceSpec& spec, const json& entries) {
    auto existing = load_all(store_, spec);
    if (!existing.has_value())
      return std::move(existing).error();
    std::map<std::string, json> by_key;
    for (auto& doc : existing.value()) {
      if (spec.name == "credentials" && doc.value("kind", "") != "certificate")
        continue;  // API keys are secrets; they never come from a file
      if (spec.name == "agreements" && is_closed_agreement(doc))
        continue;
      if (spec.name == "credentials" && doc.value("status", "") == "revoked")
        continue;
      auto key = natural_key(spec.name, doc);  // before the move below
      by_key[std::move(key)] = std::move(doc);
    }
    std::map<std::string, bool> seen;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto entry = entries[i];
      if (auto ready = prepare_entry(spec, entry); !ready.has_value())
        return entry_error(spec.name, i, ready.error());
      // Every entry is a whole description: checked as a creation would be,
      // before its identity fields are read.
      if (auto fields = validate_fields(entry, spec.fields, WriteMode::kCreate); !fields.empty()) {
        return entry_error(
            spec.name, i,
            Error{ErrorCode::kClientInvalidInput, "invalid entry", std::move(fields)});
      }
      const std::string key = natural_key(spec.name, entry);
      if (seen[key])
        return entry_error(spec.name, i,
                           make_error(ErrorCode::kClientInvalidInput, "duplicate entry " + key));
      seen[key] = true;
      const auto found = by_key.find(key);
      auto outcome = found == by_key.end() ? create(spec, entry, key)
                                           : reconcile(spec, entry, found->second, key);
      if (!outcome.has_value())
        return entry_error(spec.name, i, outcome.error());
    }
    if (options_.prune) {
      for (const auto& [key, doc] : by_key) {
        if (!seen[key]) {
          if (auto pruned = prune(spec, doc, key); !pruned.has_value())
            return pruned;
        }
      }
    }
    return Ok{};
  }

  // File conveniences: certificate_file becomes a fingerprint; an agreement's
  // wanted status is held aside (it is reached by actions, not by fields).
  Status prepare_entry(const ResourceSpec& spec, json& entry) {
    if (!entry.is_object())
      return make_error(ErrorCode::kClientInvalidInput, "each entry must be an object");
    if (spec.name == "credentials" && entry.contains("certificate_file")) {
      auto pem = read_named_file(entry, "certificate_file");
      if (!pem.has_value())
        return std::move(pem).error();
      auto fingerprint = certificate_fingerprint(pem.value().text);
      if (!fingerprint.has_value()) {
        return make_error(ErrorCode::kClientInvalidInput, pem.value().path + ": not a certificate");
      }
      entry["fingerprint"] = fingerprint.value();
    }
    if (spec.name == "json-schemas" && entry.contains("document_file")) {
      // Standard schemas live in their own files (schemas/json/), shared with
      // the systems that implement them.
      auto file = read_named_file(entry, "document_file");
      if (!file.has_value())
        return std::move(file).error();
      auto document = json::parse(file.value().text, nullptr, false);
      if (document.is_discarded())
        return make_error(ErrorCode::kClientInvalidInput, file.value().path + ": not JSON");
      entry["document"] = std::move(document);
    }
    if (spec.name == "credentials" && !entry.contains("kind"))
      entry["kind"] = "certificate";
    if (spec.name == "agreements") {
      wanted_status_ = entry.value("status", std::string("approved"));
      entry.erase("status");
    }
    return Ok{};
  }

  struct NamedFile {
    std::string path;
    std::string text;
  };

  // Reads the file an entry names in `field` (relative to the registry
  // file's directory) and takes the field out of the entry.
  Result<NamedFile> read_named_file(json& entry, const std::string& field) const {
    if (!entry[field].is_string())
      return make_error(ErrorCode::kClientInvalidInput, field + " must be a path");
    std::filesystem::path path = entry[field].get<std::string>();
    if (path.is_relative())
      path = std::filesystem::path(options_.base_directory) / path;
    std::ifstream file(path);
    if (!file)
      return make_error(ErrorCode::kClientInvalidInput, "cannot read " + path.string());
    std::stringstream text;
    text << file.rdbuf();
    entry.erase(field);
    return NamedFile{path.string(), text.str()};
  }

  Status create(const ResourceSpec& spec, const json& entry, const std::string& key) {
    auto created = store_.create(spec, entry);
    if (!created.has_value())
      return std::move(created).error();
    report.push_back("+ " + spec.name + " " + key);
    if (spec.name == "agreements") {
      return move_agreement(created.value().entity.doc, "requested", wanted_status_, key);
    }
    return Ok{};
  }

  Status reconcile(const ResourceSpec& spec, const json& entry, const json& current,
                   const std::string& key) {
    json changes = json::object();
    std::string changed_names;
    for (const auto& [name, wanted] : entry.items()) {
      const auto field = std::find_if(spec.fields.begin(), spec.fields.end(),
                                      [&](const FieldSpec& f) { return f.name == name; });
      if (field == spec.fields.end())
        return make_error(ErrorCode::kClientInvalidInput, "unknown field " + name);
      const json now = current.contains(name) ? current[name] : json();
      if (same_value(tx_, *field, wanted, now))
        continue;
      if (!field->updatable || !spec.patchable) {
        return make_error(ErrorCode::kClientConflict,
                          key + ": " + name +
                              " cannot be changed in place; remove the entry "
                              "(with --prune) and add it under a new identity");
      }
      changes[name] = wanted;
      changed_names += (changed_names.empty() ? "" : ", ") + name;
    }
    const auto id = current["id"].get<std::int64_t>();
    const auto status = current.value("status", std::string());
    if (spec.name == "agreements" && !changes.empty() && status != "requested") {
      // The terms of a decided agreement never change under the approver:
      // revoke it and request (and reach the wanted status for) a new one.
      if (auto revoked = act(spec, id, "revoke", "terms changed by registry file");
          !revoked.has_value())
        return revoked;
      report.push_back("- agreements " + key + " (revoked: " + changed_names + " changed)");
      json replacement = entry;
      return create(spec, replacement, key);
    }
    if (!changes.empty()) {
      auto updated = store_.update(spec, id, changes, current["revision"].get<std::int64_t>());
      if (!updated.has_value())
        return std::move(updated).error();
      report.push_back("~ " + spec.name + " " + key + ": " + changed_names);
    }
    if (spec.name == "agreements")
      return move_agreement(current, status, wanted_status_, key);
    return Ok{};
  }

  Status act(const ResourceSpec& spec, std::int64_t id, const std::string& name,
             const std::string& reason) {
    const auto action = std::find_if(spec.actions.begin(), spec.actions.end(),
                                     [&](const ActionSpec& a) { return a.name == name; });
    auto done = store_.act(spec, *action, id, reason, std::nullopt);
    if (!done.has_value())
      return std::move(done).error();
    return Ok{};
  }

  // Brings an agreement from `from` to `to` through the lifecycle actions.
  Status move_agreement(const json& doc, const std::string& from, const std::string& to,
                        const std::string& key) {
    if (from == to)
      return Ok{};
    static const std::map<std::pair<std::string, std::string>, std::vector<std::string>> kPaths{
        {{"requested", "approved"}, {"approve"}},
        {{"requested", "rejected"}, {"reject"}},
        {{"requested", "suspended"}, {"approve", "suspend"}},
        {{"approved", "suspended"}, {"suspend"}},
        {{"suspended", "approved"}, {"resume"}},
        {{"requested", "revoked"}, {"revoke"}},
        {{"approved", "revoked"}, {"revoke"}},
        {{"suspended", "revoked"}, {"revoke"}},
        {{"expired", "revoked"}, {"revoke"}},
        {{"expired", "suspended"}, {"suspend"}},
    };
    const auto path = kPaths.find({from, to});
    if (path == kPaths.end()) {
      return make_error(
          ErrorCode::kClientConflict,
          key + ": cannot go from " + from + " to " + to +
              " (status is one of requested, approved, suspended, rejected, revoked)");
    }
    const auto& spec = *find_resource("agreements");
    for (const auto& action : path->second) {
      if (auto done = act(spec, doc["id"].get<std::int64_t>(), action, "registry file");
          !done.has_value())
        return done;
    }
    report.push_back("~ agreements " + key + ": " + from + " -> " + to);
    return Ok{};
  }

  Status prune(const ResourceSpec& spec, const json& doc, const std::string& key) {
    const auto id = doc["id"].get<std::int64_t>();
    const auto status = doc.value("status", std::string());
    if ((spec.name == "systems" || spec.name == "services") && status != "disabled") {
      auto updated =
          store_.update(spec, id, {{"status", "disabled"}}, doc["revision"].get<std::int64_t>());
      if (!updated.has_value())
        return std::move(updated).error();
      report.push_back("- " + spec.name + " " + key + " (disabled)");
    } else if (spec.name == "credentials" || spec.name == "agreements") {
      if (auto revoked = act(spec, id, "revoke", "not in registry file"); !revoked.has_value())
        return revoked;
      report.push_back("- " + spec.name + " " + key + " (revoked)");
    } else if (spec.name == "json-schemas" && status == "published") {
      if (auto deprecated = act(spec, id, "deprecate", ""); !deprecated.has_value())
        return deprecated;
      report.push_back("- " + spec.name + " " + key + " (deprecated)");
    }
    return Ok{};
  }

  pqxx::dbtransaction& tx_;
  const ApplyOptions& options_;
  ResourceStore store_;
  std::string wanted_status_;
};

}  // namespace

Result<ApplyReport> apply_registry(const std::string& database_url, std::string_view text,
                                   const ApplyOptions& options) {
  auto parsed = parse_registry_document(text);
  if (!parsed.has_value())
    return std::move(parsed).error();
  const json document = std::move(parsed).value();
  try {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    // The admin-change chain's lock first: this transaction changes many
    // entities, and must not wait for the chain while holding their rows.
    tx.exec("SELECT lt_admin_chain_lock()");
    Applier applier(tx, options);
    if (auto applied = applier.apply(document); !applied.has_value())
      return std::move(applied).error();
    if (options.dry_run) {
      tx.abort();
    } else {
      tx.commit();
    }
    return std::move(applier.report);
  } catch (const pqxx::broken_connection& e) {
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      std::string("cannot reach the registry database: ") + e.what());
  } catch (const json::type_error& e) {
    // An identity field of the wrong type, e.g. "code": 5, before validation saw it.
    return make_error(ErrorCode::kClientInvalidInput,
                      std::string("a field has the wrong type: ") + e.what());
  }
}

Result<std::string> export_registry(const std::string& database_url, ExportFormat format) {
  try {
    pqxx::connection connection(database_url);
    pqxx::work tx(connection);
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    ResourceStore store(tx, Actor{Role::kHubAdmin, std::nullopt, "registry-export"});
    json document{{"version", 1}};
    for (const auto section : kSections) {
      const ResourceSpec& spec = *find_resource(section);
      auto all = load_all(store, spec);
      if (!all.has_value())
        return std::move(all).error();
      json entries = json::array();
      for (const auto& doc : all.value()) {
        if (spec.name == "credentials" &&
            (doc.value("kind", "") != "certificate" || doc.value("status", "") == "revoked"))
          continue;
        if (spec.name == "agreements" && is_closed_agreement(doc))
          continue;
        json entry = json::object();
        for (const auto& field : spec.fields) {
          if (doc.contains(field.name) && !doc[field.name].is_null())
            entry[field.name] = doc[field.name];
        }
        if (spec.name == "agreements")
          entry["status"] = doc["status"];
        entries.push_back(std::move(entry));
      }
      document[section_key(section)] = std::move(entries);
    }
    if (format == ExportFormat::kYaml)
      return to_yaml(document);
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  } catch (const pqxx::broken_connection& e) {
    return make_error(ErrorCode::kServerRegistryUnavailable,
                      std::string("cannot reach the registry database: ") + e.what());
  }
}

}  // namespace lienthong::admin
