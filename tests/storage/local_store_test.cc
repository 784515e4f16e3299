#include "atoll/storage/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <set>
#include <thread>

#include "storage/store_behaviour.h"

namespace atl::storage {
namespace {

namespace fs = std::filesystem;
using ::atl::testing::IsError;
using ::atl::testing::IsOk;
using ::atl::testing::TempDir;
using testing::ConditionalWrites;
using testing::StoreUnderTest;

StoreUnderTest LocalStoreUnderTest() {
  return {"Local",
          [](std::string* reason) -> std::unique_ptr<Store> {
            static TempDir base;  // removed at exit; each test gets a fresh directory below it
            static std::atomic<int> counter{0};
            auto store = LocalStore::Open(base.Join("store" + std::to_string(counter++)));
            if (!store.ok()) {
              *reason = store.status().ToString();
              return nullptr;
            }
            return std::move(store).value();
          },
          ConditionalWrites::kHonoured};
}

using testing::StoreBehaviourTest;

INSTANTIATE_TEST_SUITE_P(Local, StoreBehaviourTest, ::testing::Values(LocalStoreUnderTest()),
                         testing::StoreUnderTestName);

PutOptions IfAbsent() {
  PutOptions o;
  o.condition = PutCondition::kIfAbsent;
  return o;
}

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = LocalStore::Open(dir_.Join("root"));
    ASSERT_OK(s);
    store_ = std::move(s).value();
  }
  std::string Root() const { return dir_.Join("root"); }

  TempDir dir_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, KeysAreFilesUnderTheRoot) {
  ASSERT_OK(PutString(*store_, "a/b/c.txt", "hello"));
  EXPECT_EQ(::atl::testing::ReadFile(Root() + "/a/b/c.txt"), "hello");
  EXPECT_EQ(store_->Describe(), "file://" + fs::canonical(Root()).string());
  ::atl::testing::WriteFile(Root() + "/dropped/by/hand.csv", "1,2\n");
  EXPECT_EQ(store_->Get("dropped/by/hand.csv").value_or("?"), "1,2\n");
}

TEST_F(LocalStoreTest, DeletingTheLastFileKeepsAKeptDirectoryAndRemovesOthers) {
  ASSERT_OK(store_->KeepDirectory("prepare/shop/orders"));
  EXPECT_TRUE(fs::is_directory(Root() + "/prepare/shop/orders"));
  ASSERT_OK(PutString(*store_, "prepare/shop/orders/a.csv", "1\n"));
  ASSERT_OK(PutString(*store_, "prepare/shop/orders/sub/b.csv", "2\n"));
  ASSERT_OK(PutString(*store_, "stg/x/y/data/c.parquet", "3"));
  auto listed = ListAll(*store_, "prepare/");
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 2u);  // the marker is never listed
  ASSERT_OK(store_->DeleteMany(
      {"prepare/shop/orders/a.csv", "prepare/shop/orders/sub/b.csv", "stg/x/y/data/c.parquet"}));
  EXPECT_TRUE(fs::is_directory(Root() + "/prepare/shop/orders"));
  EXPECT_FALSE(fs::exists(Root() + "/prepare/shop/orders/sub"));
  EXPECT_FALSE(fs::exists(Root() + "/stg"));
  EXPECT_THAT(store_->KeepDirectory("../out"), IsError(StatusCode::kInvalidArgument));
}

TEST_F(LocalStoreTest, OpenRefusesAMissingRootUnlessAskedToCreateIt) {
  EXPECT_THAT(LocalStore::Open(dir_.Join("nope"), /*create_if_missing=*/false),
              IsError(StatusCode::kNotFound));
  EXPECT_FALSE(fs::exists(dir_.Join("nope")));
  ::atl::testing::WriteFile(dir_.Join("file"), "x");
  EXPECT_THAT(LocalStore::Open(dir_.Join("file")), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LocalStore::Open(dir_.Join("new/deep/root")), IsOk());
}

