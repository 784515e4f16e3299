// Record format: round trips, canonical encoding, every parser error is kCorruption with
// an offset, and a bounded-time mutation fuzz of the parser.
#include "atoll/trail/record.h"

#include <chrono>
#include <random>

#include "testing/testing.h"

namespace atl::trail {
namespace {

using ::atl::testing::IsError;

Record FullRecord() {
  Record r;
  r.sequence = 1234;
  r.kind = RecordKind::kAppend;
  r.time_ms = 1795334175123;
  r.command = "atoll load stg.shop.orders";
  r.user = "alice";
  r.host = "worker-7";
  r.table = "stg.shop.orders";
  r.snapshot_before = 11;
  r.snapshot_after = -5;
  r.metadata_location = "stg/shop/orders/metadata/00002-x.metadata.json";
  r.metadata_sha256 = Sha256("metadata");
  r.files_added = {{"stg/shop/orders/data/a.parquet", 1000, "sha256:ab"}, {"b.parquet", 0, ""}};
  r.files_removed = {{"old.parquet", 77, "etag-1"}};
  r.fields = {{"rows", "42"}, {"source", ""}, {"binary", std::string("\0\xff", 2)}};
  return r;
}

TEST(TrailRecordTest, RoundTripsEveryField) {
  Record r = FullRecord();
  ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeRecord(r));
  EXPECT_EQ(bytes.substr(0, 4), "ATRC");
  EXPECT_EQ(static_cast<uint8_t>(bytes[4]), kRecordVersion);
  ASSERT_OK_AND_ASSIGN(Record back, DecodeRecord(bytes));
  EXPECT_EQ(back, r);
  ASSERT_OK_AND_ASSIGN(std::string again, EncodeRecord(back));
  EXPECT_EQ(again, bytes);
}

TEST(TrailRecordTest, MinimalRecordHasOnlyRequiredFields) {
  Record r;
  r.kind = RecordKind::kCreate;
  ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeRecord(r));
  EXPECT_EQ(bytes.size(), kRecordHeaderSize + 3 * 5 + 8 + 1 + 8);
  ASSERT_OK_AND_ASSIGN(Record back, DecodeRecord(bytes));
  EXPECT_EQ(back, r);
  EXPECT_FALSE(back.snapshot_before.has_value());
  EXPECT_FALSE(back.metadata_sha256.has_value());
}

TEST(TrailRecordTest, KindNamesRoundTrip) {
  for (uint8_t k = 1; k <= kMaxRecordKind; ++k) {
    auto kind = static_cast<RecordKind>(k);
    ASSERT_OK_AND_ASSIGN(RecordKind back, RecordKindFromName(RecordKindName(kind)));
    EXPECT_EQ(back, kind);
  }
  EXPECT_THAT(RecordKindFromName("nonsense"), IsError(StatusCode::kInvalidArgument));
  Record bad;
  bad.kind = static_cast<RecordKind>(0);
  EXPECT_THAT(EncodeRecord(bad), IsError(StatusCode::kInvalidArgument));
  bad.kind = static_cast<RecordKind>(kMaxRecordKind + 1);
  EXPECT_THAT(EncodeRecord(bad), IsError(StatusCode::kInvalidArgument));
  Record empty_key;
  empty_key.fields = {{"", "v"}};
  EXPECT_THAT(EncodeRecord(empty_key), IsError(StatusCode::kInvalidArgument));
  Record no_location;
  no_location.files_added = {{"", 1, ""}};
  EXPECT_THAT(EncodeRecord(no_location), IsError(StatusCode::kInvalidArgument));
}

void ExpectCorruptionAt(const std::string& bytes, const std::string& what) {
  auto r = DecodeRecord(bytes);
  ASSERT_THAT(r, IsError(StatusCode::kCorruption)) << what;
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("at offset")) << what;
}

