#include "dml_oracle.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli::testing {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<WriteMode> AllWriteModes() {
  return {{"copy-on-write", 2}, {"merge-on-read", 2}, {"merge-on-read", 3}};
}

std::string WriteModeTestName(const WriteMode& mode) {
  return std::string(mode.name == "copy-on-write" ? "CopyOnWrite" : "MergeOnRead") + "V" +
         std::to_string(mode.format_version);
}

std::string WithClause(const WriteMode& mode, const std::string& more) {
  const std::string m = "'" + mode.name + "'";
  return "WITH (format_version = " + std::to_string(mode.format_version) +
         ", 'write.delete.mode' = " + m + ", 'write.update.mode' = " + m +
         ", 'write.merge.mode' = " + m + (more.empty() ? "" : ", " + more) + ")";
}

int EnvInt(const char* name, int fallback) {
  std::optional<std::string> v = atl::testing::Env(name);
  return v && !v->empty() ? std::stoi(*v) : fallback;
}

uint32_t DmlSeed() {
  std::optional<std::string> v = atl::testing::Env("ATOLL_DML_SEED");
  return v && !v->empty() ? static_cast<uint32_t>(std::stoul(*v)) : std::random_device{}();
}

std::string ForTable(std::string sql, const std::string& table) {
  for (size_t at = sql.find("{T}"); at != std::string::npos; at = sql.find("{T}", at)) {
    sql.replace(at, 3, table);
    at += table.size();
  }
  return sql;
}

std::string StateQuery(const std::string& table) {
  return "SELECT count(*)::VARCHAR || ':' || coalesce(string_agg(concat_ws(',', id, k, n, "
         "coalesce(s, 'NULL')), ';' ORDER BY id, k, n, s), '') AS state FROM " +
         table;
}

std::string RandomStatement(std::mt19937& rng, int k, int64_t* next_id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::string K = std::to_string(k);
  const int64_t base = int64_t{k} * 1000000;
  *next_id = std::max(*next_id, base);
  const auto str = [](int64_t v) { return std::to_string(v); };
  switch (pick(0, 5)) {
    case 0: {
      std::string values;
      for (int r = pick(1, 4); r > 0; --r) {
        const int64_t id = (*next_id)++;
        values += (values.empty() ? "(" : ", (") + str(id) + ", " + K + ", " + str(pick(-50, 50)) +
                  ", " + (pick(0, 4) == 0 ? std::string("NULL") : "'v" + str(id) + "'") + ")";
      }
      return "INSERT INTO {T} VALUES " + values;
    }
    case 1: {
      const int rows = pick(2, 20);
      const int64_t first = *next_id;
      *next_id += rows;
      return "INSERT INTO {T} SELECT " + str(first) + " + range, " + K + ", range * " +
             str(pick(1, 9)) + " - 7, 'r' || range FROM range(" + str(rows) + ")";
    }
    case 2: {
      const int m = pick(2, 5);
      return "UPDATE {T} SET n = n + " + str(pick(1, 9)) + ", s = 'u' || (n % 10) WHERE k = " + K +
             " AND id % " + str(m) + " = " + str(pick(0, m - 1));
    }
    case 3: {
      const int m = pick(3, 7);
      return "DELETE FROM {T} WHERE k = " + K + " AND id % " + str(m) + " = " + str(pick(0, m - 1));
    }
    default: {
      // Source ids among the ids issued so far and a few new ones. The ON condition names
      // the partition by a literal, so that appends to other partitions do not conflict.
      const int count = pick(2, 8), step = pick(1, 3);
      const int64_t first = base + pick(0, static_cast<int>(*next_id - base));
      *next_id = std::max(*next_id, first + int64_t{count} * step);
      return "MERGE INTO {T} USING (SELECT " + str(first) + " + range * " + str(step) + " AS id, " +
             K + " AS k, range AS v FROM range(" + str(count) +
             ")) AS src ON t.id = src.id AND t.k = " + K +
             " "
             "WHEN MATCHED AND t.n % 3 = 0 THEN DELETE "
             "WHEN MATCHED THEN UPDATE SET n = t.n + src.v, s = 'm' "
             "WHEN NOT MATCHED THEN INSERT VALUES (src.id, src.k, src.v, 'new')";
    }
  }
}

