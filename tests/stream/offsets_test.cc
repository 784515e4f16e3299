// Offsets in snapshot summaries (stream/offsets.h): their text form, the committed offset
// of a partition over the snapshot ancestry, and the fence that keeps commits single.
#include "atoll/stream/offsets.h"

#include "testing/testing.h"

namespace atl::stream {
namespace {

using ::atl::testing::IsError;

iceberg::Snapshot Snap(int64_t id, std::optional<int64_t> parent, std::string offsets,
                       std::string commit_id = "") {
  iceberg::Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  if (!offsets.empty()) s.summary[std::string(kOffsetsKey)] = offsets;
  if (!commit_id.empty()) s.summary[std::string(kCommitIdKey)] = commit_id;
  return s;
}

TEST(StreamOffsetsTest, TextFormRoundTrips) {
  OffsetMap offsets = {{{"a.b-c_d", 0}, 17}, {{"a.b-c_d", 12}, 0}, {{"z", 3}, 99999999999}};
  EXPECT_EQ(FormatOffsets(offsets), "a.b-c_d:0=17;a.b-c_d:12=0;z:3=99999999999");
  ASSERT_OK_AND_ASSIGN(OffsetMap back, ParseOffsets(FormatOffsets(offsets)));
  EXPECT_EQ(back, offsets);
  FromMap from = {{{"t", 0}, std::nullopt}, {{"t", 1}, 5}};
  EXPECT_EQ(FormatFrom(from), "t:0=-;t:1=5");
  ASSERT_OK_AND_ASSIGN(FromMap from_back, ParseFrom(FormatFrom(from)));
  EXPECT_EQ(from_back, from);
}

TEST(StreamOffsetsTest, MalformedTextIsCorruption) {
  for (const char* bad : {"t0=1", "t:x=1", "t:0=", "t:0=-1", ":0=1", "t:0=1x", "t:-1=3"}) {
    EXPECT_THAT(ParseOffsets(bad), IsError(StatusCode::kCorruption)) << bad;
  }
}

TEST(StreamOffsetsTest, NewestSnapshotOfTheAncestryWinsPerPartition) {
  iceberg::TableMetadata md;
  md.snapshots = {Snap(1, std::nullopt, "t:0=10;t:1=5"), Snap(2, 1, "t:0=20"),
                  Snap(3, 2, ""),  // a schema change or compaction: covers nothing
                  Snap(4, 3, "t:1=7;u:0=1"),
                  Snap(5, 1, "t:0=999")};  // not in the current ancestry (a rolled-back commit)
  md.current_snapshot_id = 4;
  ASSERT_OK_AND_ASSIGN(OffsetMap offsets, TableOffsets(md));
  EXPECT_EQ(offsets, (OffsetMap{{{"t", 0}, 20}, {{"t", 1}, 7}, {{"u", 0}, 1}}));
  md.current_snapshot_id = std::nullopt;
  ASSERT_OK_AND_ASSIGN(OffsetMap none, TableOffsets(md));
  EXPECT_TRUE(none.empty());
}

TEST(StreamOffsetsTest, CheckFromRefusesABatchAnotherCommitOvertook) {
  iceberg::TableMetadata md;
  md.snapshots = {Snap(1, std::nullopt, "t:0=10", "c1")};
  md.current_snapshot_id = 1;
  EXPECT_OK(CheckFrom(md, {{{"t", 0}, 10}, {{"t", 1}, std::nullopt}}));
  EXPECT_THAT(CheckFrom(md, {{{"t", 0}, 5}}), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(CheckFrom(md, {{{"t", 0}, std::nullopt}}), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(CheckFrom(md, {{{"t", 1}, 0}}), IsError(StatusCode::kAlreadyExists));
  EXPECT_TRUE(HasCommit(md, "c1"));
  EXPECT_FALSE(HasCommit(md, "c2"));
}

}  // namespace
}  // namespace atl::stream
