// Files that are still being written, or replaced, while ingest runs: a source is
// committed only in the version that was read and deleted only while it still is that
// version (source_check.h), so no row is lost:
//   - a writer appends rows to a CSV in prepare/ while ingests run (20 repetitions, both
//     the direct and the load/ way): at the end the table holds every row once;
//   - an object replaced right after it was read (local lake and s3rver) is not committed
//     in its old version, and its new version loads in full;
//   - an object replaced after its rows were committed is not deleted: the new version is
//     new data and loads in full on the next run;
//   - prepare.min_age leaves young files for a later run.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "atoll/ingest/rejects.h"
#include "atoll/storage/local_store.h"
#include "ingest/ingest_fixture.h"
#include "storage/s3_test_servers.h"

namespace atl::lake {
namespace {

using ::testing::HasSubstr;

class GrowingFileTest : public testing::IngestFixture {};

TEST_F(GrowingFileTest, RowsAppendedWhileIngestRunsAreEachLoadedOnce) {
  constexpr int kRepetitions = 20;
  constexpr int kRows = 3000;
  for (int rep = 0; rep < kRepetitions; ++rep) {
    SCOPED_TRACE(StrCat("repetition ", rep));
    const std::string table = StrCat("t", rep);
    const std::string path = Path(StrCat("prepare/grow/", table, "/data.csv"));
    // The file appears with its header (renamed in); the rows are appended one write each.
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    ::atl::testing::WriteFile(dir_.Join("header"), "id,payload\n");
    std::filesystem::rename(dir_.Join("header"), path);
    const int64_t base = int64_t{rep} * 1000000;
    std::atomic<bool> done{false};
    std::thread writer([&] {
      int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
      for (int i = 0; i < kRows && fd >= 0; ++i) {
        const std::string line = StrCat(base + i, ",row-", i, "-", std::string(i % 50, 'p'), "\n");
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      if (fd >= 0) ::close(fd);
      done = true;
    });
    IngestOptions options;
    options.tables = {"grow." + table};
    options.direct_load = rep % 2 == 0;  // straight into the table, or through load/
    options.record_trail = false;
    int runs = 0;
    while (!done) {
      Result<IngestReport> report = Ingest(options);
      EXPECT_OK(report.status());
      if (report.ok()) {
        EXPECT_TRUE(report->ok()) << report->tables[0].error;
      }
      ++runs;
    }
    writer.join();
    ASSERT_OK_AND_ASSIGN(IngestReport last, Ingest(options));
    EXPECT_TRUE(last.ok());
    EXPECT_GE(runs, 1);
    EXPECT_FALSE(std::filesystem::exists(path));
    const std::string scan = Scan("grow", table);
    EXPECT_EQ(Scalar(StrCat("SELECT count(*) FROM ", scan)), std::to_string(kRows));
    EXPECT_EQ(Scalar(StrCat("SELECT count(DISTINCT id) FROM ", scan)), std::to_string(kRows));
    EXPECT_EQ(Scalar(StrCat("SELECT min(id) || ':' || max(id) FROM ", scan)),
              StrCat(base, ":", base + kRows - 1));
    EXPECT_EQ(Scalar(StrCat("SELECT count(*) FROM ", scan, " WHERE payload <> 'row-' || (id - ",
                            base, ") || '-' || repeat('p', ((id - ", base, ") % 50)::INT)")),
              "0");
    if (HasFailure()) break;
  }
}

// Forwards to a store and calls `after(op, key)` after each Get, Put and DeleteMany.
class HookStore final : public storage::Store {
 public:
  using Hook = std::function<void(std::string_view op, std::string_view key)>;
  HookStore(std::shared_ptr<storage::Store> inner, Hook after)
      : inner_(std::move(inner)), after_(std::move(after)) {}
  Result<std::string> Get(std::string_view key, storage::ByteRange range) override {
    auto r = inner_->Get(key, range);
    after_("get", key);
    return r;
  }
  Result<storage::ObjectInfo> Head(std::string_view key) override { return inner_->Head(key); }
  Result<storage::ObjectInfo> Put(std::string_view key, const storage::Body& body,
                                  const storage::PutOptions& options) override {
    auto r = inner_->Put(key, body, options);
    after_("put", key);
    return r;
  }
  Result<storage::ListPage> List(std::string_view prefix,
                                 const storage::ListOptions& options) override {
    return inner_->List(prefix, options);
  }
  Status DeleteMany(const std::vector<std::string>& keys) override {
    return inner_->DeleteMany(keys);
  }
  Result<storage::ObjectInfo> Copy(std::string_view src, std::string_view dst) override {
    return inner_->Copy(src, dst);
  }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::shared_ptr<storage::Store> inner_;
  Hook after_;
};

// "version,id" rows 1..n of one version of a file.
std::string Version(int version, int rows) {
  std::string out = "version,id\n";
  for (int i = 1; i <= rows; ++i) out += StrCat(version, ",", i, "\n");
  return out;
}

// An object replaced during an ingest, on a local directory or an S3 server. The lake is
// opened on a HookStore (so prepare fetches through it instead of reading in place).
class ReplacedFileTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    Settings settings;
    if (GetParam() == "LOCAL") {
      ASSERT_OK_AND_ASSIGN(inner_, storage::LocalStore::Open(dir_.Join("lake")));
    } else {
      ATOLL_REQUIRE_TEST_SERVER(config, GetParam());
      auto s3 = storage::testing::OpenFreshBucket(*config, "replaced", &config_reason);
      ASSERT_NE(s3, nullptr) << config_reason;
      inner_ = std::shared_ptr<storage::Store>(std::move(s3));
      settings.catalog = "sqlite://" + dir_.Join("catalog.db");  // s3rver ignores conditions
      // The operator allows this catalog outside the lake (lake_tables.h, CheckCatalogAllowed).
      ::setenv("ATOLL_ALLOW_CATALOG", settings.catalog.c_str(), 1);
    }
    auto store =
        std::make_shared<HookStore>(inner_, [this](std::string_view op, std::string_view key) {
          std::function<void()> action;
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (!hook_ || op != hook_op_ || key.find(hook_key_) == std::string_view::npos) return;
            action = std::move(hook_);
            hook_ = nullptr;
          }
          action();
        });
    ASSERT_OK(InitLake(*store, settings).status());
    ASSERT_OK_AND_ASSIGN(lake_, Lake::Open(store));
  }

