// Iceberg tables whose data files are Avro: iceberg_scan reads them through Parquet copies
// (table/parquet_copy_cache.h) that keep the Avro schema's field ids, so columns resolve by
// id (a renamed column still reads its values) and position deletes apply.
#include <filesystem>

#include "atoll/catalog/memory_catalog.h"
#include "atoll/engine/engine.h"
#include "atoll/formats/avro/schema.h"
#include "atoll/formats/avro/writer.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/table/avro_table.h"
#include "atoll/table/iceberg_scan.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

namespace fs = std::filesystem;
using avro::Value;
using iceberg::NestedField;
using iceberg::Type;

// Avro schema of an Iceberg data file: ids on fields, list elements and map entries.
// Table::Create assigns fresh ids, so the ids come from the created table's schema.
std::string AvroSchemaJson(const iceberg::Schema& t) {
  auto id = [&](const std::string& name) { return t.FindFieldByName(name)->id; };
  const iceberg::NestedField* tags = t.FindFieldByName("tags");
  const iceberg::NestedField* attrs = t.FindFieldByName("attrs");
  return StrCat(R"({"type": "record", "name": "r", "fields": [
    {"name": "id", "type": "long", "field-id": )",
                id("id"), R"(},
    {"name": "name", "type": ["null", "string"], "default": null, "field-id": )",
                id("name"), R"(},
    {"name": "tags", "type": ["null", {"type": "array", "items": "string", "element-id": )",
                tags->type->fields()[0].id, R"(}], "default": null, "field-id": )", tags->id, R"(},
    {"name": "attrs", "type": {"type": "map", "values": "long", "key-id": )",
                attrs->type->fields()[0].id, R"(, "value-id": )", attrs->type->fields()[1].id,
                R"(}, "field-id": )", attrs->id, R"(},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": true},
     "field-id": )",
                id("at"), "}]}");
}

std::string AvroRows(const iceberg::Schema& table_schema) {
  auto schema = avro::Schema::Parse(AvroSchemaJson(table_schema));
  EXPECT_OK(schema);
  if (!schema.ok()) return "";
  std::vector<Value> rows;
  for (int64_t i = 1; i <= 3; ++i) {
    rows.push_back(Value::Record({
        Value::Long(i),
        i == 2 ? Value::Union(0, Value::Null())
               : Value::Union(1, Value::String("n" + std::to_string(i))),
        Value::Union(1, Value::Array({Value::String("a"), Value::String("t" + std::to_string(i))})),
        Value::Map({{"k", Value::Long(i * 10)}}),
        Value::Long(1700000000000000 + i * 1000000),
    }));
  }
  auto bytes = avro::WriteToString(*schema, rows);
  EXPECT_OK(bytes);
  return bytes.ok() ? *bytes : "";
}

iceberg::Schema TableSchema() {
  auto f = [](int32_t id, std::string name, bool required, iceberg::TypePtr t) {
    NestedField n;
    n.id = id;
    n.name = std::move(name);
    n.required = required;
    n.type = std::move(t);
    return n;
  };
  return iceberg::Schema(0,
                         {f(1, "id", true, Type::Long()), f(2, "name", false, Type::String()),
                          f(3, "tags", false, Type::List(4, true, Type::String())),
                          f(5, "attrs", true, Type::Map(6, Type::String(), 7, true, Type::Long())),
                          f(8, "at", true, Type::TimestampTz())});
}

TEST(AvroFieldIds, OptionCarriesNestedIds) {
  auto schema = avro::Schema::Parse(AvroSchemaJson(TableSchema()));
  ASSERT_OK(schema);
  EXPECT_EQ(AvroFieldIdsOption((*schema)->root()),
            "{'id': 1, 'name': 2, 'tags': {__duckdb_field_id: 3, element: 4}, "
            "'attrs': {__duckdb_field_id: 5, key: 6, value: 7}, 'at': 8}");
  // Without ids (a plain Avro file), no option.
  auto plain =
      avro::Schema::Parse(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
  ASSERT_OK(plain);
  EXPECT_EQ(AvroFieldIdsOption((*plain)->root()), std::nullopt);
}

// A table of TableSchema() in a memory catalog under a temporary directory, an engine with
// iceberg_scan over it, and AddAvroFile() to commit an Avro data file.
class AvroDataFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = std::make_shared<catalog::MemoryCatalog>(dir_.path());
    ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
    iceberg::CreateTableOptions co;
    co.schema = TableSchema();
    ASSERT_OK_AND_ASSIGN(
        iceberg::Table t,
        iceberg::Table::Create(catalog, std::make_shared<iceberg::FileIO>(), {{"db"}, "t"}, co));
    table_ = std::make_unique<iceberg::Table>(std::move(t));
    engine::EngineOptions eo;
    eo.threads = 1;
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open(eo));
    IcebergScanOptions so;
    so.root = dir_.path();
    ASSERT_OK(RegisterIcebergScan(*engine_, so));
  }

  // Writes `bytes` as data/<name> and appends it as an AVRO data file of 3 records.
  void AddAvroFile(const std::string& name, const std::string& bytes) {
    const std::string path = table_->location() + "/data/" + name;
    fs::create_directories(table_->location() + "/data");
    atl::testing::WriteFile(path, bytes);
    iceberg::DataFile file;
    file.file_path = path;
    file.file_format = "AVRO";
    file.record_count = 3;
    file.file_size_in_bytes = static_cast<int64_t>(bytes.size());
    ASSERT_OK(table_->NewTransaction().Append({file}).Commit());
  }

  std::string Scan() const {
    return "iceberg_scan(" + engine::QuoteString(table_->location()) + ")";
  }

  atl::testing::TempDir dir_;
  std::unique_ptr<iceberg::Table> table_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(AvroDataFiles, IcebergScanReadsThemByFieldId) {
  AddAvroFile("part-0.avro", AvroRows(*table_->metadata().CurrentSchema()));
  // A rename is metadata only: the Avro file still calls the column "name".
  ASSERT_OK(table_->NewTransaction()
                .UpdateSchema([](iceberg::SchemaUpdate& u) { u.RenameColumn("name", "label"); })
                .Commit());
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult r,
      engine_->Query("SELECT id, label, tags::VARCHAR, attrs['k'], epoch_us(\"at\") FROM " +
                     Scan() + " ORDER BY id"));
  std::vector<std::string> lines;
  for (const auto& row : r.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + (row[i] ? *row[i] : "NULL");
    lines.push_back(line);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"1|n1|[a, t1]|10|1700000001000000",
                                             "2|NULL|[a, t2]|20|1700000002000000",
                                             "3|n3|[a, t3]|30|1700000003000000"}));
}

TEST_F(AvroDataFiles, CorruptFileFailsWithItsLocation) {
  std::string bytes = AvroRows(*table_->metadata().CurrentSchema());
  bytes.resize(bytes.size() - 30);  // cut into the last block
  AddAvroFile("cut.avro", bytes);
  auto r = engine_->Query("SELECT count(*) FROM " + Scan());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cut.avro"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace atl::table