TEST(TrailRecordTest, ParserErrorsNameTheOffset) {
  ASSERT_OK_AND_ASSIGN(std::string good, EncodeRecord(FullRecord()));
  ExpectCorruptionAt("", "empty");
  ExpectCorruptionAt(good.substr(0, 8), "short header");
  std::string bad = good;
  bad[0] = 'X';
  ExpectCorruptionAt(bad, "magic");
  bad = good;
  bad[4] = 0;
  ExpectCorruptionAt(bad, "version 0");
  bad = good;
  bad[4] = 2;
  EXPECT_THAT(DecodeRecord(bad), IsError(StatusCode::kNotSupported));
  ExpectCorruptionAt(good.substr(0, good.size() - 1), "truncated");
  ExpectCorruptionAt(good + "x", "trailing byte");
  // A field whose length leaves the record: tag 1's length at offset 10.
  bad = good;
  bad[10] = 9;
  ExpectCorruptionAt(bad, "sequence length");
  // Unknown tag.
  bad = good;
  bad[9] = 99;
  ExpectCorruptionAt(bad, "unknown tag");
  // Out-of-order fields: swap the first field's tag for a later one.
  bad = good;
  bad[9] = 3;
  ExpectCorruptionAt(bad, "tag order");
  // Missing required fields.
  std::string header(kRecordMagic, 4);
  header.push_back(1);
  header.append(4, '\0');
  ExpectCorruptionAt(header, "no fields");
}

TEST(TrailRecordTest, DescribeNamesTheEssentials) {
  std::string text = DescribeRecord(FullRecord());
  EXPECT_THAT(text, ::testing::HasSubstr("#1234"));
  EXPECT_THAT(text, ::testing::HasSubstr("append stg.shop.orders by alice@worker-7"));
  EXPECT_THAT(text, ::testing::HasSubstr("2026-11-22T"));
  EXPECT_THAT(text, ::testing::HasSubstr("snapshot 11 -> -5"));
}

// Random mutations of valid records (byte flips, truncations, insertions, length
// fields set to extremes) for a bounded time: the parser never crashes, returns an error
// with an offset or a record, and every record it accepts re-encodes to the same bytes
// (the encoding is canonical, so a mutation that parses is a different valid record).
TEST(TrailRecordTest, FuzzParserWithMutations) {
  std::mt19937_64 rng(20261122);
  std::vector<std::string> seeds;
  for (int i = 0; i < 8; ++i) {
    Record r = FullRecord();
    r.sequence = rng();
    if (i % 2) r.files_added.clear();
    if (i % 3) r.fields.clear();
    if (i % 4 == 0) r.metadata_sha256.reset();
    ASSERT_OK_AND_ASSIGN(std::string s, EncodeRecord(r));
    seeds.push_back(s);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  uint64_t runs = 0, accepted = 0;
  while (std::chrono::steady_clock::now() < deadline || runs < 20000) {
    std::string s = seeds[rng() % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      switch (rng() % 5) {
        case 0:
          if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1 + rng() % 255);
          break;
        case 1:
          s.resize(rng() % (s.size() + 1));
          break;
        case 2:
          s.insert(rng() % (s.size() + 1), 1, static_cast<char>(rng()));
          break;
        case 3:
          if (s.size() >= 4) {
            size_t at = rng() % (s.size() - 3);
            for (int b = 0; b < 4; ++b) s[at + b] = static_cast<char>(rng() % 2 ? 0xff : 0);
          }
          break;
        default:
          if (!s.empty()) s.erase(rng() % s.size(), 1 + rng() % 8);
          break;
      }
    }
    auto r = DecodeRecord(s);
    ++runs;
    if (r.ok()) {
      ++accepted;
      auto again = EncodeRecord(*r);
      ASSERT_TRUE(again.ok());
      ASSERT_EQ(*again, s) << "accepted a non-canonical encoding";
    } else {
      StatusCode c = r.status().code();
      ASSERT_TRUE(c == StatusCode::kCorruption || c == StatusCode::kNotSupported)
          << r.status().ToString();
      if (c == StatusCode::kCorruption) {
        ASSERT_THAT(r.status().message(), ::testing::HasSubstr("at offset"));
      }
    }
  }
  EXPECT_GE(runs, 20000u);
  RecordProperty("runs", std::to_string(runs));
  RecordProperty("accepted", std::to_string(accepted));
}

}  // namespace
}  // namespace atl::trail