  // Runs `action` once, after the first `op` on a key containing `key_part`.
  void OnceAfter(std::string op, std::string key_part, std::function<void()> action) {
    std::lock_guard<std::mutex> lock(mu_);
    hook_op_ = std::move(op);
    hook_key_ = std::move(key_part);
    hook_ = std::move(action);
  }

  Result<IngestReport> Run() {
    IngestOptions o;
    o.work_dir = dir_.Join("work");
    o.record_trail = false;
    return Ingest(*lake_, o);
  }

  void Put(const std::string& key, const std::string& text) {
    ASSERT_OK(storage::PutString(*inner_, key, text).status());
  }

  ::atl::testing::TempDir dir_;
  std::shared_ptr<storage::Store> inner_;
  std::unique_ptr<Lake> lake_;
  std::mutex mu_;
  std::string hook_op_, hook_key_;
  std::function<void()> hook_;
};

TEST_P(ReplacedFileTest, AFileReplacedWhileItIsReadIsLoadedInItsNewVersionOnly) {
  const std::string key = "prepare/o/t/data.csv";
  Put(key, Version(1, 3));
  OnceAfter("get", key, [&] { Put(key, Version(2, 5)); });
  ASSERT_OK_AND_ASSIGN(IngestReport first, Run());
  ASSERT_TRUE(first.ok()) << first.tables[0].error;
  EXPECT_EQ(first.rows(), 0);  // version 1 may have been read torn: not committed
  ASSERT_EQ(first.tables[0].prepared.left.size(), 1u);
  EXPECT_EQ(first.tables[0].prepared.left[0].key, key);
  ASSERT_OK_AND_ASSIGN(std::string now, inner_->Get(key));
  EXPECT_EQ(now, Version(2, 5));

  ASSERT_OK_AND_ASSIGN(IngestReport second, Run());
  EXPECT_EQ(second.rows(), 5);
  EXPECT_THAT(inner_->Head(key), ::atl::testing::IsError(StatusCode::kNotFound));
}

