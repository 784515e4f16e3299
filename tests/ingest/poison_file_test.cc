// No poison files: a file that can never load under the lake's limits (here a Parquet
// value larger than prepare.memory_limit, which DuckDB refuses with "Out of Memory Error")
// is moved to _rejected/ with a reason naming the limit and the setting that raises it,
// instead of failing every run and staying where it is; the other files of the run load,
// and `atoll ingest` says how many were rejected (exit status 3). A store that is
// unavailable while the files are isolated rejects nothing.
#include <string>

#include "atoll/storage/fault_store.h"
#include "atoll/storage/memory_store.h"
#include "cli/run_atoll.h"
#include "ingest/ingest_fixture.h"

namespace atl::lake {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::testing::HasSubstr;

constexpr char kLimit[] = "64MB";

class PoisonFileTest : public testing::IngestFixture {
 protected:
  void SetUp() override {
    Settings s;
    s.prepare.memory_limit = kLimit;
    ASSERT_NO_FATAL_FAILURE(InitWith(s));
    // One 100 MB string in one page: reading it takes a 128 MiB buffer, twice the limit.
    // zstd keeps the file itself small.
    big_ = dir_.Join("big.parquet");
    good_ = dir_.Join("good.parquet");
    ASSERT_OK(
        engine_->Execute(StrCat("COPY (SELECT 1000 AS id, repeat('x', 100000000) AS s) TO ",
                                engine::QuoteString(big_), " (FORMAT parquet, COMPRESSION zstd)")));
    ASSERT_OK(
        engine_->Execute(StrCat("COPY (SELECT range AS id, 'v' || range AS s FROM range(10)) TO ",
                                engine::QuoteString(good_), " (FORMAT parquet)")));
  }

  void DropCopy(const std::string& key, const std::string& file) {
    Drop(key, ::atl::testing::ReadFile(file));
  }

  // Asserts that `key` was moved to _rejected/ with a reason naming the limit and the setting.
  void ExpectRejectedForMemory(const std::string& key, const std::string& stage) {
    SCOPED_TRACE(key);
    EXPECT_FALSE(Exists(key));
    EXPECT_TRUE(Exists("_rejected/" + key));
    nlohmann::json reason = Rejection("_rejected/" + key);
    ASSERT_TRUE(reason.is_object()) << "no reason for " << key;
    const std::string text = reason["reason"].get<std::string>();
    EXPECT_THAT(text, HasSubstr("needs more memory than the lake's limit of 64MB"));
    EXPECT_THAT(text, HasSubstr("prepare.memory_limit"));
    EXPECT_THAT(text, HasSubstr("raise the setting"));
    EXPECT_EQ(reason["stage"], stage);
  }

  std::string big_;
  std::string good_;
};

TEST_F(PoisonFileTest, LoadFileOverTheMemoryLimitIsRejectedAndTheOthersLoad) {
  DropCopy("load/m/t/a.parquet", good_);
  DropCopy("load/m/t/b.parquet", big_);
  DropCopy("load/m/t/c.parquet", good_);
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest());
  ASSERT_TRUE(report.ok()) << report.tables[0].error;
  EXPECT_EQ(report.files_loaded(), 2u);
  EXPECT_EQ(report.files_rejected(), 1u);
  ExpectRejectedForMemory("load/m/t/b.parquet", "write");
  EXPECT_FALSE(Exists("load/m/t/a.parquet"));
  EXPECT_FALSE(Exists("load/m/t/c.parquet"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Scan("m", "t")), "20");
  EXPECT_EQ(Scalar("SELECT sum(id) FROM " + Scan("m", "t")), "90");

  // Nothing is left to fail the next run.
  ASSERT_OK_AND_ASSIGN(IngestReport again, Ingest());
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(again.files_rejected(), 0u);
  EXPECT_EQ(again.files_loaded(), 0u);
}

