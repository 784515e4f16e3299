// lake::RecordRun after an ingest on a local lake: statistics rows for the new snapshots,
// the pending events flushed into the log table, nothing recorded twice, no warnings.
#include "atoll/records/record_run.h"

#include <sstream>
#include <string>
#include <vector>

#include "ingest/ingest_fixture.h"

namespace atl::lake {
namespace {

class RecordRunTest : public testing::IngestFixture {};

TEST_F(RecordRunTest, RecordsStatisticsAndTheLogOnceWithoutWarnings) {
  Drop("prepare/shop/orders/a.csv", "id,name\n1,x\n2,y\n");
  ASSERT_OK(Ingest().status());
  std::vector<std::string> warnings;
  RecordRunOptions options;
  options.command = "atoll test";
  options.on_warning = [&](std::string_view what, const Status& st) {
    warnings.push_back(StrCat(what, ": ", st.ToString()));
  };
  std::ostringstream echo;
  EventLog log({.command = "atoll test", .echo = &echo});
  log.Info("stg.shop.orders", "a test event");

  const RecordRunReport first = RecordRun(*lake_, log, options);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_TRUE(first.warnings.empty());
  ASSERT_TRUE(first.stats.has_value());
  EXPECT_GE(first.stats->table_rows, 1u);
  EXPECT_GE(first.stats->column_rows, 2u);
  EXPECT_EQ(log.pending(), 0u);
  EXPECT_EQ(Scalar("SELECT count(*) FROM iceberg_scan('log/atoll/events') WHERE message = "
                   "'a test event'"),
            "1");

  const RecordRunReport second = RecordRun(*lake_, log, options);
  ASSERT_TRUE(second.stats.has_value());
  EXPECT_EQ(second.stats->table_rows, 0u);
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace atl::lake
