// The tamper suite (docs/testing.md, docs/trail.md "The tamper suite"): a real lake built by
// the atoll binary (two tables, three ingest runs, two signed checkpoints, a pinned public
// key and a monitor state file outside the bucket), then 24 distinct tamperings, each run
// on a fresh copy of that lake, each of which `atoll trail verify` must fail naming the
// problem; the untouched lake verifies clean. Also: `atoll maintain` keeps the files a
// newer trail record names.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/checkpoint.h"
#include "atoll/trail/merkle.h"
#include "atoll/trail/record.h"
#include "atoll/trail/segment.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::atl::testing::ReadFile;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;

std::string Orders(int first, int last) {
  std::string csv = "order_id,customer_id,amount\n";
  for (int i = first; i <= last; ++i)
    csv += std::to_string(i) + "," + std::to_string(i % 7) + "," + std::to_string(i * 3) + ".5\n";
  return csv;
}

// Files directly in `dir` whose name ends with `suffix`, sorted by name.
std::vector<std::string> FilesIn(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void FlipByte(const std::string& path, size_t offset_from_middle = 0) {
  std::string bytes = ReadFile(path);
  ASSERT_FALSE(bytes.empty()) << path;
  bytes[(bytes.size() / 2 + offset_from_middle) % bytes.size()] ^= 0x01;
  WriteFile(path, bytes);
}

// One lake, built once by the binary; each test works on a fresh copy at the same path
// (table metadata holds absolute locations, so the copy must live where the original did).
class TamperTest : public ::testing::Test {
 protected:
  static TempDir* dir_;
  static std::string lake_, backup_, key_, pinned_, state_, state_backup_;
  static RunResult first_run_;

  static std::map<std::string, std::string> Env() { return {{"ATOLL_TRAIL_KEY", key_}}; }
  static RunResult Atoll(const std::vector<std::string>& args) {
    return RunAtoll(args, dir_->path(), Env());
  }
  // Verification runs as a monitor would: without the signing key.
  static RunResult Verify(std::vector<std::string> args) {
    args.insert(args.begin(), {"trail", "verify", lake_});
    return RunAtoll(args, dir_->path(), {{"ATOLL_TRAIL_KEY", ""}});
  }

  static void Ingest(const std::string& table, const std::string& name, const std::string& csv) {
    WriteFile(lake_ + "/prepare/shop/" + table + "/" + name, csv);
    RunResult r = Atoll({"ingest", lake_});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  static void SetUpTestSuite() {
    dir_ = new TempDir();
    lake_ = dir_->Join("lake");
    backup_ = dir_->Join("lake-backup");
    key_ = dir_->Join("trail-key.pem");
    pinned_ = dir_->Join("pinned-public-key.pem");
    state_ = dir_->Join("monitor.state");
    state_backup_ = dir_->Join("monitor.state.backup");
    ASSERT_OK(trail::GenerateKey(key_));
    ASSERT_EQ(Atoll({"init", lake_}).exit_code, 0);
    Ingest("orders", "orders-1.csv", Orders(1, 200));
    Ingest("customers", "customers-1.csv", "customer_id,name\n1,ana\n2,bo\n3,cy\n");
    ASSERT_EQ(Atoll({"trail", "checkpoint", lake_}).exit_code, 0);
    Ingest("orders", "orders-2.csv", Orders(201, 350));
    Ingest("orders", "orders-3.csv", Orders(351, 400));
    ASSERT_EQ(Atoll({"trail", "checkpoint", lake_}).exit_code, 0);
    fs::copy_file(lake_ + "/trail/public_key.pem", pinned_);
    // The monitor's first run remembers the latest checkpoint outside the bucket.
    // Checked by UntouchedLakeVerifiesWithEveryCheck (a failure here would skip every case).
    first_run_ = Verify({"--state", state_});
    fs::copy(lake_, backup_, fs::copy_options::recursive);
    if (fs::exists(state_)) fs::copy_file(state_, state_backup_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(fs::exists(backup_)) << "the suite's lake was not built";
    fs::remove_all(lake_);
    fs::copy(backup_, lake_, fs::copy_options::recursive);
    if (fs::exists(state_backup_))
      fs::copy_file(state_backup_, state_, fs::copy_options::overwrite_existing);
  }

  // Runs verify with `args` (default: every check) and expects a failure naming `what`.
  void ExpectCaught(const std::string& what, std::vector<std::string> args = {}) {
    if (args.empty()) args = {"--data", "--public-key", pinned_, "--state", state_};
    RunResult v = Verify(args);
    EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
    EXPECT_THAT(v.err, HasSubstr("failed verification")) << v.out;
    EXPECT_THAT(v.out, HasSubstr(what)) << v.err;
  }

  static std::string Table(const std::string& name) { return lake_ + "/stg/shop/" + name; }
  static std::vector<std::string> RecordObjects() {
    return FilesIn(lake_ + "/trail/records", ".rec");
  }
  static std::vector<std::string> Checkpoints() {
    return FilesIn(lake_ + "/trail/checkpoints", ".ckpt");
  }
  static std::vector<std::string> MetadataFiles(const std::string& table) {
    return FilesIn(Table(table) + "/metadata", ".metadata.json");
  }
  static std::string PointerFile() { return lake_ + "/_catalog/stg.shop/orders.json"; }
  static std::string CurrentMetadata() {
    return nlohmann::json::parse(ReadFile(PointerFile()))["metadata-location"];
  }
  static void PointAt(const std::string& location) {
    auto pointer = nlohmann::json::parse(ReadFile(PointerFile()));
    pointer["metadata-location"] = location;
    WriteFile(PointerFile(), pointer.dump());
  }
  // The current snapshot's manifest list of stg.shop.orders, and its manifests.
  static std::string ManifestList() {
    auto md = nlohmann::json::parse(ReadFile(CurrentMetadata()));
    for (const auto& s : md["snapshots"]) {
      if (s["snapshot-id"] == md["current-snapshot-id"]) return s["manifest-list"];
    }
    return "";
  }
  static std::vector<std::string> Manifests() {
    const std::string list = ManifestList();
    auto parsed = iceberg::ReadManifestList(ReadFile(list), list);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    std::vector<std::string> out;
    if (parsed.ok()) {
      for (const auto& m : parsed->manifests) out.push_back(m.manifest_path);
    }
    return out;
  }
  // The data files of stg.shop.orders (in partition folders), sorted; at least one.
  static std::vector<std::string> DataFiles() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(Table("orders") + "/data")) {
      if (e.is_regular_file() && e.path().extension() == ".parquet")
        out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    if (out.empty()) ADD_FAILURE() << "no data files";
    return out;
  }

  // Rewrites the first record of `object` (its user becomes "mallory"), keeping the
  // object's index hashes and header checksum consistent (a forger who knows the format
  // but not the key).
  static void ForgeRecord(const std::string& object) {
    std::string bytes = ReadFile(object);
    auto view = trail::ParseSegment(bytes);
    ASSERT_OK(view.status());
    std::vector<std::string> records(view->records.begin(), view->records.end());
    auto record = trail::DecodeRecord(records[0]);
    ASSERT_OK(record.status());
    record->user = "mallory";
    auto encoded = trail::EncodeRecord(*record);
    ASSERT_OK(encoded.status());
    records[0] = *encoded;
    WriteFile(object, trail::BuildSegment(view->first_sequence, records));
  }
};

TempDir* TamperTest::dir_ = nullptr;
std::string TamperTest::lake_, TamperTest::backup_, TamperTest::key_, TamperTest::pinned_,
    TamperTest::state_, TamperTest::state_backup_;
RunResult TamperTest::first_run_;

TEST_F(TamperTest, UntouchedLakeVerifiesWithEveryCheck) {
  ASSERT_EQ(first_run_.exit_code, 0) << first_run_.out << first_run_.err;
  EXPECT_THAT(ReadFile(state_), HasSubstr("atoll-trail-state 1\nsize "));
  RunResult v = Verify({"--data", "--public-key", pinned_, "--state", state_, "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  auto doc = nlohmann::json::parse(v.out);
  EXPECT_TRUE(doc["ok"]);
  EXPECT_EQ(doc["checkpoints_valid"], 2);
  // The two data tables, and the log zone's tables that ingest's reconcile recorded.
  EXPECT_GE(doc["tables_checked"].get<int>(), 2);
  EXPECT_GE(doc["manifests_checked"].get<int>(), 4);
  EXPECT_GE(doc["data_files_checked"].get<size_t>(), DataFiles().size() + 1);  // + customers
  EXPECT_GT(doc["bytes_hashed"].get<int64_t>(), 0);
  // Every data file a commit added is recorded with its SHA-256.
  RunResult s = Atoll({"trail", "show", lake_, "stg.shop.orders", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  int with_checksum = 0;
  for (const auto& r : nlohmann::json::parse(s.out)) {
    for (const auto& f : r["files_added"]) {
      EXPECT_EQ(f["checksum"].get<std::string>().rfind("sha256:", 0), 0u) << f.dump();
      ++with_checksum;
    }
  }
  EXPECT_EQ(with_checksum, static_cast<int>(DataFiles().size()));
}

// --- the log itself ---

TEST_F(TamperTest, T01_EditedRecordByte) {
  auto objects = RecordObjects();
  ASSERT_GE(objects.size(), 4u);
  std::string bytes = ReadFile(objects[1]);
  bytes[bytes.size() - 3] ^= 0x20;
  WriteFile(objects[1], bytes);
  ExpectCaught("leaf hash differs from the one stored in its object");
}

TEST_F(TamperTest, T02_ForgedRecordWithConsistentHashes) {
  ForgeRecord(RecordObjects()[1]);
  ExpectCaught("differs from the signed root");
}

TEST_F(TamperTest, T03_DeletedRecordObject) {
  fs::remove(RecordObjects()[1]);
  ExpectCaught("record 1 missing");
}

TEST_F(TamperTest, T04_ReorderedRecordObjects) {
  auto objects = RecordObjects();
  std::string a = ReadFile(objects[1]), b = ReadFile(objects[2]);
  WriteFile(objects[1], b);
  WriteFile(objects[2], a);
  ExpectCaught("(moved or reordered)");
}

TEST_F(TamperTest, T05_TruncatedRecordObject) {
  auto objects = RecordObjects();
  std::string bytes = ReadFile(objects[2]);
  WriteFile(objects[2], bytes.substr(0, bytes.size() - 7));
  ExpectCaught("record object " + objects[2].substr(lake_.size() + 1));
}

TEST_F(TamperTest, T06_TruncatedLog) {
  fs::remove(RecordObjects().back());
  ExpectCaught("log truncated");
}

TEST_F(TamperTest, T07_DeletedOlderCheckpoint) {
  fs::remove(Checkpoints().front());
  ExpectCaught("which is missing or invalid");
}

TEST_F(TamperTest, T08_DeletedLatestCheckpoint) {
  fs::remove(Checkpoints().back());
  ExpectCaught("was seen before, but the latest valid checkpoint covers", {"--state", state_});
}

TEST_F(TamperTest, T09_AllCheckpointsDeletedWithPinnedKey) {
  fs::remove_all(lake_ + "/trail/checkpoints");
  ExpectCaught("no valid checkpoint covers", {"--public-key", pinned_});
}

TEST_F(TamperTest, T10_AllCheckpointsDeletedWithKnownSize) {
  const std::string latest = fs::path(Checkpoints().back()).stem().string();
  fs::remove_all(lake_ + "/trail/checkpoints");
  ExpectCaught("was seen before", {"--checkpoint-size", std::to_string(std::stoull(latest))});
}

TEST_F(TamperTest, T11_WholeTrailDeleted) {
  fs::remove_all(lake_ + "/trail/records");
  fs::remove_all(lake_ + "/trail/checkpoints");
  fs::remove(lake_ + "/trail/public_key.pem");
  ExpectCaught("was seen before", {"--state", state_});
}

TEST_F(TamperTest, T12_EditedCheckpoint) {
  const std::string ckpt = Checkpoints().back();
  std::string text = ReadFile(ckpt);
  size_t root = text.find("root ") + 5;
  text[root] = text[root] == '0' ? '1' : '0';
  WriteFile(ckpt, text);
  ExpectCaught("signature invalid");
}

TEST_F(TamperTest, T13_LogRewrittenAndResignedWithAnotherKey) {
  // The forger changes a record, recomputes every hash and signs with their own key,
  // replacing the bucket's public key.
  ForgeRecord(RecordObjects()[1]);
  const std::string mallory = dir_->Join("mallory.pem");
  fs::remove(mallory);
  ASSERT_OK(trail::GenerateKey(mallory));
  ASSERT_OK_AND_ASSIGN(auto signer, trail::Signer::LoadFile(mallory));
  std::map<uint64_t, trail::Hash> roots;
  trail::MerkleFrontier frontier;
  for (const std::string& object : RecordObjects()) {
    std::string bytes = ReadFile(object);
    ASSERT_OK_AND_ASSIGN(trail::SegmentView view, trail::ParseSegment(bytes));
    for (std::string_view r : view.records) frontier.AppendLeafHash(trail::LeafHash(r));
    roots[frontier.size()] = frontier.Root();
  }
  for (const std::string& path : Checkpoints()) {
    ASSERT_OK_AND_ASSIGN(trail::Checkpoint c, trail::ParseCheckpoint(ReadFile(path), nullptr));
    c.root = roots.at(c.size);
    ASSERT_OK_AND_ASSIGN(std::string text, trail::SignCheckpoint(c, *signer));
    WriteFile(path, text);
  }
  WriteFile(lake_ + "/trail/public_key.pem", signer->public_key_pem());
  ExpectCaught("differs from the pinned key", {"--public-key", pinned_});
  ExpectCaught("the bucket's public key was replaced", {"--state", state_});
}

// --- the tables against the trail ---

TEST_F(TamperTest, T14_PointerFileRolledBack) {
  auto files = MetadataFiles("orders");
  ASSERT_GE(files.size(), 3u);
  ASSERT_EQ(CurrentMetadata(), files.back());
  PointAt(files[files.size() - 2]);
  ExpectCaught("rolled back without a record");
}

TEST_F(TamperTest, T15_CatalogPointedAtACopiedOldMetadataFile) {
  auto files = MetadataFiles("orders");
  const std::string forged = Table("orders") + "/metadata/99999-forged.metadata.json";
  fs::copy_file(files.front(), forged);
  PointAt(forged);
  ExpectCaught("which no trail record names");
}

TEST_F(TamperTest, T16_TableDroppedFromTheCatalog) {
  fs::remove(PointerFile());
  ExpectCaught("the catalog has no such table");
}

TEST_F(TamperTest, T17_CurrentMetadataFileReplaced) {
  std::string text = ReadFile(CurrentMetadata());
  text.insert(text.size() - 1, " ");
  WriteFile(CurrentMetadata(), text);
  ExpectCaught("sha256 differs");
}

TEST_F(TamperTest, T18_OldMetadataFileDeleted) {
  const std::string first = MetadataFiles("orders").front();
  fs::remove(first);
  ExpectCaught("metadata file " + first);
}

TEST_F(TamperTest, T19_ManifestListEdited) {
  FlipByte(ManifestList());
  ExpectCaught("manifest list " + ManifestList());
}

TEST_F(TamperTest, T20_ManifestEdited) {
  const std::string manifest = Manifests().front();
  FlipByte(manifest, 3);
  ExpectCaught("manifest " + manifest);
}

TEST_F(TamperTest, T21_ManifestDeleted) {
  const std::string manifest = Manifests().back();
  fs::remove(manifest);
  ExpectCaught("manifest " + manifest + " of table stg.shop.orders (current snapshot): missing");
}

// --- the data (--data) ---

TEST_F(TamperTest, T22_DataFileReplacedBySameSizeBytes) {
  const std::string data = DataFiles().front();
  std::string bytes = ReadFile(data);
  std::string other = ::atl::testing::RandomBytes(bytes.size(), 7);
  WriteFile(data, other);
  ExpectCaught("data file " + data);
  ExpectCaught("checksum differs");
}

TEST_F(TamperTest, T23_DataFileAppendedTo) {
  const std::string data = DataFiles().back();
  WriteFile(data, ReadFile(data) + "extra");
  ExpectCaught("size differs");
}

TEST_F(TamperTest, T24_DataFileDeleted) {
  const std::string data = DataFiles().front();
  fs::remove(data);
  ExpectCaught("data file " + data);
  ExpectCaught(": missing");
}

// `atoll maintain` working from metadata older than the trail's latest record (the catalog
// read before a concurrent commit landed, here: rolled back) keeps the files that newer
// record names, and still removes a real orphan.
TEST_F(TamperTest, MaintainKeepsFilesANewerRecordNames) {
  auto files = MetadataFiles("orders");
  const std::string newest = files.back();
  const std::vector<std::string> data_before = DataFiles();
  PointAt(files[files.size() - 2]);
  const std::string stray = Table("orders") + "/data/stray.parquet";
  WriteFile(stray, "not referenced by anything");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  RunResult m = Atoll({"maintain", lake_, "stg.shop.orders", "--orphans-older-than", "0s"});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_FALSE(fs::exists(stray)) << m.out;
  EXPECT_TRUE(fs::exists(newest)) << m.out;
  EXPECT_EQ(DataFiles(), data_before) << m.out;
  EXPECT_THAT(m.out, HasSubstr("kept because a newer trail record names them"));
  // Put the pointer back: the lake is whole again.
  PointAt(newest);
  RunResult v = Verify({"--data"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace atl::cli
