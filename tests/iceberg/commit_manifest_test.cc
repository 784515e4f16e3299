// The fast manifest encoder writes the same bytes as WriteManifest, and reads back.
#include <gtest/gtest.h>

#include "atoll/iceberg/manifest/manifest_encoder.h"
#include "table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using namespace atl::iceberg::testing;

std::vector<ManifestEntry> Entries(int n, bool partitioned) {
  std::vector<ManifestEntry> out;
  for (int i = 0; i < n; ++i) {
    ManifestEntry e;
    e.status = i % 3 == 0 ? EntryStatus::kExisting : EntryStatus::kAdded;
    e.snapshot_id = 42 + i % 2;
    if (i % 3 == 0) e.sequence_number = e.file_sequence_number = 7;
    e.data_file =
        MakeFile("f" + std::to_string(i), i + 1,
                 partitioned ? std::optional<std::string>(i % 5 ? "a" : "b") : std::nullopt);
    if (i % 4 == 0) e.data_file.split_offsets = {4, 1000};
    if (i % 7 == 0) e.data_file.sort_order_id = 1;
    if (partitioned && i % 11 == 0) e.data_file.partition[0] = Literal::Null(Type::String());
    out.push_back(std::move(e));
  }
  return out;
}

TEST(ManifestEncoderTest, SameBytesAsWriteManifest) {
  Schema schema(0, {NestedField{1, "id", true, Type::Long(), {}, {}, {}},
                    NestedField{3, "category", false, Type::String(), {}, {}, {}}});
  PartitionSpec spec{0, {PartitionField{{3}, 1000, "category", Transform::Identity()}}};
  for (bool partitioned : {false, true}) {
    PartitionSpec s = partitioned ? spec : UnpartitionedSpec();
    std::vector<ManifestEntry> entries = Entries(3000, partitioned);  // several 64 KiB blocks
    for (auto codec : {avro::Codec::kNull, avro::Codec::kDeflate}) {
      ManifestWriteOptions wo;
      wo.codec = codec;
      wo.sync_marker = std::string(16, 's');
      ASSERT_OK_AND_ASSIGN(std::string reference, WriteManifest(schema, s, entries, wo));
      ManifestEncodeOptions eo;
      eo.codec = codec;
      eo.deflate_level = -1;  // the writer's default level
      eo.sync_marker = wo.sync_marker;
      ASSERT_OK_AND_ASSIGN(std::string fast, EncodeManifest(schema, s, entries, eo));
      EXPECT_EQ(fast, reference) << "partitioned " << partitioned;
      eo.deflate_level = 1;
      ASSERT_OK_AND_ASSIGN(fast, EncodeManifest(schema, s, entries, eo));
      ASSERT_OK_AND_ASSIGN(Manifest m, ReadManifest(fast, "fast"));
      ASSERT_EQ(m.entries.size(), entries.size());
      for (size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(m.entries[i], entries[i]) << i;
    }
  }
}

TEST(ManifestEncoderTest, V3DeleteManifestsSameBytesAsWriteManifest) {
  Schema schema(0, {NestedField{1, "id", true, Type::Long(), {}, {}, {}}});
  std::vector<ManifestEntry> entries = Entries(500, false);
  for (size_t i = 0; i < entries.size(); ++i) {
    DataFile& f = entries[i].data_file;
    if (i % 2 == 0) {
      f.first_row_id = static_cast<int64_t>(i) * 100;  // data files: some assigned
      continue;
    }
    f.content = FileContent::kPositionDeletes;  // deletion vectors
    f.file_format = "PUFFIN";
    f.referenced_data_file = "mem://wh/db/t/data/x" + std::to_string(i) + ".parquet";
    f.content_offset = 4 + static_cast<int64_t>(i);
    f.content_size_in_bytes = 40;
  }
  ManifestWriteOptions wo;
  wo.content = ManifestContent::kDeletes;
  wo.format_version = 3;
  wo.sync_marker = std::string(16, 's');
  ASSERT_OK_AND_ASSIGN(std::string reference,
                       WriteManifest(schema, UnpartitionedSpec(), entries, wo));
  ManifestEncodeOptions eo;
  eo.content = ManifestContent::kDeletes;
  eo.format_version = 3;
  eo.deflate_level = -1;
  eo.sync_marker = wo.sync_marker;
  ASSERT_OK_AND_ASSIGN(std::string fast, EncodeManifest(schema, UnpartitionedSpec(), entries, eo));
  EXPECT_EQ(fast, reference);
  ASSERT_OK_AND_ASSIGN(Manifest m, ReadManifest(fast, "fast"));
  EXPECT_EQ(m.format_version, 3);
  EXPECT_EQ(m.content, ManifestContent::kDeletes);
  ASSERT_EQ(m.entries.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(m.entries[i], entries[i]) << i;
  // A v2 manifest has no place for the v3 fields.
  eo.format_version = 2;
  EXPECT_THAT(EncodeManifest(schema, UnpartitionedSpec(), entries, eo),
              atl::testing::IsError(StatusCode::kInvalidArgument));
}

TEST(ManifestEncoderTest, RejectsATupleOfTheWrongArity) {
  Schema schema(0, {NestedField{1, "id", true, Type::Long(), {}, {}, {}}});
  std::vector<ManifestEntry> entries = Entries(2, true);
  EXPECT_THAT(EncodeManifest(schema, UnpartitionedSpec(), entries),
              atl::testing::IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::iceberg
