// The exactly-once sweep of `atoll ingest` (scripts/kill_sweep.sh), shortened: ingests
// killed with SIGKILL at random moments while mixed files arrive, then a final ingest
// must hold every good row exactly once, every broken file in _rejected/, and nothing
// left in load/ or prepare/. `make sweep` runs the full size (200 kills, 500 files).
// The S3 variant runs against s3rver on loopback (SQLite catalog: s3rver ignores
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

std::string Script() {
  return Env("ATOLL_SOURCE_DIR").value_or(ATOLL_SOURCE_DIR_FALLBACK) + "/scripts/kill_sweep.sh";
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

}  // namespace
}  // namespace atl::lake