std::optional<std::string> LakeState(const std::string& lake, const std::string& table,
                                     std::string* error) {
  RunResult r = RunAtoll({"query", lake, StateQuery(table), "--format", "json"});
  if (r.exit_code != 0) {
    *error = "exit " + std::to_string(r.exit_code) + ": " + r.err;
    return std::nullopt;
  }
  json rows = json::parse(r.out, nullptr, false);
  if (!rows.is_array() || rows.size() != 1 || !rows[0].contains("state")) {
    *error = "unexpected output: " + r.out;
    return std::nullopt;
  }
  return rows[0]["state"].get<std::string>();
}

Result<std::unique_ptr<DuckOracle>> DuckOracle::Open() {
  auto oracle = std::make_unique<DuckOracle>();
  engine::EngineOptions options;
  options.threads = 1;
  ATOLL_ASSIGN_OR_RETURN(oracle->engine_, engine::Engine::Open(options));
  ATOLL_RETURN_NOT_OK(
      oracle->engine_->Execute(std::string("CREATE TABLE t (") + kDmlColumns + ")"));
  return oracle;
}

Status DuckOracle::Run(const std::string& statement) {
  return engine_->Execute(ForTable(statement, "t"));
}

Result<std::string> DuckOracle::State() {
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, engine_->Query(StateQuery("t")));
  if (r.rows.size() != 1 || r.rows[0].size() != 1 || !r.rows[0][0]) {
    return Internal("the oracle's state query gave no value");
  }
  return *r.rows[0][0];
}

Status DuckOracle::Save() { return engine_->Execute("CREATE OR REPLACE TABLE saved AS FROM t"); }

Status DuckOracle::Restore() {
  return engine_->ExecuteScript("DELETE FROM t; INSERT INTO t FROM saved");
}

Result<std::set<std::string>> ReferencedFiles(const std::string& catalog_file) {
  json pointer = json::parse(atl::testing::ReadFile(catalog_file), nullptr, false);
  if (!pointer.is_object() || !pointer.contains("metadata-location")) {
    return Corruption("no metadata-location in ", catalog_file);
  }
  const std::string location = pointer["metadata-location"].get<std::string>();
  json md = json::parse(atl::testing::ReadFile(location), nullptr, false);
  if (!md.is_object()) return Corruption("unreadable metadata ", location);
  std::set<std::string> refs = {location,
                                md["location"].get<std::string>() + "/metadata/version-hint.text"};
  for (const json& e : md.value("metadata-log", json::array())) {
    refs.insert(e["metadata-file"].get<std::string>());
  }
  for (const char* key : {"statistics", "partition-statistics"}) {
    for (const json& e : md.value(key, json::array())) {
      refs.insert(e["statistics-path"].get<std::string>());
    }
  }
  for (const json& snapshot : md.value("snapshots", json::array())) {
    const std::string list_path = snapshot["manifest-list"].get<std::string>();
    refs.insert(list_path);
    ATOLL_ASSIGN_OR_RETURN(iceberg::ManifestList list,
                           iceberg::ReadManifestList(atl::testing::ReadFile(list_path), list_path));
    for (const iceberg::ManifestFile& mf : list.manifests) {
      refs.insert(mf.manifest_path);
      ATOLL_ASSIGN_OR_RETURN(
          iceberg::Manifest manifest,
          iceberg::ReadManifest(atl::testing::ReadFile(mf.manifest_path), mf.manifest_path, &mf));
      for (const iceberg::ManifestEntry& e : manifest.entries) refs.insert(e.data_file.file_path);
    }
  }
  return refs;
}

std::set<std::string> FilesUnder(const std::string& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.insert(e.path().string());
  }
  return out;
}

}  // namespace atl::cli::testing
