// Leases on tables (lease.h): a KeptLease stays held past its TTL while its holder works,
// notices when another process took it over, and is released when dropped.
#include "atoll/lake/lease.h"

#include <chrono>
#include <memory>
#include <thread>

#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

constexpr int64_t kTtlMs = 300;

void Sleep(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

TEST(LeaseTest, AnUnrenewedLeaseCanBeTakenOverAfterItsTtl) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lease> first, Lease::Acquire(store, "t", kTtlMs));
  EXPECT_EQ(Lease::Acquire(store, "t", kTtlMs).status().code(), StatusCode::kAlreadyExists);
  Sleep(2 * kTtlMs);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lease> second, Lease::Acquire(store, "t", kTtlMs));
  EXPECT_EQ(first->Renew().code(), StatusCode::kAlreadyExists);
}

TEST(LeaseTest, AKeptLeaseStaysHeldLongPastItsTtl) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KeptLease> kept, KeptLease::Acquire(store, "t", kTtlMs));
  for (int i = 0; i < 6; ++i) {
    Sleep(kTtlMs);
    EXPECT_EQ(Lease::Acquire(store, "t", kTtlMs).status().code(), StatusCode::kAlreadyExists)
        << "after " << (i + 1) * kTtlMs << " ms";
    EXPECT_OK(kept->Check());
  }
  EXPECT_GE(kept->renewals(), 6);
}

TEST(LeaseTest, AKeptLeaseReportsATakeover) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KeptLease> kept, KeptLease::Acquire(store, "t", kTtlMs));
  // Another process removes it (an operator, a clock jump) and takes the table.
  ASSERT_OK(storage::Delete(*store, Lease::KeyFor("t")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lease> other, Lease::Acquire(store, "t", 60'000));
  Sleep(2 * kTtlMs);
  Status st = kept->Check();
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  // Dropping the lost lease leaves the other holder's lease alone.
  kept.reset();
  EXPECT_EQ(Lease::Acquire(store, "t", kTtlMs).status().code(), StatusCode::kAlreadyExists);
}

TEST(LeaseTest, ADroppedKeptLeaseIsReleased) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<KeptLease> kept, KeptLease::Acquire(store, "t", 60'000));
  kept.reset();
  EXPECT_OK(Lease::Acquire(store, "t", 60'000).status());
}

}  // namespace
}  // namespace atl::lake