TEST_F(LocalStoreTest, RefusesKeysThatEscapeThroughASymlink) {
  TempDir outside;
  ::atl::testing::WriteFile(outside.Join("secret"), "top secret");
  fs::create_symlink(outside.path(), Root() + "/link");
  fs::create_symlink(outside.Join("secret"), Root() + "/evil");

  auto put = PutString(*store_, "link/planted", "x");
  EXPECT_THAT(put, IsError(StatusCode::kInvalidArgument));
  EXPECT_NE(put.status().message().find("outside the store root"), std::string::npos)
      << put.status().ToString();
  EXPECT_THAT(PutString(*store_, "link/new/dir/planted", "x"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(PutString(*store_, "link/planted", "x", IfAbsent()),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Get("link/secret"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Get("evil"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Head("evil"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Copy("evil", "stolen"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Copy("ok", "link/planted"), IsError(StatusCode::kNotFound));
  EXPECT_THAT(store_->DeleteMany({"link/secret"}), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->List("link/"), IsError(StatusCode::kInvalidArgument));

  EXPECT_TRUE(fs::exists(outside.Join("secret")));
  EXPECT_FALSE(fs::exists(outside.Join("planted")));
  EXPECT_FALSE(fs::exists(outside.Join("new")));
  ASSERT_OK_AND_ASSIGN(auto listed, ListAll(*store_, ""));
  EXPECT_TRUE(listed.empty()) << "symbolic links are not listed";
}

TEST_F(LocalStoreTest, FollowsSymlinksThatStayInsideTheRoot) {
  ASSERT_OK(PutString(*store_, "real/file", "inside"));
  fs::create_symlink(Root() + "/real", Root() + "/alias");
  EXPECT_EQ(store_->Get("alias/file").value_or("?"), "inside");
  ASSERT_OK(PutString(*store_, "alias/second", "2"));
  EXPECT_EQ(store_->Get("real/second").value_or("?"), "2");
  fs::create_symlink("real", Root() + "/relative");
  EXPECT_EQ(store_->Get("relative/file").value_or("?"), "inside");
  fs::create_symlink("../../root/real/file", Root() + "/real/up-and-back");
  EXPECT_EQ(store_->Get("real/up-and-back").value_or("?"), "inside");
}

TEST_F(LocalStoreTest, TemporaryAndLockFilesAreNeverListedAndTheirNamesAreReserved) {
  ASSERT_OK(PutString(*store_, "t/a", "x", IfAbsent()));  // creates the lock file
  ::atl::testing::WriteFile(Root() + "/t/.atoll-tmp-0123456789abcdef", "crashed writer");
  ::atl::testing::WriteFile(Root() + "/.atoll-tmp-feed", "crashed writer");
  EXPECT_TRUE(fs::exists(Root() + "/.atoll-lock"));
  ASSERT_OK_AND_ASSIGN(auto all, ListAll(*store_, ""));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key, "t/a");
  ASSERT_OK_AND_ASSIGN(auto dotted, ListAll(*store_, "t/."));
  EXPECT_TRUE(dotted.empty());
  EXPECT_THAT(PutString(*store_, ".atoll-lock", "x"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Get("t/.atoll-tmp-0123456789abcdef"), IsError(StatusCode::kInvalidArgument));
}

// A write killed before its rename leaves a temporary file that no listing shows: orphan
// removal deletes it through RemoveStaleTemporaries once it is older than its age limit.
TEST_F(LocalStoreTest, StaleTemporaryFilesUnderAFolderAreRemovedByAge) {
  ASSERT_OK(PutString(*store_, "t/data/a", "x"));
  ::atl::testing::WriteFile(Root() + "/t/data/.atoll-tmp-00000000000000aa", "old");
  ::atl::testing::WriteFile(Root() + "/t/.atoll-tmp-00000000000000bb", "young");
  ::atl::testing::WriteFile(Root() + "/u/.atoll-tmp-00000000000000cc", "other folder");
  ::atl::testing::WriteFile(Root() + "/t/data/.atoll-other", "not a temporary");
  struct timespec old_times[2] = {{0, UTIME_OMIT}, {1000, 0}};  // mtime 1970-01-01 00:16:40
  ASSERT_EQ(
      ::utimensat(AT_FDCWD, (Root() + "/t/data/.atoll-tmp-00000000000000aa").c_str(), old_times, 0),
      0);
  ASSERT_EQ(
      ::utimensat(AT_FDCWD, (Root() + "/u/.atoll-tmp-00000000000000cc").c_str(), old_times, 0), 0);
  ASSERT_OK_AND_ASSIGN(int64_t removed, store_->RemoveStaleTemporaries("t", 1000 * 1000 + 1));
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(fs::exists(Root() + "/t/data/.atoll-tmp-00000000000000aa"));
  EXPECT_TRUE(fs::exists(Root() + "/t/.atoll-tmp-00000000000000bb"));  // younger than the limit
  EXPECT_TRUE(fs::exists(Root() + "/u/.atoll-tmp-00000000000000cc"));  // outside "t"
  EXPECT_TRUE(fs::exists(Root() + "/t/data/.atoll-other"));
  EXPECT_TRUE(fs::exists(Root() + "/t/data/a"));
  ASSERT_OK_AND_ASSIGN(removed, store_->RemoveStaleTemporaries("", INT64_MAX));
  EXPECT_EQ(removed, 2);
  ASSERT_OK_AND_ASSIGN(removed, store_->RemoveStaleTemporaries("missing/folder", INT64_MAX));
  EXPECT_EQ(removed, 0);
  EXPECT_THAT(store_->RemoveStaleTemporaries("../x", INT64_MAX),
              IsError(StatusCode::kInvalidArgument));
}

TEST_F(LocalStoreTest, WritesLeaveNoTemporaryFilesBehind) {
  for (int i = 0; i < 5; ++i) ASSERT_OK(PutString(*store_, "w/k", std::string(1000 * i, 'x')));
  EXPECT_THAT(PutString(*store_, "w/k", "x", IfAbsent()), IsError(StatusCode::kAlreadyExists));
  ASSERT_OK(store_->Copy("w/k", "w/copy"));
  std::set<std::string> names;
  for (auto& e : fs::directory_iterator(Root() + "/w")) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"copy", "k"}));
}

TEST_F(LocalStoreTest, DeleteManyRemovesEmptyParentsButNotTheRoot) {
  ASSERT_OK(PutString(*store_, "x/y/z/1", "1"));
  ASSERT_OK(PutString(*store_, "x/keep", "k"));
  ASSERT_OK(store_->DeleteMany({"x/y/z/1"}));
  EXPECT_FALSE(fs::exists(Root() + "/x/y"));
  EXPECT_TRUE(fs::exists(Root() + "/x/keep"));
  ASSERT_OK(store_->DeleteMany({"x/keep"}));
  EXPECT_FALSE(fs::exists(Root() + "/x"));
  EXPECT_TRUE(fs::is_directory(Root()));
}

TEST_F(LocalStoreTest, AnObjectAndObjectsBelowItCannotCoexist) {
  ASSERT_OK(PutString(*store_, "a", "file"));
  EXPECT_THAT(PutString(*store_, "a/b", "x"), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(store_->Get("a/b"), IsError(StatusCode::kNotFound));
  ASSERT_OK(PutString(*store_, "d/e", "x"));
  EXPECT_THAT(PutString(*store_, "d", "x"), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(PutString(*store_, "d", "x", IfAbsent()), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(store_->Get("d"), IsError(StatusCode::kNotFound));
  EXPECT_THAT(PutString(*store_, "folder/", ""), IsError(StatusCode::kNotSupported));
}

TEST_F(LocalStoreTest, EtagChangesOnEveryWriteOfTheSameBytes) {
  std::set<std::string> etags;
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(ObjectInfo info, PutString(*store_, "same", "identical bytes"));
    etags.insert(info.etag);
    ASSERT_OK_AND_ASSIGN(ObjectInfo head, store_->Head("same"));
    EXPECT_EQ(head.etag, info.etag);
  }
  EXPECT_EQ(etags.size(), 50u);
}

// Forks `n` processes that wait at a barrier and then run `body(i)`; returns their exit codes.
template <typename F>
std::vector<int> RaceInProcesses(int n, F body) {
  int barrier[2];
  if (::pipe(barrier) != 0) return {};
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(barrier[1]);
      char c;
      while (::read(barrier[0], &c, 1) > 0) {
      }
      ::_exit(body(i));
    }
    pids.push_back(pid);
  }
  ::close(barrier[0]);
  ::close(barrier[1]);  // releases every child at once
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 100);
  }
  return codes;
}

TEST_F(LocalStoreTest, ExactlyOneProcessWinsACreateIfAbsentRace) {
  for (int round = 0; round < 5; ++round) {
    const std::string key = "race/pointer" + std::to_string(round);
    std::vector<int> codes = RaceInProcesses(8, [&](int i) {
      auto store = LocalStore::Open(Root());
      if (!store.ok()) return 3;
      auto r = PutString(**store, key, "process " + std::to_string(i), IfAbsent());
      if (r.ok()) return 0;
      return r.status().code() == StatusCode::kAlreadyExists ? 1 : 2;
    });
    ASSERT_EQ(codes.size(), 8u);
    EXPECT_EQ(std::count(codes.begin(), codes.end(), 0), 1) << "round " << round;
    EXPECT_EQ(std::count(codes.begin(), codes.end(), 1), 7) << "round " << round;
    const int winner = static_cast<int>(std::find(codes.begin(), codes.end(), 0) - codes.begin());
    EXPECT_EQ(store_->Get(key).value_or("?"), "process " + std::to_string(winner));
  }
}

TEST_F(LocalStoreTest, IfMatchIsACompareAndSwapAcrossProcesses) {
  ASSERT_OK(PutString(*store_, "counter", "0"));
  constexpr int kProcs = 4, kIncrements = 25;
  std::vector<int> codes = RaceInProcesses(kProcs, [&](int) {
    auto store = LocalStore::Open(Root());
    if (!store.ok()) return 3;
    for (int done = 0; done < kIncrements;) {
      auto head = (*store)->Head("counter");
      auto value = (*store)->Get("counter");
      if (!head.ok() || !value.ok()) return 2;
      PutOptions o;
      o.condition = PutCondition::kIfMatch;
      o.if_match = head->etag;
      auto r = PutString(**store, "counter", std::to_string(std::stoi(*value) + 1), o);
      if (r.ok())
        ++done;
      else if (r.status().code() != StatusCode::kPreconditionFailed)
        return 2;
    }
    return 0;
  });
  EXPECT_EQ(codes, std::vector<int>(kProcs, 0));
  EXPECT_EQ(store_->Get("counter").value_or("?"), std::to_string(kProcs * kIncrements));
}

TEST_F(LocalStoreTest, ReadersNeverSeeAPartialOverwrite) {
  const std::string a(1 << 20, 'a'), b(1 << 20, 'b');
  ASSERT_OK(PutString(*store_, "big", a));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  std::thread reader([&] {
    while (!stop) {
      auto got = store_->Get("big");
      if (!got.ok() || (*got != a && *got != b)) ++bad;
      ++reads;
    }
  });
  for (int i = 0; i < 60; ++i) ASSERT_OK(PutString(*store_, "big", i % 2 ? a : b));
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace atl::storage
