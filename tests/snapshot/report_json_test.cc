// The JSON forms of the snapshot step reports (report_json.h): the members `atoll snapshot`
// prints and validation.json holds, present exactly when the report says so.
#include "atoll/snapshot/report_json.h"

#include <gtest/gtest.h>

namespace atl::snapshot {
namespace {

TEST(SnapshotReportJson, ASkippedCommitCarriesOnlyWhatItKnows) {
  CommitReport r;
  r.run_id = "shop.orders@2021-01-01T08:30:00Z";
  r.skipped = "already committed";
  r.snapshot_id = 42;
  EXPECT_EQ(ToJson(r),
            Json::parse(R"({"step": "commit", "run_id": "shop.orders@2021-01-01T08:30:00Z",
                                       "skipped": "already committed", "snapshot_id": 42})"));
  r.skipped.clear();
  r.n_record = 7;
  r.n_file = 1;
  r.removed_files = 0;
  EXPECT_EQ(ToJson(r),
            Json::parse(R"({"step": "commit", "run_id": "shop.orders@2021-01-01T08:30:00Z",
                                       "snapshot_id": 42, "n_record": 7, "n_file": 1,
                                       "removed_files": 0})"));
}

TEST(SnapshotReportJson, ValidationNamesTheTableCheckByItsKind) {
  ValidationReport r;
  r.run_id = "r";
  r.ok = true;
  r.rows_read = 5;
  r.partitions.push_back({.partition = "region=r0", .ok = true, .staging_records = 5});
  const Json without = ToJson(r);
  EXPECT_FALSE(without.contains("table"));
  EXPECT_EQ(without["source"]["rows_read"], 5);
  EXPECT_EQ(without["partitions"][0]["partition"], "region=r0");
  EXPECT_EQ(without["partitions"][0]["staging_records"], 5);
  EXPECT_EQ(without["partitions"][0].size(), 11u);
  r.table = TableCheck{.snapshot_id = 9, .expired = true};
  EXPECT_EQ(ToJson(r)["table"], Json::parse(R"({"snapshot_id": 9, "expired": true})"));
  r.table = TableCheck{.snapshot_id = 9, .added_records = 5, .added_data_files = 1};
  EXPECT_EQ(ToJson(r)["table"],
            Json::parse(R"({"snapshot_id": 9, "added_records": 5, "added_data_files": 1})"));
}

TEST(SnapshotReportJson, StageAndStatusReports) {
  StageReport stage;
  stage.group = 3;
  stage.skipped = "already done";
  EXPECT_EQ(ToJson(stage),
            Json::parse(R"({"step": "stage", "group": 3, "skipped": "already done"})"));
  StatusReport status;
  status.run_id = "r";
  status.staging = "/s";
  status.phase = "stage";
  status.stage_groups = 4;
  status.stage_done = 1;
  EXPECT_EQ(ToJson(status), Json::parse(R"({"run_id": "r", "staging": "/s", "phase": "stage",
                                            "stage": {"groups": 4, "done": 1},
                                            "compact": {"groups": 0, "done": 0},
                                            "committed": false})"));
}

}  // namespace
}  // namespace atl::snapshot
