#include "atoll/ingest/ledger.h"

#include <nlohmann/json.hpp>
#include <utility>

namespace atl::lake {

namespace {

using nlohmann::json;

json Document(const LedgerEntry& e, const char* state) {
  json sources = json::array();
  for (const SourceFile& s : e.sources)
    sources.push_back({{"key", s.key}, {"size", s.size}, {"etag", s.etag}});
  return {{"batch_id", e.batch_id},        {"table", e.table},
          {"created_ms", e.created_ms},    {"state", state},
          {"sources", std::move(sources)}, {"data_files", e.data_files}};
}

// The entry `doc` holds; false when it is no ledger entry (a torn write).
bool ParseEntry(const json& doc, LedgerEntry* e) {
  if (!doc.is_object() || !doc.contains("batch_id") || !doc["batch_id"].is_string()) return false;
  e->batch_id = doc["batch_id"].get<std::string>();
  e->table = doc.value("table", "");
  e->created_ms = doc.value("created_ms", int64_t{0});
  if (doc.contains("sources") && doc["sources"].is_array()) {
    for (const json& s : doc["sources"])
      e->sources.push_back({s.value("key", ""), s.value("size", uint64_t{0}), s.value("etag", "")});
  }
  if (doc.contains("data_files") && doc["data_files"].is_array()) {
    for (const json& f : doc["data_files"])
      if (f.is_string()) e->data_files.push_back(f.get<std::string>());
  }
  return true;
}

storage::PutOptions JsonPut() {
  storage::PutOptions put;
  put.content_type = "application/json";
  return put;
}

}  // namespace

std::string SourceId(const std::string& key, const std::string& etag) { return key + "\n" + etag; }

IngestLedger::IngestLedger(storage::Store& store, const std::string& table_name)
    : store_(store), prefix_(StrCat("_atoll/ingest/", table_name, "/")) {}

std::string IngestLedger::Key(const char* state, const std::string& batch_id) const {
  return StrCat(prefix_, state, batch_id, ".json");
}

Result<std::vector<std::string>> IngestLedger::PendingBatches() const {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> pending,
                         storage::ListAll(store_, prefix_ + "pending/"));
  std::vector<std::string> out;
  for (const storage::ObjectInfo& entry : pending) {
    const std::string name = entry.key.substr(entry.key.rfind('/') + 1);
    out.push_back(name.substr(0, name.rfind(".json")));
  }
  return out;
}

Result<std::vector<LedgerEntry>> IngestLedger::ReadPending() const {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> pending,
                         storage::ListAll(store_, prefix_ + "pending/"));
  std::vector<LedgerEntry> out;
  for (const storage::ObjectInfo& listed : pending) {
    Result<std::string> text = store_.Get(listed.key);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status().WithContext(StrCat("reading ", listed.key));
    }
    LedgerEntry e;
    e.key = listed.key;
    if (!ParseEntry(json::parse(*text, nullptr, false), &e)) {
      ATOLL_RETURN_NOT_OK(storage::Delete(store_, listed.key));  // torn write of a crashed run
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Status IngestLedger::WritePending(const LedgerEntry& entry) const {
  storage::PutOptions put = JsonPut();
  put.condition = storage::PutCondition::kIfAbsent;
  const std::string key = Key("pending/", entry.batch_id);
  return storage::PutString(store_, key, Document(entry, "pending").dump() + "\n", put)
      .status()
      .WithContext(StrCat("writing the ingest ledger entry ", key));
}

Status IngestLedger::DropPending(const LedgerEntry& entry) const {
  return storage::Delete(store_, entry.key.empty() ? Key("pending/", entry.batch_id) : entry.key);
}

Status IngestLedger::Finish(const LedgerEntry& entry, int64_t snapshot_id) const {
  json doc = Document(entry, "committed");
  doc["snapshot_id"] = snapshot_id;
  ATOLL_RETURN_NOT_OK(
      storage::PutString(store_, Key("done/", entry.batch_id), doc.dump() + "\n", JsonPut())
          .status());
  return storage::Delete(store_, Key("pending/", entry.batch_id));
}

Result<std::set<std::string>> IngestLedger::Sources(const std::string& batch_id) const {
  for (const char* state : {"pending/", "done/"}) {
    Result<std::string> text = store_.Get(Key(state, batch_id));
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status();
    }
    std::set<std::string> out;
    LedgerEntry e;
    if (ParseEntry(json::parse(*text, nullptr, false), &e)) {
      for (const SourceFile& s : e.sources) out.insert(SourceId(s.key, s.etag));
    }
    return out;
  }
  return std::set<std::string>{};
}

}  // namespace atl::lake
