// The multi-process race of the catalog behaviour suite (see catalog_behaviour.h).
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "catalog/catalog_behaviour.h"
#include "testing/testing.h"

namespace atl::catalog::testing {
namespace {

using iceberg::TableIdentifier;

// Eight processes swap freely; each records its successful swaps (expected -> next).
// The successes must form one chain from the first location to the final one: two
// successes from the same expected location would be a lost update.
TEST_P(CatalogMultiProcess, SwapsFromEightProcessesFormOneChain) {
  if (!env_->SupportsFork()) GTEST_SKIP() << "this catalog's state lives in process memory";
  constexpr int kProcesses = 8, kAttempts = 25;
  const TableIdentifier t{{"db"}, "hot"};
  ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog_->CreateTable(t, "start"));
  catalog_.reset();  // no connection or open file crosses the fork
  ::atl::testing::TempDir out;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      {
        auto catalog = env_->Open();
        if (!catalog.ok()) _exit(10);
        std::ofstream log(out.Join("p" + std::to_string(p)));
        for (int k = 0; k < kAttempts; ++k) {
          auto current = (*catalog)->LoadMetadataLocation(t);
          if (!current.ok()) {
            code = 11;
            break;
          }
          const std::string next = "p" + std::to_string(p) + "-" + std::to_string(k);
          Status st = (*catalog)->SwapMetadataLocation(t, *current, next);
          if (st.ok()) {
            log << *current << "\t" << next << "\n";
          } else if (st.code() != StatusCode::kCommitConflict) {
            log << "error\t" << st.ToString() << "\n";
            code = 12;
            break;
          }
        }
      }
      _exit(code);  // no atexit handlers or gtest teardown in the child
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit status " << status;
  }
  std::map<std::string, std::string> next_of;
  int wins = 0;
  for (int p = 0; p < kProcesses; ++p) {
    std::istringstream lines(::atl::testing::ReadFile(out.Join("p" + std::to_string(p))));
    std::string line;
    while (std::getline(lines, line)) {
      const size_t tab = line.find('\t');
      ASSERT_NE(tab, std::string::npos) << line;
      ASSERT_NE(line.substr(0, tab), "error") << line;
      EXPECT_TRUE(next_of.emplace(line.substr(0, tab), line.substr(tab + 1)).second)
          << "two processes both committed on top of " << line.substr(0, tab);
      ++wins;
    }
  }
  EXPECT_GE(wins, kAttempts);  // every round of contention has a winner
  std::string at = "start";
  int steps = 0;
  while (next_of.count(at)) {
    at = next_of[at];
    ++steps;
  }
  EXPECT_EQ(steps, wins) << "the successful swaps do not form one chain";
  ASSERT_OK_AND_ASSIGN(auto catalog, env_->Open());
  ASSERT_OK_AND_ASSIGN(std::string final_location, catalog->LoadMetadataLocation(t));
  EXPECT_EQ(final_location, at);
}

}  // namespace
}  // namespace atl::catalog::testing
