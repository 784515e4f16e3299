#include "atoll/iceberg/table_metadata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/iceberg/commit/table_metadata_builder.h"
#include "atoll/iceberg/name_mapping.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

namespace fs = std::filesystem;
using testing::IsError;

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  auto root = testing::TestdataDir();
  if (!root || !fs::exists(*root + "/iceberg")) return files;
  for (const auto& e : fs::recursive_directory_iterator(*root + "/iceberg")) {
    std::string p = e.path().string();
    if (e.is_regular_file() && p.size() > 14 && p.substr(p.size() - 14) == ".metadata.json")
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The corpus file that is not table metadata (BigQuery's placeholder without format-version).
bool KnownInvalid(const std::string& path) {
  return path.find("big_query_error/metadata/v0.metadata.json") != std::string::npos;
}

TEST(TableMetadataCorpusTest, EveryMetadataFileParsesAndRoundTripsAsV2OrV3) {
  auto files = CorpusFiles();
  if (files.empty()) GTEST_SKIP() << "../shared/testdata/iceberg not found; set ATOLL_TESTDATA";
  int parsed = 0;
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    auto meta = TableMetadata::Parse(testing::ReadFile(path), path);
    if (KnownInvalid(path)) {
      EXPECT_THAT(meta, IsError(StatusCode::kInvalidArgument));
      EXPECT_NE(meta.status().message().find("missing required field 'format-version'"),
                std::string::npos);
      continue;
    }
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    ++parsed;
    ASSERT_OK_AND_ASSIGN(std::string text, meta->ToJsonString());
    ASSERT_OK_AND_ASSIGN(TableMetadata again, TableMetadata::Parse(text, "re-serialized " + path));
    TableMetadata expected = *meta;
    expected.format_version = std::max(2, meta->format_version);
    if (expected.format_version >= 3 && !expected.next_row_id) expected.next_row_id = 0;
    EXPECT_TRUE(again == expected);
    ASSERT_OK_AND_ASSIGN(std::string text2, again.ToJsonString());
    EXPECT_EQ(text, text2) << "writing is not deterministic";
  }
  EXPECT_GE(parsed, 60);
}

TEST(TableMetadataCorpusTest, V1MetadataIsNormalized) {
  auto root = testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata not found";
  std::string path = *root + "/iceberg/impala/iceberg_partitioned/metadata/v2.metadata.json";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not found";
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(testing::ReadFile(path)));
  EXPECT_EQ(m.format_version, 1);
  EXPECT_EQ(m.CurrentSchema()->FindFieldByName("event_time")->type->id(), TypeId::kTimestampTz);
  ASSERT_EQ(m.DefaultSpec()->fields.size(), 2u);
  EXPECT_EQ(m.DefaultSpec()->fields[0].transform, Transform::Hour());
  EXPECT_EQ(m.last_partition_id, 1001);
  EXPECT_EQ(m.DefaultSortOrder()->order_id, 0);
  ASSERT_NE(m.CurrentSnapshot(), nullptr);
  EXPECT_EQ(m.CurrentSnapshot()->snapshot_id, 8270633197658268308);  // above 2^53
  EXPECT_EQ(m.CurrentSnapshot()->sequence_number, 0);
  EXPECT_EQ(m.refs.at("main").snapshot_id, 8270633197658268308);
  ASSERT_OK_AND_ASSIGN(TypePtr pt, m.DefaultSpec()->PartitionType(*m.CurrentSchema()));
  EXPECT_EQ(pt->fields()[1].type->id(), TypeId::kString);
}

