// `atoll init` as a user runs it: creates, is idempotent, refuses different settings
// without --force, and writes what the options say.
#include <fstream>
#include <nlohmann/json.hpp>

#include "atoll/lake/settings.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

Settings Stored(const std::string& lake) {
  auto s = ParseSettings(::atl::testing::ReadFile(lake + "/_atoll/settings.json"));
  EXPECT_OK(s);
  return s.ok() ? *s : Settings{};
}

TEST(CliInitTest, CreatesIsIdempotentAndNeedsForceToChange) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  auto first = RunAtoll({"init", lake});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("initialised atoll lake"));
  EXPECT_EQ(Stored(lake), Settings{});
  const std::string text = ::atl::testing::ReadFile(lake + "/_atoll/settings.json");

  auto again = RunAtoll({"init", lake, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto doc = nlohmann::json::parse(again.out);
  EXPECT_EQ(doc["outcome"], "unchanged");
  EXPECT_EQ(::atl::testing::ReadFile(lake + "/_atoll/settings.json"), text);

  auto refused = RunAtoll({"init", lake, "--zones", "bronze,silver,gold"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  EXPECT_THAT(refused.err, HasSubstr("/zones/stg"));
  EXPECT_EQ(::atl::testing::ReadFile(lake + "/_atoll/settings.json"), text);

  auto forced = RunAtoll({"init", lake, "--zones", "bronze,silver,gold", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("replaced"));
  Settings s = Stored(lake);
  EXPECT_EQ(s.zones.stg, "bronze");
  EXPECT_EQ(s.zones.tmp, "silver");
  EXPECT_EQ(s.zones.prd, "gold");
}

TEST(CliInitTest, OptionsAreWritten) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  auto r = RunAtoll({"init", lake, "--catalog", "sqlite:/tmp/catalog.db", "--partition-by",
                     "day(_etl_loaded_at), bucket(8, id)", "--target-file-size", "256MiB",
                     "--batch-size", "1MB", "--zones", "prepare=raw,rejected=quarantine"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Settings s = Stored(lake);
  EXPECT_EQ(s.catalog, "sqlite:/tmp/catalog.db");
  EXPECT_EQ(s.partition_by, (std::vector<std::string>{"day(_etl_loaded_at)", "bucket(8, id)"}));
  EXPECT_EQ(s.target_file_size_bytes, 256u << 20);
  EXPECT_EQ(s.prepare.batch_target_bytes, 1000000u);
  EXPECT_EQ(s.zones.prepare, "raw");
  EXPECT_EQ(s.zones.rejected, "quarantine");
  EXPECT_EQ(s.zones.stg, "stg");
}

TEST(CliInitTest, BadOptionsFailWithoutWriting) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"init", lake, "--partition-by", "days(x)"},
        std::vector<std::string>{"init", lake, "--zones", "bronze,silver"},
        std::vector<std::string>{"init", lake, "--zones", "gold=x"},
        std::vector<std::string>{"init", lake, "--catalog", "mysql://x"},
        std::vector<std::string>{"init", lake, "--target-file-size", "lots"}}) {
    auto r = RunAtoll(args);
    EXPECT_EQ(r.exit_code, 1) << args[3];
    EXPECT_THAT(r.err, HasSubstr("atoll: error:"));
  }
  EXPECT_FALSE(std::ifstream(lake + "/_atoll/settings.json").good());
  auto usage = RunAtoll({"init"});
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace atl::lake
