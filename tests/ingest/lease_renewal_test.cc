// A table's ingest run keeps its lease for as long as it works: a run that works longer
// than the lease's time to live still holds the table, so a second process cannot take it
// meanwhile (and load the same files), and the run's own commit goes through.
#include <chrono>
#include <thread>

#include "atoll/lake/lease.h"
#include "cli/run_atoll.h"
#include "ingest/ingest_fixture.h"

namespace atl::lake::testing {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::testing::HasSubstr;

class LeaseRenewalTest : public IngestFixture {};

TEST_F(LeaseRenewalTest, ARunWorkingLongerThanTheLeaseTtlKeepsItsTableFromASecondProcess) {
  Drop("prepare/shop/orders/a.csv", "id,name\n1,a\n2,b\n3,c\n");
  constexpr int64_t kTtlMs = 600;
  IngestOptions o;
  o.lease_ttl_ms = kTtlMs;
  bool worked_long = false;
  RunResult second;
  Status contender;
  o.progress = [&](const IngestProgress& p) {
    if (p.phase != "commit" || worked_long) return;
    worked_long = true;
    // The holder works three times the lease's TTL before its commit...
    std::this_thread::sleep_for(std::chrono::milliseconds(3 * kTtlMs));
    // ...while another `atoll ingest` process and another lease holder try the table.
    second = RunAtoll({"ingest", root(), "--table", "shop.orders"});
    contender = Lease::Acquire(lake_->shared_store(), "ingest.shop.orders", 60'000).status();
  };
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest(o));

  ASSERT_TRUE(worked_long);
  EXPECT_THAT(second.out, HasSubstr("stg.shop.orders: skipped (another process is ingesting it)"))
      << "exit " << second.exit_code << "\n"
      << second.out << second.err;
  EXPECT_EQ(contender.code(), StatusCode::kAlreadyExists) << contender.ToString();
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  EXPECT_FALSE(report.tables[0].busy);
  EXPECT_EQ(report.tables[0].files_loaded, 1u);
  EXPECT_EQ(Scalar(StrCat("SELECT count(*) FROM ", Scan("shop", "orders"))), "3");
  // Released at the end of the run: the table can be taken again.
  EXPECT_OK(Lease::Acquire(lake_->shared_store(), "ingest.shop.orders", 60'000).status());
}

}  // namespace
}  // namespace atl::lake::testing
