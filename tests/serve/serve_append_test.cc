// 16 clients append to one table through the REST catalog at once, each as an Iceberg
// writer does: load the table, write its data file's manifest and a manifest list holding
// the current snapshot's manifests, then commit add-snapshot + set-snapshot-ref main under
// assert-ref-snapshot-id. A commit that lost the race gets 409 and the client starts over.
// Afterwards the table holds every append exactly once, `atoll query` counts every row,
// the trail verifies and names the token as the actor of the 16 appends.
//
// The requests go to RestCatalog::Handle from 16 threads (the HTTP layer has its own tests:
// http_server_test.cc, serve_client_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "atoll/engine/engine.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/iceberg/table_metadata.h"
#include "atoll/lake/lake.h"
#include "atoll/serve/rest_catalog.h"
#include "atoll/serve/tokens.h"
#include "atoll/table/data_writer.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::serve {
namespace {

using nlohmann::json;
constexpr int kClients = 16;
constexpr int kRows = 10;

struct Client {
  RestCatalog& catalog;
  std::string token;
  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body) {
    HttpRequest req;
    req.method = method;
    req.target = "/iceberg/v1" + path;
    req.headers["authorization"] = "Bearer " + token;
    req.body = body;
    return catalog.Handle(req);
  }
};

void WriteLocal(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ReadLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One client's append, repeated until it commits. Returns the number of 409s, or -1.
int Append(Client client, const iceberg::DataFile& file, int client_id) {
  const std::string path = "/namespaces/stg%1Fapp/tables/t";
  int conflicts = 0;
  for (int attempt = 1; attempt < 200; ++attempt) {
    HttpResponse loaded = client.Call("GET", path, "");
    if (loaded.status != 200) return -1;
    Result<iceberg::TableMetadata> md =
        iceberg::TableMetadata::FromJson(json::parse(loaded.body)["metadata"]);
    if (!md.ok()) return -1;
    const iceberg::Snapshot* current = md->CurrentSnapshot();
    std::vector<iceberg::ManifestFile> manifests;
    if (current != nullptr) {
      Result<iceberg::ManifestList> list =
          iceberg::ReadManifestList(ReadLocal(current->manifest_list), current->manifest_list);
      if (!list.ok()) return -1;
      manifests = list->manifests;
    }
    const int64_t snapshot_id = int64_t{client_id + 1} * 1000 + attempt;
    const int64_t sequence = md->last_sequence_number + 1;
    iceberg::ManifestEntry entry;
    entry.snapshot_id = snapshot_id;
    entry.data_file = file;
    Result<std::string> manifest =
        iceberg::WriteManifest(*md->CurrentSchema(), *md->DefaultSpec(), {entry});
    if (!manifest.ok()) return -1;
    const std::string stem = md->location + "/metadata/append-" + std::to_string(snapshot_id);
    WriteLocal(stem + "-m0.avro", *manifest);
    iceberg::ManifestFile mf;
    mf.manifest_path = stem + "-m0.avro";
    mf.manifest_length = static_cast<int64_t>(manifest->size());
    mf.sequence_number = sequence;
    mf.min_sequence_number = sequence;
    mf.added_snapshot_id = snapshot_id;
    mf.added_files_count = 1;
    mf.existing_files_count = 0;
    mf.deleted_files_count = 0;
    mf.added_rows_count = file.record_count;
    mf.existing_rows_count = 0;
    mf.deleted_rows_count = 0;
    manifests.insert(manifests.begin(), mf);
    iceberg::ManifestListWriteOptions list_options;
    list_options.snapshot_id = snapshot_id;
    if (current) list_options.parent_snapshot_id = current->snapshot_id;
    list_options.sequence_number = sequence;
    Result<std::string> list = iceberg::WriteManifestList(manifests, list_options);
    if (!list.ok()) return -1;
    WriteLocal(stem + "-list.avro", *list);
    json snapshot = {{"snapshot-id", snapshot_id},
                     {"sequence-number", sequence},
                     {"timestamp-ms", 1796000000000 + attempt},
                     {"manifest-list", stem + "-list.avro"},
                     {"schema-id", md->current_schema_id},
                     {"summary", {{"operation", "append"}, {"added-data-files", "1"}}}};
    if (current) snapshot["parent-snapshot-id"] = current->snapshot_id;
    json commit = {{"requirements",
                    {{{"type", "assert-ref-snapshot-id"},
                      {"ref", "main"},
                      {"snapshot-id", current ? json(current->snapshot_id) : json(nullptr)}}}},
                   {"updates",
                    {{{"action", "add-snapshot"}, {"snapshot", snapshot}},
                     {{"action", "set-snapshot-ref"},
                      {"ref-name", "main"},
                      {"type", "branch"},
                      {"snapshot-id", snapshot_id}}}}};
    HttpResponse res = client.Call("POST", path, commit.dump());
    if (res.status == 200) return conflicts;
    if (res.status != 409 || json::parse(res.body)["error"]["type"] != "CommitFailedException") {
      return -1;
    }
    ++conflicts;
  }
  return -1;
}

TEST(ServeAppendTest, SixteenClientsAppendEachFileExactlyOnce) {
  testing::TempDir dir;
  const std::string root = dir.Join("lake");
  ASSERT_OK(lake::Lake::Init(root, lake::Settings{}).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<lake::Lake> opened, lake::Lake::Open(root));
  std::shared_ptr<const lake::Lake> lake = std::move(opened);
  ASSERT_OK_AND_ASSIGN(CreatedToken token,
                       CreateToken(lake->store(), "appender", TokenScope::kWrite, {}, 1));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RestCatalog> catalog, RestCatalog::Open(lake));
  Client client{*catalog, token.secret};
  ASSERT_EQ(client.Call("POST", "/namespaces", R"({"namespace": ["stg", "app"]})").status, 200);
  HttpResponse created = client.Call("POST", "/namespaces/stg%1Fapp/tables", R"({"name": "t",
      "schema": {"type": "struct", "schema-id": 0, "fields": [
        {"id": 1, "name": "id", "type": "long", "required": false},
        {"id": 2, "name": "client", "type": "int", "required": false}]}})");
  ASSERT_EQ(created.status, 200) << created.body;
  ASSERT_OK_AND_ASSIGN(iceberg::TableMetadata md,
                       iceberg::TableMetadata::FromJson(json::parse(created.body)["metadata"]));

  engine::EngineOptions engine_options;
  engine_options.threads = 1;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine,
                       engine::Engine::Open(engine_options));
  std::vector<iceberg::DataFile> files;
  for (int c = 0; c < kClients; ++c) {
    const std::string sql = "SELECT range::BIGINT AS id, " + std::to_string(c) +
                            "::INT AS client FROM range(" + std::to_string(c * kRows) + ", " +
                            std::to_string((c + 1) * kRows) + ")";
    ASSERT_OK_AND_ASSIGN(std::vector<iceberg::DataFile> written,
                         table::WriteDataFiles(*engine, sql, *md.CurrentSchema(), *md.DefaultSpec(),
                                               md.location + "/data/c" + std::to_string(c)));
    ASSERT_EQ(written.size(), 1u);
    files.push_back(written[0]);
  }

  std::vector<int> conflicts(kClients, -1);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] { conflicts[c] = Append(client, files[c], c); });
  }
  for (std::thread& t : threads) t.join();
  int total_conflicts = 0;
  for (int c = 0; c < kClients; ++c) {
    EXPECT_GE(conflicts[c], 0) << "client " << c << " failed";
    total_conflicts += std::max(0, conflicts[c]);
  }
  std::cout << "16 appends committed after " << total_conflicts << " conflicts (409)\n";

  // Every file once in the current snapshot.
  HttpResponse loaded = client.Call("GET", "/namespaces/stg%1Fapp/tables/t", "");
  ASSERT_OK_AND_ASSIGN(md, iceberg::TableMetadata::FromJson(json::parse(loaded.body)["metadata"]));
  ASSERT_NE(md.CurrentSnapshot(), nullptr);
  EXPECT_EQ(md.snapshots.size(), static_cast<size_t>(kClients));
  ASSERT_OK_AND_ASSIGN(
      iceberg::ManifestList list,
      iceberg::ReadManifestList(ReadLocal(md.CurrentSnapshot()->manifest_list), "list"));
  std::multiset<std::string> paths;
  for (const iceberg::ManifestFile& mf : list.manifests) {
    ASSERT_OK_AND_ASSIGN(iceberg::Manifest m,
                         iceberg::ReadManifest(ReadLocal(mf.manifest_path), mf.manifest_path, &mf));
    for (const iceberg::ManifestEntry& e : m.entries) paths.insert(e.data_file.file_path);
  }
  EXPECT_EQ(paths.size(), static_cast<size_t>(kClients));
  for (const iceberg::DataFile& f : files) EXPECT_EQ(paths.count(f.file_path), 1u) << f.file_path;

  cli::testing::RunResult query = cli::testing::RunAtoll(
      {"query", root, "--format", "csv",
       "SELECT count(*), count(DISTINCT id), count(DISTINCT client) FROM stg.app.t"});
  EXPECT_EQ(query.exit_code, 0) << query.err;
  EXPECT_NE(query.out.find("160,160,16"), std::string::npos) << query.out;
  cli::testing::RunResult verify = cli::testing::RunAtoll({"trail", "verify", root});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  cli::testing::RunResult show = cli::testing::RunAtoll({"trail", "show", root});
  size_t appends = 0;
  for (size_t at = 0;
       (at = show.out.find("append stg.app.t by appender@", at)) != std::string::npos; ++at) {
    ++appends;
  }
  EXPECT_EQ(appends, static_cast<size_t>(kClients)) << show.out;
}

}  // namespace
}  // namespace atl::serve
