// Issue 3's concurrency acceptance: eight processes each commit 50 appends to one table
// through the catalog under test (in-bucket over a local directory, SQLite, PostgreSQL).
// Every append must land (400 snapshots, 400 files, every record counted) and no error
// may reach the caller: conflicts are retried by the commit protocol (commit.h), with
// the table's commit.retry.* properties raised for this much contention.
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/scan/scan.h"
#include "catalog/catalog_behaviour.h"
#include "testing/testing.h"

namespace atl::catalog::testing {
namespace {

using iceberg::TableIdentifier;

TEST_P(CatalogMultiProcess, EightProcessesAppendFiftyTimesEach) {
  if (!env_->SupportsFork()) GTEST_SKIP() << "this catalog's state lives in process memory";
  constexpr int kProcesses = 8, kAppends = 50;
  ::atl::testing::TempDir dir;
  const TableIdentifier id{{"db"}, "appends"};
  auto io = std::make_shared<iceberg::FileIO>();
  {
    std::shared_ptr<iceberg::Catalog> catalog = std::move(catalog_);
    ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
    iceberg::NestedField field;
    field.id = 1;
    field.name = "id";
    field.type = iceberg::Type::Long();
    iceberg::CreateTableOptions options;
    options.schema = iceberg::Schema(0, {field});
    options.location = dir.Join("table");
    options.properties = {{"commit.retry.num-retries", "1000"},
                          {"commit.retry.min-wait-ms", "5"},
                          {"commit.retry.max-wait-ms", "200"}};
    ASSERT_OK(iceberg::Table::Create(catalog, io, id, options).status());
  }  // no connection or open file crosses the fork
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      {
        auto catalog = env_->Open();
        if (!catalog.ok()) _exit(10);
        auto table =
            iceberg::Table::Load(std::shared_ptr<iceberg::Catalog>(std::move(*catalog)), io, id);
        if (!table.ok()) _exit(11);
        for (int k = 0; k < kAppends && code == 0; ++k) {
          iceberg::DataFile f;
          f.file_path = dir.Join(StrCat("table/data/p", p, "-", k, ".parquet"));
          f.file_format = "PARQUET";
          f.record_count =
              p * 1000 + k + 1;  // distinct, so a lost or doubled append shows in the sum
          f.file_size_in_bytes = 100;
          Status st = table->NewTransaction().Append({f}).Commit();
          if (!st.ok()) {
            fprintf(stderr, "process %d append %d: %s\n", p, k, st.ToString().c_str());
            code = 12;
          }
        }
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit status " << status;
  }
  ASSERT_OK_AND_ASSIGN(auto opened, env_->Open());
  std::shared_ptr<iceberg::Catalog> catalog = std::move(opened);
  ASSERT_OK_AND_ASSIGN(iceberg::Table table, iceberg::Table::Load(catalog, io, id));
  EXPECT_EQ(table.metadata().snapshots.size(), static_cast<size_t>(kProcesses * kAppends));
  ASSERT_OK_AND_ASSIGN(iceberg::ScanPlan plan, iceberg::PlanScan(*io, table.metadata()));
  ASSERT_EQ(plan.tasks.size(), static_cast<size_t>(kProcesses * kAppends));
  std::set<std::string> paths;
  int64_t records = 0;
  for (const iceberg::FileScanTask& task : plan.tasks) {
    paths.insert(task.file.file_path);
    records += task.file.record_count;
  }
  EXPECT_EQ(paths.size(), static_cast<size_t>(kProcesses * kAppends));
  int64_t expected = 0;
  for (int p = 0; p < kProcesses; ++p) {
    for (int k = 0; k < kAppends; ++k) expected += p * 1000 + k + 1;
  }
  EXPECT_EQ(records, expected);
  // Manifests were merged along the way: not one manifest per commit.
  EXPECT_LT(plan.counts.manifests, kProcesses * kAppends / 4);
}

}  // namespace
}  // namespace atl::catalog::testing
