// The tamper suite: a trail of 60 records in 28 objects with 4 signed checkpoints and
// recorded metadata files, tampered with in more than 1,000 ways (a flipped byte in any
// record, checkpoint or key object; a deleted, reordered or forged record object; a
// truncated log; a deleted checkpoint; a replaced or deleted metadata file). Every
// tampering is detected, with a message naming what was changed; the untouched trail
// verifies cleanly.
#include <map>
#include <random>

#include "atoll/storage/memory_store.h"
#include "atoll/trail/log.h"
#include "atoll/trail/segment.h"
#include "testing/testing.h"
#include "trail_fixture.h"

namespace atl::trail {
namespace {

using ::atl::testing::TempDir;
using testing::SampleRecord;

struct ObjectSpan {
  std::string key;
  uint64_t first = 0, count = 0;
};

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(GenerateKey(dir_.Join("k.pem")));
    ASSERT_OK_AND_ASSIGN(auto signer, Signer::LoadFile(dir_.Join("k.pem")));
    pinned_ = signer->public_key_pem();
    auto store = std::make_shared<storage::MemoryStore>();
    TrailOptions o;
    o.key_path = dir_.Join("k.pem");
    ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store, o));
    for (uint64_t i = 0; i < 60;) {
      std::vector<Record> batch;
      uint64_t n = i < 20 ? 1 : 5;
      for (uint64_t k = 0; k < n; ++k, ++i) {
        std::string location;
        if (i % 6 == 0) {
          location = "stg/db/t/metadata/v" + std::to_string(i) + ".metadata.json";
          std::string body = "{\"format-version\":2,\"i\":" + std::to_string(i) + "}";
          ASSERT_OK(storage::PutString(*store, location, body));
          metadata_[location] = i;
        }
        Record r = SampleRecord(i, location);
        if (!location.empty()) r.metadata_sha256 = Sha256(store->Get(location).value());
        batch.push_back(std::move(r));
      }
      ASSERT_OK_AND_ASSIGN(uint64_t first, trail->AppendBatch(batch));
      record_objects_.push_back({trail->RecordKey(first), first, n});
      if (i == 10 || i == 20 || i == 40 || i == 60) {
        ASSERT_OK(trail->WriteCheckpoint());
        checkpoints_.push_back(i);
      }
    }
    ASSERT_OK_AND_ASSIGN(auto all, storage::ListAll(*store, ""));
    for (const auto& obj : all) pristine_[obj.key] = store->Get(obj.key).value();
  }

  std::shared_ptr<storage::MemoryStore> Fresh() {
    auto store = std::make_shared<storage::MemoryStore>();
    for (const auto& [k, v] : pristine_) EXPECT_TRUE(storage::PutString(*store, k, v).ok());
    return store;
  }

  VerifyReport Verify(const std::shared_ptr<storage::MemoryStore>& store, uint64_t min_size = 0) {
    TrailOptions o;
    o.pinned_public_key_pem = pinned_;
    auto trail = Trail::Open(store, o);
    EXPECT_TRUE(trail.ok());
    VerifyOptions vo;
    vo.metadata_hasher = StoreMetadataHasher(store);
    vo.min_size = min_size;
    auto report = (*trail)->Verify(vo);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    ++verifications_;
    return report.ok() ? *report : VerifyReport{};
  }

  // True when some problem contains one of `needles`.
  static bool Mentions(const VerifyReport& r, const std::vector<std::string>& needles) {
    for (const auto& p : r.problems) {
      for (const auto& n : needles) {
        if (p.find(n) != std::string::npos) return true;
      }
    }
    return false;
  }
  static std::string All(const VerifyReport& r) {
    std::string s;
    for (const auto& p : r.problems) s += "\n  " + p;
    return s;
  }
  // The phrases that name a record of `span` or the object itself.
  static std::vector<std::string> Names(const ObjectSpan& span) {
    std::vector<std::string> out = {span.key};
    for (uint64_t s = span.first; s < span.first + span.count; ++s)
      out.push_back("record " + std::to_string(s) + ":");
    return out;
  }

  TempDir dir_;
  std::string pinned_;
  std::map<std::string, std::string> pristine_;
  std::vector<ObjectSpan> record_objects_;
  std::vector<uint64_t> checkpoints_;
  std::map<std::string, uint64_t> metadata_;  // location -> record
  int verifications_ = 0;
};

