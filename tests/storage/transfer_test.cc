#include "atoll/storage/transfer.h"

#include <filesystem>
#include <mutex>

#include "atoll/storage/fault_store.h"
#include "atoll/storage/local_store.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::RandomBytes;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

// Fast retries: tests inject many faults.
TransferOptions FastOptions() {
  TransferOptions options;
  options.retry.max_attempts = 8;
  options.retry.base_delay = std::chrono::milliseconds(1);
  options.retry.max_delay = std::chrono::milliseconds(5);
  return options;
}

// A rule failing `ratio` of the calls with `kind`.
FaultRule Flaky(FaultKind kind, double ratio) {
  FaultRule rule;
  rule.kind = kind;
  rule.ratio = ratio;
  return rule;
}

std::string Content(int i) { return RandomBytes(100 + (i * 37) % 5000, static_cast<uint64_t>(i)); }

TEST(TransferTest, CopiesTwoHundredObjectsCorrectlyDespiteFivePercentFailures) {
  auto src_inner = std::make_shared<MemoryStore>("src");
  auto dst_inner = std::make_shared<MemoryStore>("dst");
  for (int i = 0; i < 200; ++i)
    ASSERT_OK(PutString(*src_inner, "in/obj-" + std::to_string(i), Content(i)));
  FaultStore src(src_inner, /*seed=*/7);
  FaultStore dst(dst_inner, /*seed=*/11);
  // Every operation of both stores fails 5% of the time; a Put may even take effect
  // and still report failure (unknown outcome).
  for (FaultOp op : {FaultOp::kGet, FaultOp::kHead, FaultOp::kList}) {
    src.SetRule(op, Flaky(FaultKind::kUnavailable, 0.05));
    dst.SetRule(op, Flaky(FaultKind::kUnavailable, 0.05));
  }
  dst.SetRule(FaultOp::kPut, Flaky(FaultKind::kUnknownOutcome, 0.05));

  TransferOptions options = FastOptions();
  options.parallel = 8;
  ASSERT_OK_AND_ASSIGN(std::vector<CopyItem> items,
                       PlanPrefixCopy(src, "in/", "out/", options.retry));
  ASSERT_EQ(items.size(), 200u);
  ASSERT_OK_AND_ASSIGN(TransferSummary summary, CopyObjects(src, dst, items, options));

  EXPECT_EQ(summary.objects, 200u);
  EXPECT_GT(summary.retries, 0u);
  uint64_t faults = 0;
  for (FaultOp op : {FaultOp::kGet, FaultOp::kHead, FaultOp::kPut})
    faults += src.faults(op) + dst.faults(op);
  EXPECT_GT(faults, 10u);
  uint64_t bytes = 0;
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(std::string got, dst_inner->Get("out/obj-" + std::to_string(i)));
    ASSERT_EQ(got, Content(i)) << "object " << i;
    bytes += got.size();
  }
  EXPECT_EQ(summary.bytes, bytes);
}

TEST(TransferTest, PlanPrefixCopyMapsKeysAndSkipsFolderMarkers) {
  MemoryStore src;
  ASSERT_OK(PutString(src, "a/x", "1"));
  ASSERT_OK(PutString(src, "a/sub/y", "22"));
  ASSERT_OK(PutString(src, "a/sub/", ""));
  ASSERT_OK(PutString(src, "ab", "not under a/"));
  ASSERT_OK_AND_ASSIGN(std::vector<CopyItem> items, PlanPrefixCopy(src, "a/", "b/c/"));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].src_key, "a/sub/y");
  EXPECT_EQ(items[0].dst_key, "b/c/sub/y");
  EXPECT_EQ(items[0].size, 2u);
  EXPECT_EQ(items[1].dst_key, "b/c/x");
}

TEST(TransferTest, StreamsLargeObjectsThroughFilesBetweenEveryKindOfStore) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<LocalStore> local, LocalStore::Open(dir.Join("local")));
  MemoryStore memory("memory");
  MemoryStore memory2("memory2");
  const std::string big = RandomBytes(3 << 20, 42);
  ASSERT_OK(PutString(*local, "big.bin", big));
  TransferOptions options = FastOptions();
  options.in_memory_max_size = 64 << 10;  // forces the file paths for "big"
  options.temp_dir = dir.path();

  // local → memory: Put from the source file.
  ASSERT_OK(CopyObjects(*local, memory, {{"big.bin", "m/big.bin", big.size()}}, options));
  EXPECT_EQ(memory.Get("m/big.bin").value_or(""), big);
  // memory → local: downloaded beside the destination, then stored.
  ASSERT_OK(CopyObjects(memory, *local, {{"m/big.bin", "back/big.bin", big.size()}}, options));
  EXPECT_EQ(::atl::testing::ReadFile(dir.Join("local/back/big.bin")), big);
  // memory → memory: through a temporary file in temp_dir.
  ASSERT_OK(CopyObjects(memory, memory2, {{"m/big.bin", "big.bin", big.size()}}, options));
  EXPECT_EQ(memory2.Get("big.bin").value_or(""), big);
  // No temporary file is left behind.
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    EXPECT_THAT(e.path().filename().string(), ::testing::Not(HasSubstr(".atoll-transfer")));
  }
}