TEST_P(ReplacedFileTest, AFileReplacedAfterItsRowsCommittedStaysAndLoadsAsNewData) {
  const std::string key = "prepare/o/t/data.csv";
  Put(key, Version(1, 3));
  // The ledger entry is written just before the commit: replace the source then.
  OnceAfter("put", "_atoll/ingest/stg.o.t/pending/", [&] { Put(key, Version(2, 5)); });
  ASSERT_OK_AND_ASSIGN(IngestReport first, Run());
  ASSERT_TRUE(first.ok()) << first.tables[0].error;
  EXPECT_EQ(first.rows(), 3);
  ASSERT_EQ(first.tables[0].left.size(), 1u);  // not deleted: it is not what was read
  ASSERT_OK_AND_ASSIGN(std::string now, inner_->Get(key));
  EXPECT_EQ(now, Version(2, 5));

  ASSERT_OK_AND_ASSIGN(IngestReport second, Run());
  EXPECT_EQ(second.rows(), 5);  // the new version, in full
  EXPECT_THAT(inner_->Head(key), ::atl::testing::IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(IngestReport third, Run());
  EXPECT_EQ(third.rows(), 0);
}

TEST_P(ReplacedFileTest, AJsonFileReplacedWhileItIsReadIsNotConverted) {
  // The load/ way: prepare converts the file; its object is replaced after the fetch.
  const std::string key = "prepare/o/t/data.json";
  Put(key, "[{\"version\": 1, \"id\": 1}]");
  OnceAfter("get", key,
            [&] { Put(key, "[{\"version\": 2, \"id\": 1}, {\"version\": 2, \"id\": 2}]"); });
  ASSERT_OK_AND_ASSIGN(IngestReport first, Run());
  ASSERT_TRUE(first.ok()) << first.tables[0].error;
  EXPECT_EQ(first.rows(), 0);
  ASSERT_OK_AND_ASSIGN(IngestReport second, Run());
  EXPECT_EQ(second.rows(), 2);
  EXPECT_THAT(inner_->Head(key), ::atl::testing::IsError(StatusCode::kNotFound));
}

INSTANTIATE_TEST_SUITE_P(Stores, ReplacedFileTest, ::testing::Values("LOCAL", "S3RVER"));

TEST_F(GrowingFileTest, FilesYoungerThanMinAgeWaitForALaterRun) {
  Settings s;
  s.prepare.min_age_ms = 60 * 1000;
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  Drop("prepare/m/t/a.csv", "id\n1\n");
  ASSERT_OK_AND_ASSIGN(IngestReport first, Ingest());
  ASSERT_EQ(first.tables.size(), 1u);
  ASSERT_EQ(first.tables[0].prepared.left.size(), 1u);
  EXPECT_EQ(first.rows(), 0);
  EXPECT_TRUE(Exists("prepare/m/t/a.csv"));
  IngestOptions later;
  later.now_ms = [] { return SystemNowMs() + 61 * 1000; };
  ASSERT_OK_AND_ASSIGN(IngestReport second, Ingest(later));
  EXPECT_EQ(second.rows(), 1);
  EXPECT_FALSE(Exists("prepare/m/t/a.csv"));
}

}  // namespace
}  // namespace atl::lake