TEST(TableMetadataCorpusTest, V3RowLineageAndDefaultsAreKept) {
  auto root = testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata not found";
  std::string v3 = *root + "/iceberg/impala/iceberg_v3_deletion_vectors/metadata/v3.metadata.json";
  std::string defaults = *root +
                         "/iceberg/duckdb-iceberg/add_columns_with_defaults/default.db/"
                         "add_columns_with_defaults/metadata/"
                         "00003-3f1801a5-7dfb-4072-b14a-39cd12f9279b.metadata.json";
  if (!fs::exists(v3) || !fs::exists(defaults)) GTEST_SKIP() << "corpus files not found";
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(testing::ReadFile(v3)));
  EXPECT_EQ(m.next_row_id.value_or(-1), 5);
  EXPECT_EQ(m.CurrentSnapshot()->first_row_id.value_or(-1), 5);
  EXPECT_EQ(m.snapshots[0].added_rows.value_or(-1), 5);
  ASSERT_OK_AND_ASSIGN(Json j, m.ToJson());
  EXPECT_EQ(j["format-version"], 3);
  EXPECT_THAT(m.ToJson(2), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(TableMetadata d, TableMetadata::Parse(testing::ReadFile(defaults)));
  const NestedField* dec = d.CurrentSchema()->FindFieldByName("col_decimal");
  ASSERT_NE(dec, nullptr);
  EXPECT_EQ(dec->initial_default.value_or(JsonValue()).get(), Json("12345.00"));
  ASSERT_OK_AND_ASSIGN(Literal lit, LiteralFromJson(dec->type, dec->initial_default->get()));
  EXPECT_EQ(lit.decimal_value(), 1234500);
}

TEST(NameMappingTest, ParsesTheTablePropertyAndLooksUpPaths) {
  auto root = testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata not found";
  std::string path =
      *root + "/iceberg/duckdb-iceberg/name_mapping/warehouse_1/mydb/t1/metadata/v3.metadata.json";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not found";
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(testing::ReadFile(path)));
  ASSERT_OK_AND_ASSIGN(NameMapping nm,
                       NameMapping::Parse(m.properties.at(kDefaultNameMappingProperty)));
  ASSERT_NE(nm.Find({"a"}), nullptr);
  EXPECT_EQ(nm.Find({"a"})->field_id.value_or(0), 1);
  ASSERT_OK_AND_ASSIGN(NameMapping back, NameMapping::Parse(nm.ToJsonString()));
  EXPECT_EQ(back, nm);
}

TEST(NameMappingTest, NestedNamesAliasesAndSchemaMapping) {
  ASSERT_OK_AND_ASSIGN(NameMapping nm, NameMapping::Parse(R"([
      {"field-id": 1, "names": ["id", "record_id"]},
      {"field-id": 2, "names": ["data"]},
      {"field-id": 3, "names": ["location"], "fields": [
          {"field-id": 4, "names": ["latitude", "lat"]},
          {"field-id": 5, "names": ["longitude", "long"]}]},
      {"names": ["a.b"]}])"));
  EXPECT_EQ(nm.Find({"record_id"})->field_id.value_or(0), 1);
  EXPECT_EQ(nm.Find({"location", "lat"})->field_id.value_or(0), 4);
  EXPECT_EQ(nm.Find({"location", "nope"}), nullptr);
  EXPECT_FALSE(nm.Find({"a.b"})->field_id.has_value());
  EXPECT_EQ(nm.Find({"a", "b"}), nullptr);
  EXPECT_THAT(NameMapping::Parse(R"({"type": "struct"})"), IsError(StatusCode::kInvalidArgument));
  Schema s(0,
           {NestedField{1, "x", true, Type::Int(), {}, {}, {}},
            NestedField{
                2, "m", false, Type::Map(3, Type::String(), 4, false, Type::Long()), {}, {}, {}}});
  NameMapping from_schema = NameMapping::FromSchema(s);
  EXPECT_EQ(from_schema.Find({"m", "value"})->field_id.value_or(0), 4);
}

Snapshot MakeSnapshot(int64_t id, std::optional<int64_t> parent, int64_t seq, int64_t ts) {
  Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  s.sequence_number = seq;
  s.timestamp_ms = ts;
  s.manifest_list = "s3://b/t/metadata/snap-" + std::to_string(id) + ".avro";
  s.summary = {{"operation", "append"}};
  s.schema_id = 0;
  return s;
}