TEST(TransferTest, CopiesWithinOneStoreOnTheServerSide) {
  auto inner = std::make_shared<MemoryStore>("one");
  ASSERT_OK(PutString(*inner, "a", "payload"));
  FaultStore store(inner);
  ASSERT_OK(CopyObjects(store, store, {{"a", "b", 7}}, FastOptions()));
  EXPECT_EQ(inner->Get("b").value_or(""), "payload");
  EXPECT_EQ(store.calls(FaultOp::kCopy), 1u);
  EXPECT_EQ(store.calls(FaultOp::kPut), 0u);
}

TEST(TransferTest, StopsAtAPermanentErrorNamingTheObject) {
  MemoryStore src("src");
  auto dst_inner = std::make_shared<MemoryStore>("dst");
  FaultStore dst(dst_inner);
  std::vector<CopyItem> items;
  for (int i = 0; i < 50; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_OK(PutString(src, key, "v"));
    items.push_back({key, key, 1});
  }
  dst.SetRule(FaultOp::kPut, {.kind = FaultKind::kIOError, .fail_calls = {3}});
  TransferOptions options = FastOptions();
  options.parallel = 1;
  auto r = CopyObjects(src, dst, items, options);
  EXPECT_THAT(r, IsError(StatusCode::kIOError));
  EXPECT_THAT(r.status().message(), HasSubstr("copying memory://src/k2 to memory://dst/k2"));
  EXPECT_EQ(dst.calls(FaultOp::kPut), 3u);  // nothing after the failure
}

TEST(TransferTest, DetectsASourceThatChangedSinceItWasListed) {
  MemoryStore src("src"), dst("dst");
  ASSERT_OK(PutString(src, "k", "longer now"));
  auto r = CopyObjects(src, dst, {{"k", "k", 3}}, FastOptions());
  EXPECT_THAT(r, IsError(StatusCode::kIOError));
  EXPECT_THAT(r.status().message(), HasSubstr("changed"));
}

// A store that silently drops the last byte of what it is given (a broken backend).
class TruncatingStore final : public Store {
 public:
  Result<std::string> Get(std::string_view key, ByteRange range) override {
    return inner_.Get(key, range);
  }
  Result<ObjectInfo> Head(std::string_view key) override { return inner_.Head(key); }
  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options) override {
    ATOLL_ASSIGN_OR_RETURN(std::string data, body.Slice(0, body.size()));
    if (!data.empty()) data.back() ^= 0x1;
    return PutString(inner_, key, std::move(data), options);
  }
  Result<ListPage> List(std::string_view prefix, const ListOptions& options) override {
    return inner_.List(prefix, options);
  }
  Status DeleteMany(const std::vector<std::string>& keys) override {
    return inner_.DeleteMany(keys);
  }
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override {
    return inner_.Copy(src, dst);
  }
  std::string Describe() const override { return "truncating://"; }

 private:
  MemoryStore inner_;
};

TEST(TransferTest, VerificationCatchesCorruptedCopies) {
  MemoryStore src;
  TruncatingStore dst;
  ASSERT_OK(PutString(src, "k", "some bytes"));
  auto r = CopyObjects(src, dst, {{"k", "k", 10}}, FastOptions());
  EXPECT_THAT(r, IsError(StatusCode::kCorruption));
}

TEST(TransferTest, ReportsProgressUpToTheTotals) {
  MemoryStore src("src"), dst("dst");
  std::vector<CopyItem> items;
  for (int i = 0; i < 20; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_OK(PutString(src, key, std::string(i + 1, 'x')));
    items.push_back({key, key, static_cast<uint64_t>(i + 1)});
  }
  std::vector<ProgressCounts> seen;
  TransferOptions options = FastOptions();
  options.on_progress = [&](const ProgressCounts& c) { seen.push_back(c); };  // serialised
  ASSERT_OK(CopyObjects(src, dst, items, options));
  ASSERT_EQ(seen.size(), 21u);
  EXPECT_EQ(seen.front().objects_done, 0u);
  EXPECT_EQ(seen.back().objects_done, 20u);
  EXPECT_EQ(seen.back().bytes_done, 210u);
  EXPECT_EQ(seen.back().bytes_total, 210u);
  for (size_t i = 1; i < seen.size(); ++i)
    EXPECT_GT(seen[i].objects_done, seen[i - 1].objects_done);
}

TEST(TransferTest, EmptyListIsANoOp) {
  MemoryStore src, dst;
  ASSERT_OK_AND_ASSIGN(TransferSummary s, CopyObjects(src, dst, {}, FastOptions()));
  EXPECT_EQ(s.objects, 0u);
}

}  // namespace
}  // namespace atl::storage
