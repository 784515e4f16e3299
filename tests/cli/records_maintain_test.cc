// `atoll maintain` and the trail (issue 5): maintenance commits are recorded, and metadata
// files that maintenance removed as orphans are accepted as missing by `trail verify`
// (lake_trail.h, the maintenance rule) while any other missing metadata file is not.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/run_atoll.h"
#include "records/lake_trail_fixture.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::lake::testing::TrailLake;
using ::atl::testing::TempDir;
using nlohmann::json;
using ::testing::HasSubstr;

bool IsMetadataFile(const std::string& path) {
  const std::string suffix = ".metadata.json";
  return path.size() > suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(RecordsMaintainTest, RemovedMetadataIsAcceptedOnlyWhenMaintenanceRecordedIt) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TrailLake> l, TrailLake::Make(dir.path()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<trail::Trail> trail, lake::OpenLakeTrail(*l->lake));
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l->Create("stg.shop.orders"));
  ASSERT_OK(l->Record(*trail, t, std::nullopt, trail::RecordKind::kCreate).status());
  // Keep one previous metadata file in the log: older ones become orphans.
  ASSERT_OK(
      t.NewTransaction().SetProperties({{"write.metadata.previous-versions-max", "1"}}).Commit());
  ASSERT_OK(l->Record(*trail, t, t.metadata().current_snapshot_id).status());
  for (const char* f : {"a", "b", "c"}) ASSERT_OK(l->AppendAndRecord(*trail, t, f, 100).status());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  auto before = RunAtoll({"trail", "verify", l->root});
  ASSERT_EQ(before.exit_code, 0) << before.out << before.err;

  auto m = RunAtoll({"maintain", l->root, "stg.shop.orders", "--orphans-older-than", "0ms",
                     "--rewrite-manifests", "--json"});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  json doc = json::parse(m.out);
  std::vector<std::string> removed;
  for (const json& f : doc["tables"][0]["orphans"]["files"]) {
    if (IsMetadataFile(f.get<std::string>())) removed.push_back(f.get<std::string>());
  }
  ASSERT_GE(removed.size(), 3u);  // create, properties, and the first appends' files
  for (const std::string& f : removed) EXPECT_FALSE(std::filesystem::exists(f)) << f;

  // The maintenance commits and removals are in the trail.
  auto show = RunAtoll({"trail", "show", l->root, "stg.shop.orders", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json records = json::parse(show.out);
  int removals = 0, rewrites = 0;
  for (const json& r : records) {
    const json& fields = r["fields"];
    std::string maintenance;
    if (fields.is_object() && fields.contains("maintenance")) maintenance = fields["maintenance"];
    if (fields.is_array()) {
      for (const json& kv : fields) {
        if (kv.is_array() && kv.size() == 2 && kv[0] == "maintenance") maintenance = kv[1];
      }
    }
    if (maintenance == "remove-orphan-files") {
      ++removals;
      EXPECT_EQ(r["files_removed"].size(), removed.size());
    }
    if (maintenance == "rewrite-manifests") ++rewrites;
  }
  EXPECT_EQ(removals, 1) << show.out;
  EXPECT_EQ(rewrites, 1) << show.out;

  auto after = RunAtoll({"trail", "verify", l->root});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_THAT(after.out, HasSubstr("trail OK"));

  // A recorded metadata file removed by hand (the one still in the metadata log) is missing.
  ASSERT_OK(t.Refresh());
  ASSERT_FALSE(t.metadata().metadata_log.empty());
  const std::string kept = t.metadata().metadata_log.back().metadata_file;
  ASSERT_TRUE(std::filesystem::remove(kept)) << kept;
  auto tampered = RunAtoll({"trail", "verify", l->root});
  EXPECT_NE(tampered.exit_code, 0);
  EXPECT_THAT(tampered.out + tampered.err, HasSubstr(kept + " (record"));
  EXPECT_THAT(tampered.out + tampered.err, HasSubstr("missing"));
}

}  // namespace
}  // namespace atl::cli