TableMetadata NewTable() {
  Schema schema(0, {NestedField{1, "id", true, Type::Long(), {}, {}, {}},
                    NestedField{2, "ts", false, Type::TimestampTz(), {}, {}, {}}});
  auto m = TableMetadataBuilder::NewTable(schema, {{{2}, "ts_day", Transform::Day()}},
                                          UnsortedOrder(), "s3://b/t", {{"owner", "atoll"}},
                                          "9e0a8a47-7fa5-4f79-8c5f-111111111111", 1000);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST(TableMetadataBuilderTest, AddsSnapshotsAndTravelsBackInTime) {
  TableMetadata m0 = NewTable();
  EXPECT_EQ(m0.DefaultSpec()->fields[0].field_id, 1000);
  EXPECT_EQ(m0.last_partition_id, 1000);
  EXPECT_EQ(m0.CurrentSnapshot(), nullptr);
  ASSERT_OK_AND_ASSIGN(Json empty, m0.ToJson());
  EXPECT_EQ(empty["current-snapshot-id"], -1);

  const int64_t big = (int64_t{1} << 62) + 7;  // ids above 2^53 survive
  ASSERT_OK_AND_ASSIGN(TableMetadata m1, TableMetadataBuilder(m0)
                                             .AddSnapshot(MakeSnapshot(big, std::nullopt, 1, 2000))
                                             .SetCurrentSnapshot(big)
                                             .Build(2001, "s3://b/t/metadata/00000.metadata.json"));
  ASSERT_OK_AND_ASSIGN(TableMetadata m2, TableMetadataBuilder(m1)
                                             .AddSnapshot(MakeSnapshot(42, big, 2, 3000))
                                             .SetCurrentSnapshot(42)
                                             .SetProperties({{"k", "v"}})
                                             .Build(3001, "s3://b/t/metadata/00001.metadata.json"));
  EXPECT_EQ(m2.last_sequence_number, 2);
  EXPECT_EQ(m2.current_snapshot_id.value_or(0), 42);
  EXPECT_EQ(m2.refs.at("main").snapshot_id, 42);
  EXPECT_EQ(m2.properties.at("k"), "v");
  ASSERT_EQ(m2.snapshot_log.size(), 2u);
  EXPECT_EQ(m2.snapshot_log[0], (SnapshotLogEntry{2000, big}));
  ASSERT_EQ(m2.metadata_log.size(), 2u);
  EXPECT_EQ(m2.metadata_log[1], (MetadataLogEntry{2001, "s3://b/t/metadata/00001.metadata.json"}));
  EXPECT_EQ(m2.last_updated_ms, 3001);

  ASSERT_OK_AND_ASSIGN(const Snapshot* at_2500, m2.SnapshotAsOf(2500));
  EXPECT_EQ(at_2500->snapshot_id, big);
  ASSERT_OK_AND_ASSIGN(const Snapshot* at_3000, m2.SnapshotAsOf(3000));
  EXPECT_EQ(at_3000->snapshot_id, 42);
  auto too_early = m2.SnapshotAsOf(1999);
  EXPECT_THAT(too_early, IsError(StatusCode::kNotFound));
  EXPECT_NE(too_early.status().message().find("earliest logged snapshot is from 2000 ms"),
            std::string::npos);

  // Rolling back to an older snapshot is logged with the build time.
  ASSERT_OK_AND_ASSIGN(TableMetadata m3,
                       TableMetadataBuilder(m2).SetCurrentSnapshot(big).Build(4000));
  EXPECT_EQ(m3.snapshot_log.back(), (SnapshotLogEntry{4000, big}));
  ASSERT_OK_AND_ASSIGN(const Snapshot* at_5000, m3.SnapshotAsOf(5000));
  EXPECT_EQ(at_5000->snapshot_id, big);

  ASSERT_OK_AND_ASSIGN(std::string text, m3.ToJsonString());
  ASSERT_OK_AND_ASSIGN(TableMetadata parsed, TableMetadata::Parse(text));
  EXPECT_TRUE(parsed == m3);
}

TEST(TableMetadataBuilderTest, EnforcesTheSpecsRules) {
  TableMetadata m0 = NewTable();
  ASSERT_OK_AND_ASSIGN(
      TableMetadata m1,
      TableMetadataBuilder(m0).AddSnapshot(MakeSnapshot(1, std::nullopt, 1, 2000)).Build(2000));
  EXPECT_THAT(TableMetadataBuilder(m1).AddSnapshot(MakeSnapshot(2, 1, 1, 3000)).Build(3000),
              IsError(StatusCode::kInvalidArgument));  // sequence number must grow
  EXPECT_THAT(
      TableMetadataBuilder(m1).AddSnapshot(MakeSnapshot(1, std::nullopt, 2, 3000)).Build(3000),
      IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(TableMetadataBuilder(m1).SetCurrentSnapshot(99).Build(3000),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(TableMetadataBuilder(m1).SetCurrentSchema(7).Build(3000),
              IsError(StatusCode::kInvalidArgument));
}

TEST(TableMetadataBuilderTest, EvolvesSchemasAndSpecsReusingIds) {
  TableMetadata m0 = NewTable();
  Schema wider(0, {NestedField{1, "id", true, Type::Long(), {}, {}, {}},
                   NestedField{2, "ts", false, Type::TimestampTz(), {}, {}, {}},
                   NestedField{3, "name", false, Type::String(), {}, {}, {}}});
  int32_t last_pid = m0.last_partition_id;
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec, EvolveSpec(m0.specs, wider, 0,
                                                      {{{2}, "ts_day", Transform::Day()},
                                                       {{3}, "name_trunc", Transform::Truncate(2)}},
                                                      &last_pid));
  TableMetadataBuilder b(m0);
  b.AddSchema(wider, 3).SetCurrentSchema(-1).AddPartitionSpec(spec).SetDefaultSpec(-1);
  ASSERT_OK_AND_ASSIGN(TableMetadata m1, b.Build(5000));
  EXPECT_EQ(m1.current_schema_id, 1);
  EXPECT_EQ(m1.last_column_id, 3);
  EXPECT_EQ(m1.default_spec_id, 1);
  EXPECT_EQ(m1.DefaultSpec()->fields[0].field_id, 1000);
  EXPECT_EQ(m1.DefaultSpec()->fields[1].field_id, 1001);
  EXPECT_EQ(m1.last_partition_id, 1001);
  // Adding an equal schema or equivalent spec again reuses the existing ids.
  TableMetadataBuilder again(m1);
  again.AddSchema(wider.WithSchemaId(5), 3).AddPartitionSpec(spec);
  EXPECT_EQ(again.last_added_schema_id(), 1);
  EXPECT_EQ(again.last_added_spec_id(), 1);
  ASSERT_OK_AND_ASSIGN(TableMetadata m2, again.Build(6000));
  EXPECT_EQ(m2.schemas.size(), 2u);
  EXPECT_EQ(m2.specs.size(), 2u);
}

TEST(TableMetadataTest, RejectsBrokenMetadataWithClearErrors) {
  EXPECT_THAT(TableMetadata::Parse("{not json"), IsError(StatusCode::kCorruption));
  EXPECT_THAT(TableMetadata::Parse(R"({"format-version": 4})"), IsError(StatusCode::kNotSupported));
  auto r = TableMetadata::Parse(R"({"format-version": 2, "location": "x"})", "v1.metadata.json");
  EXPECT_EQ(r.status().message(), "v1.metadata.json: missing required field 'table-uuid'");
}

}  // namespace
}  // namespace atl::iceberg
