// The exactly-once sweeps of `atoll ingest`, shortened (the make targets run them at full
// size; scripts/sweep_lib.sh has the common checks: every good row exactly once, every
// broken file in _rejected/, nothing left in load/ or prepare/):
//   kill_sweep.sh         ingests killed with SIGKILL at random moments (make sweep)
//   concurrency_sweep.sh  four ingest loops, maintain and queries at once (make concurrency-sweep)
//   fault_sweep.sh        S3 connections reset at random (make fault-sweep)
//   disk_full_sweep.sh    the lake and the scratch folder on a full disk (make disk-full-sweep)
// The S3 variants run against s3rver on loopback (SQLite catalog: s3rver ignores
// conditional writes).
#include <string>

#include "cli/run_atoll.h"
#include "storage/s3_test_servers.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::cli::testing::RunProgram;
using ::atl::testing::Env;
using ::testing::HasSubstr;

std::string Script(const std::string& name = "kill_sweep.sh") {
  return Env("ATOLL_SOURCE_DIR").value_or(ATOLL_SOURCE_DIR_FALLBACK) + "/scripts/" + name;
}

TEST(KillSweep, LocalLake) {
  ::atl::testing::TempDir dir;
  auto r = RunProgram({"/bin/bash", Script(), ATOLL_BINARY, "12", "36", dir.Join("sweep")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("PASS"));
}

TEST(KillSweep, S3Lake) {
  ATOLL_REQUIRE_TEST_SERVER(config, "S3RVER");
  const std::map<std::string, std::string> env = storage::testing::S3ClientEnv(*config);
  auto store = storage::testing::OpenFreshBucket(*config, "sweep", &config_reason);
  ASSERT_NE(store, nullptr) << config_reason;
  ::atl::testing::TempDir dir;
  auto r = RunProgram({"/bin/bash", Script(), ATOLL_BINARY, "6", "18", dir.Join("sweep"),
                       "s3://" + store->config().bucket, "sqlite://" + dir.Join("catalog.db")},
                      "", env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("PASS"));
}

TEST(ConcurrencySweep, LocalLake) {
  ::atl::testing::TempDir dir;
  auto r = RunProgram(
      {"/bin/bash", Script("concurrency_sweep.sh"), ATOLL_BINARY, "6", "36", dir.Join("sweep")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("PASS"));
}

TEST(DiskFullSweep, LocalLake) {
  ::atl::testing::TempDir dir;
  auto r = RunProgram(
      {"/bin/bash", Script("disk_full_sweep.sh"), ATOLL_BINARY, "8", "30", dir.Join("sweep")});
  if (r.exit_code == 77) GTEST_SKIP() << r.err;  // no tmpfs mount without root
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("PASS"));
}

TEST(FaultSweep, S3LakeWithConnectionResets) {
  ATOLL_REQUIRE_TEST_SERVER(config, "S3RVER");
  const std::map<std::string, std::string> env = storage::testing::S3ClientEnv(*config);
  auto store = storage::testing::OpenFreshBucket(*config, "faults", &config_reason);
  ASSERT_NE(store, nullptr) << config_reason;
  ::atl::testing::TempDir dir;
  auto r =
      RunProgram({"/bin/bash", Script("fault_sweep.sh"), ATOLL_BINARY, "6", "24", dir.Join("sweep"),
                  "s3://" + store->config().bucket, "sqlite://" + dir.Join("catalog.db"), "15"},
                 "", env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("PASS"));
}

}  // namespace
}  // namespace atl::lake
