// `atoll trail` as a user runs it on a local lake whose tables are committed and recorded
// in-process: verify (clean, tampered record, replaced metadata file), prove, show,
// checkpoint (with and without a key) and reconcile after a simulated crash.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/trail/checkpoint.h"
#include "cli/run_atoll.h"
#include "records/lake_trail_fixture.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::lake::testing::TrailLake;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

class TrailCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = dir_.Join("trail-key.pem");
    ASSERT_OK(trail::GenerateKey(key_));
    ASSERT_OK_AND_ASSIGN(l_, TrailLake::Make(dir_.path()));
    ASSERT_OK_AND_ASSIGN(trail_, lake::OpenLakeTrail(*l_->lake, KeyOptions()));
    ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
    ASSERT_OK(l_->Record(*trail_, t, std::nullopt, trail::RecordKind::kCreate));
    ASSERT_OK(l_->AppendAndRecord(*trail_, t, "a", 100));
    ASSERT_OK(l_->AppendAndRecord(*trail_, t, "b", 200));
    table_.emplace(std::move(t));
  }

  lake::LakeTrailOptions KeyOptions() const {
    lake::LakeTrailOptions o;
    o.key_path = key_;
    return o;
  }
  std::map<std::string, std::string> Env() const { return {{"ATOLL_TRAIL_KEY", key_}}; }
  ::atl::cli::testing::RunResult Trail(std::vector<std::string> args) {
    args.insert(args.begin(), "trail");
    return RunAtoll(args, "", Env());
  }

  TempDir dir_;
  std::string key_;
  std::unique_ptr<TrailLake> l_;
  std::unique_ptr<trail::Trail> trail_;
  std::optional<iceberg::Table> table_;
};