TEST_F(PoisonFileTest, PrepareFileOverTheMemoryLimitIsRejectedAndTheOthersLoad) {
  DropCopy("prepare/m/p/a.parquet", good_);
  DropCopy("prepare/m/p/b.parquet", big_);
  Drop("prepare/m/p/c.csv", "id,s\n100,w\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest());
  ASSERT_TRUE(report.ok()) << report.tables[0].error;
  EXPECT_EQ(report.files_rejected(), 1u);
  ExpectRejectedForMemory("prepare/m/p/b.parquet", "convert");
  EXPECT_FALSE(Exists("prepare/m/p/a.parquet"));
  EXPECT_FALSE(Exists("prepare/m/p/c.csv"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Scan("m", "p")), "11");
  EXPECT_EQ(Scalar("SELECT sum(id) FROM " + Scan("m", "p")), "145");
}

TEST_F(PoisonFileTest, IngestExitsThreeAndSaysHowManyWereRejected) {
  DropCopy("load/m/t/a.parquet", good_);
  DropCopy("load/m/t/b.parquet", big_);
  Drop("prepare/m/u/bad.json", "{");
  Drop("prepare/m/u/ok.csv", "id\n1\n");
  auto r = RunAtoll({"ingest", root()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("stg.m.t: 1 file, 10 rows"));
  EXPECT_THAT(r.out, HasSubstr(", 2 rejected in "));
  EXPECT_THAT(r.err, HasSubstr("atoll: 2 files rejected"));
  ExpectRejectedForMemory("load/m/t/b.parquet", "write");

  // Everything loaded: exit 0, and the JSON summary counts no rejects.
  auto again = RunAtoll({"ingest", root(), "--json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["files_rejected"], 0);

  DropCopy("load/m/t/b2.parquet", big_);
  auto json = RunAtoll({"ingest", root(), "--json"});
  EXPECT_EQ(json.exit_code, 3) << json.out << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["files_rejected"], 1);
}

// The lake's store (in memory, so that DuckDB reads through it) turns unavailable while
// the files of a batch over the memory limit are written one by one: the run stops,
// and none of the files the store failed to serve is rejected. Once the store is back,
// the good files load and only the file over the limit is rejected.
TEST_F(PoisonFileTest, UnavailableStoreRejectsNothing) {
  auto memory = std::make_shared<storage::MemoryStore>("poison");
  auto faults = std::make_shared<storage::FaultStore>(memory);
  Settings s;
  s.prepare.memory_limit = kLimit;
  ASSERT_OK(InitLake(*faults, s).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lake> lake, Lake::Open(faults));
  for (const auto& [key, file] :
       {std::pair{"load/m/t/a.parquet", good_}, std::pair{"load/m/t/b.parquet", big_},
        std::pair{"load/m/t/c.parquet", good_}}) {
    ASSERT_OK(storage::PutString(*memory, key, ::atl::testing::ReadFile(file)).status());
  }
  IngestOptions o;
  o.work_dir = dir_.Join("work-memory");
  // The trail and the lease would fail to be read and released while the store is down.
  o.record_trail = false;
  o.use_lease = false;
  bool failing = false;
  // The third file's turn in the one-by-one writes: from then on every read fails.
  o.progress = [&](const IngestProgress& p) {
    if (p.phase == "write" && p.files_done == 2 && !failing) {
      failing = true;
      faults->SetRule(storage::FaultOp::kGet,
                      {.kind = storage::FaultKind::kUnavailable, .ratio = 1.0});
    }
  };
  ASSERT_OK_AND_ASSIGN(IngestReport stopped, ::atl::lake::Ingest(*lake, o));
  ASSERT_TRUE(failing) << "the files were not written one by one";
  ASSERT_EQ(stopped.tables.size(), 1u);
  EXPECT_THAT(stopped.tables[0].error, HasSubstr("Unavailable"));
  EXPECT_EQ(stopped.files_loaded(), 0u);
  for (const RejectedFile& r : stopped.tables[0].rejected) {
    EXPECT_EQ(r.source.key, "load/m/t/b.parquet") << r.reason;  // over the limit: fair
  }
  for (const char* key : {"load/m/t/a.parquet", "load/m/t/c.parquet"}) {
    EXPECT_TRUE(memory->Head(key).ok()) << key;
    EXPECT_THAT(memory->Head(std::string("_rejected/") + key),
                ::atl::testing::IsError(StatusCode::kNotFound));
  }

  faults->ClearRules();
  o.progress = nullptr;
  ASSERT_OK_AND_ASSIGN(IngestReport report, ::atl::lake::Ingest(*lake, o));
  ASSERT_TRUE(report.ok()) << report.tables[0].error;
  EXPECT_EQ(report.files_loaded(), 2u);
  EXPECT_EQ(report.rows(), 20);
  EXPECT_EQ(stopped.files_rejected() + report.files_rejected(), 1u);
  EXPECT_OK(memory->Head("_rejected/load/m/t/b.parquet").status());
  ASSERT_OK_AND_ASSIGN(std::vector<storage::ObjectInfo> waiting,
                       storage::ListAll(*memory, "load/"));
  EXPECT_TRUE(waiting.empty());
}

}  // namespace
}  // namespace atl::lake