TEST_F(TamperTest, EveryTamperingIsDetectedPrecisely) {
  ASSERT_EQ(record_objects_.size(), 28u);
  VerifyReport clean = Verify(Fresh(), 60);
  ASSERT_TRUE(clean.ok()) << All(clean);
  EXPECT_EQ(clean.records, 60u);
  EXPECT_EQ(clean.checkpoints_valid, 4u);
  EXPECT_EQ(clean.metadata_checked, 10u);

  std::mt19937_64 rng(5);
  int tamperings = 0;
  auto expect = [&](const VerifyReport& r, const std::vector<std::string>& needles,
                    const std::string& what) {
    ++tamperings;
    EXPECT_FALSE(r.ok()) << what << " went undetected";
    EXPECT_TRUE(Mentions(r, needles)) << what << " reported imprecisely:" << All(r);
  };

  // 1. A flipped byte anywhere in a record object (every position of small objects,
  //    36 random positions of each object, with random bit patterns).
  for (const auto& span : record_objects_) {
    const std::string& bytes = pristine_[span.key];
    std::vector<size_t> positions;
    for (int k = 0; k < 36; ++k) positions.push_back(rng() % bytes.size());
    for (size_t pos : positions) {
      auto store = Fresh();
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ static_cast<char>(1 + rng() % 255));
      ASSERT_OK(storage::PutString(*store, span.key, bad));
      expect(Verify(store), Names(span), span.key + " byte " + std::to_string(pos));
    }
  }
  // 2. A flipped byte in a checkpoint (every 3rd position) or in the public key.
  for (uint64_t size : checkpoints_) {
    std::string key = "trail/checkpoints/" + std::string(20 - std::to_string(size).size(), '0') +
                      std::to_string(size) + ".ckpt";
    const std::string& text = pristine_.at(key);
    for (size_t pos = 0; pos < text.size(); pos += 3) {
      auto store = Fresh();
      std::string bad = text;
      bad[pos] = static_cast<char>(bad[pos] ^ static_cast<char>(1 + rng() % 255));
      ASSERT_OK(storage::PutString(*store, key, bad));
      expect(Verify(store), {"checkpoint " + std::to_string(size)},
             key + " byte " + std::to_string(pos));
    }
  }
  const std::string& pem = pristine_.at("trail/public_key.pem");
  for (size_t pos = 0; pos < pem.size(); pos += 7) {
    auto store = Fresh();
    std::string bad = pem;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x04);
    ASSERT_OK(storage::PutString(*store, "trail/public_key.pem", bad));
    expect(Verify(store), {"trail/public_key.pem"}, "public key byte " + std::to_string(pos));
  }
  // 3. A deleted record object.
  for (size_t i = 0; i < record_objects_.size(); ++i) {
    const auto& span = record_objects_[i];
    auto store = Fresh();
    ASSERT_OK(storage::Delete(*store, span.key));
    std::string range = span.count == 1 ? "record " + std::to_string(span.first)
                                        : "records " + std::to_string(span.first) + ".." +
                                              std::to_string(span.first + span.count - 1);
    expect(Verify(store), {range + " missing"}, "deleting " + span.key);
  }
  // 4. Two record objects swapped (reordered).
  for (size_t i = 0; i < record_objects_.size(); ++i) {
    for (size_t j = i + 1; j < record_objects_.size(); j += 3) {
      auto store = Fresh();
      const auto& a = record_objects_[i];
      const auto& b = record_objects_[j];
      ASSERT_OK(storage::PutString(*store, a.key, pristine_[b.key]));
      ASSERT_OK(storage::PutString(*store, b.key, pristine_[a.key]));
      expect(Verify(store), {a.key + " holds records from " + std::to_string(b.first)},
             "swapping " + a.key + " and " + b.key);
    }
  }
  // 5. The log truncated: the last k objects deleted.
  for (size_t k = 1; k <= record_objects_.size(); ++k) {
    auto store = Fresh();
    for (size_t i = record_objects_.size() - k; i < record_objects_.size(); ++i) {
      ASSERT_OK(storage::Delete(*store, record_objects_[i].key));
    }
    uint64_t left = record_objects_[record_objects_.size() - k].first;
    expect(Verify(store),
           {"log truncated: checkpoint 60 covers 60 records but only " + std::to_string(left) +
            " exist"},
           "truncating " + std::to_string(k) + " objects");
  }
  // 6. A record rewritten by someone who also recomputed the object's leaf hashes and
  //    checksum: only the signed checkpoint root catches it, naming the range.
  for (const auto& span : record_objects_) {
    auto store = Fresh();
    auto view = ParseSegment(pristine_[span.key]).value();
    std::vector<std::string> records;
    for (auto rec : view.records) records.emplace_back(rec);
    Record forged = DecodeRecord(records.back()).value();
    forged.user = "mallory";
    records.back() = EncodeRecord(forged).value();
    ASSERT_OK(storage::PutString(*store, span.key, BuildSegment(span.first, records)));
    uint64_t seq = span.first + span.count - 1;
    uint64_t covering = *std::upper_bound(checkpoints_.begin(), checkpoints_.end(), seq);
    expect(Verify(store),
           {"checkpoint " + std::to_string(covering) + ": root of records 0.." +
            std::to_string(covering - 1) + " differs from the signed root"},
           "forging record " + std::to_string(seq));
  }
  // 7. A deleted checkpoint: a middle one breaks the chain; the latest one is caught
  //    when the verifier knows the trusted size (min_size).
  for (size_t i = 0; i + 1 < checkpoints_.size(); ++i) {
    auto store = Fresh();
    ASSERT_OK(storage::Delete(*store, "trail/checkpoints/" + std::string(18, '0') +
                                          (checkpoints_[i] < 10 ? "0" : "") +
                                          std::to_string(checkpoints_[i]) + ".ckpt"));
    expect(Verify(store),
           {"names previous checkpoint " + std::to_string(checkpoints_[i]) + ", which is missing"},
           "deleting checkpoint " + std::to_string(checkpoints_[i]));
  }
  {
    auto store = Fresh();
    for (const auto& span : record_objects_) {
      if (span.first >= 40) ASSERT_OK(storage::Delete(*store, span.key));
    }
    ASSERT_OK(storage::Delete(*store, "trail/checkpoints/00000000000000000060.ckpt"));
    expect(Verify(store, 60), {"log truncated: 60 records expected, only 40 exist"},
           "truncating with its checkpoint");
  }
  // 8. A recorded metadata file replaced or deleted.
  for (const auto& [location, record] : metadata_) {
    for (int mode = 0; mode < 2; ++mode) {
      auto store = Fresh();
      if (mode == 0) {
        ASSERT_OK(storage::PutString(*store, location, pristine_[location] + " "));
      } else {
        ASSERT_OK(storage::Delete(*store, location));
      }
      std::string prefix =
          "metadata file " + location + " (record " + std::to_string(record) + "): ";
      expect(Verify(store), {prefix + (mode == 0 ? "sha256 differs" : "missing")}, location);
    }
  }
  EXPECT_GE(tamperings, 1000);
  RecordProperty("tamperings", std::to_string(tamperings));
  std::printf("tamper suite: %d tamperings checked\n", tamperings);
}

}  // namespace
}  // namespace atl::trail