TEST_F(TrailCliTest, CheckpointVerifyShowProve) {
  auto c = Trail({"checkpoint", l_->root});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("checkpoint of 3 records"));

  auto v = Trail({"verify", l_->root});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("trail OK: 3 records"));
  EXPECT_THAT(v.out, HasSubstr("1 of 1 checkpoints valid"));
  EXPECT_THAT(v.out, HasSubstr("3 metadata files checked"));
  EXPECT_THAT(v.out, ::testing::Not(HasSubstr("warning")));

  auto s = Trail({"show", l_->root, "stg.shop.orders", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto doc = nlohmann::json::parse(s.out);
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["kind"], "create");
  EXPECT_EQ(doc[2]["kind"], "append");
  EXPECT_EQ(doc[2]["files_added"][0]["size"], 200);
  EXPECT_EQ(doc[2]["metadata_location"], table_->metadata_location());
  auto none = Trail({"show", l_->root, "stg.shop.other", "--json"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(nlohmann::json::parse(none.out).size(), 0u);

  auto p = Trail({"prove", l_->root, "1"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr("verified: record 1 is in the signed tree of 3 records"));
  auto pj = Trail({"prove", l_->root, "2", "--json"});
  ASSERT_EQ(pj.exit_code, 0) << pj.err;
  auto proof = nlohmann::json::parse(pj.out);
  EXPECT_EQ(proof["tree_size"], 3);
  EXPECT_EQ(proof["index"], 2);
  EXPECT_EQ(proof["audit_path"].size(), 1u);  // leaf 2 of 3: its sibling is the root of 0..1
  EXPECT_EQ(proof["record"]["seq"], 2);

  auto beyond = Trail({"prove", l_->root, "3"});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_THAT(beyond.err, HasSubstr("record 3"));
}

TEST_F(TrailCliTest, TamperedRecordFailsWithAPreciseMessage) {
  ASSERT_EQ(Trail({"checkpoint", l_->root}).exit_code, 0);
  const std::string object = l_->root + "/trail/records/00000000000000000001.rec";
  ASSERT_TRUE(std::filesystem::exists(object));
  std::string bytes = ::atl::testing::ReadFile(object);
  bytes[bytes.size() - 3] ^= 0x20;  // inside the record's last field
  ::atl::testing::WriteFile(object, bytes);
  auto v = Trail({"verify", l_->root});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("failed verification"));
  EXPECT_THAT(v.out, HasSubstr("trail NOT OK"));
  EXPECT_THAT(v.out, HasSubstr("record 1"));
  EXPECT_THAT(v.out, HasSubstr("checkpoint 3"));
}

TEST_F(TrailCliTest, ReplacedMetadataFileFailsVerify) {
  const std::string location = table_->metadata_location();
  ::atl::testing::WriteFile(location, "{}");
  auto v = Trail({"verify", l_->root, "--json"});
  EXPECT_EQ(v.exit_code, 1);
  auto doc = nlohmann::json::parse(v.out);
  EXPECT_FALSE(doc["ok"]);
  // The recorded hash differs, and the table itself no longer loads.
  EXPECT_EQ(doc["problem_count"], 2);
  EXPECT_THAT(doc["problems"][0].get<std::string>(),
              HasSubstr("metadata file " + location + " (record 2)"));
  EXPECT_THAT(doc["problems"][1].get<std::string>(),
              HasSubstr("table stg.shop.orders: cannot be loaded"));
  EXPECT_THAT(v.err, HasSubstr("sha256 differs"));
}

TEST_F(TrailCliTest, ReconcileAddsExactlyTheMissingRecords) {
  // The process crashed after its commit and before its record.
  ASSERT_OK(l_->Append(*table_, "c", 300));
  ASSERT_OK(l_->Append(*table_, "d", 400));
  auto v = Trail({"verify", l_->root});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("warning: 2 committed table changes have no trail record"));
  EXPECT_THAT(v.out, HasSubstr("not covered by a signed checkpoint"));

  auto r = Trail({"reconcile", l_->root, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["records"].size(), 2u);
  EXPECT_EQ(doc["records"][0]["seq"], 3);
  EXPECT_EQ(doc["records"][0]["files_added"][0]["size"], 300);
  EXPECT_EQ(doc["records"][1]["seq"], 4);
  EXPECT_EQ(doc["records"][1]["fields"]["recovered"], "true");
  EXPECT_EQ(doc["records"][1]["snapshot_after"], *table_->metadata().current_snapshot_id);

  auto again = Trail({"reconcile", l_->root});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("1 tables checked, 0 records added"));
  auto s = Trail({"show", l_->root});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("#4 "));
  EXPECT_THAT(s.out, HasSubstr("(recovered)"));
  EXPECT_THAT(s.out, ::testing::Not(HasSubstr("#5 ")));
  ASSERT_EQ(Trail({"checkpoint", l_->root}).exit_code, 0);
  auto clean = Trail({"verify", l_->root});
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_THAT(clean.out, ::testing::Not(HasSubstr("warning")));
}

TEST_F(TrailCliTest, SyncFillsTheAuditTableForSql) {
  auto first = Trail({"sync", l_->root});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("table trail.atoll.audit: 3 records appended, 3 in all"));
  auto again = Trail({"sync", l_->root});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("0 records appended, 3 in all"));
  auto q =
      RunAtoll({"query", l_->root,
                "SELECT string_agg(operation, ',' ORDER BY seq) AS ops, sum(bytes_added) AS bytes "
                "FROM iceberg_scan('trail/atoll/audit')",
                "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_THAT(q.out, HasSubstr("\"create,append,append\",300"));
  // The audit table is not itself recorded.
  auto r = Trail({"reconcile", l_->root});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 tables checked, 0 records added"));
}

TEST_F(TrailCliTest, CheckpointWithoutAKeyIsRefused) {
  auto c = RunAtoll({"trail", "checkpoint", l_->root}, "", {{"ATOLL_TRAIL_KEY", ""}});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr("no trail signing key"));
  EXPECT_THAT(c.err, HasSubstr("ATOLL_TRAIL_KEY"));
  EXPECT_FALSE(std::filesystem::exists(l_->root + "/trail/checkpoints"));
  auto bad = Trail({"frobnicate", l_->root});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("unknown trail subcommand 'frobnicate'"));
}

}  // namespace
}  // namespace atl::cli
