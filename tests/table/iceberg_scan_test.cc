// Table macros (engine/table_function.h) and the SQL of iceberg_scan built from hand-made
// scan plans over Parquet files that DuckDB writes with field ids in a temporary directory.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "atoll/engine/engine.h"
#include "atoll/engine/table_function.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/name_mapping.h"
#include "atoll/table/iceberg_scan_sql.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using engine::Engine;
using engine::MacroArgType;
using engine::QueryResult;
using engine::TableMacro;
using engine::TableMacroArgs;
using iceberg::DataFile;
using iceberg::FileContent;
using iceberg::FileScanTask;
using iceberg::Json;
using iceberg::NestedField;
using iceberg::Schema;
using iceberg::Type;
using ::testing::HasSubstr;

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, Engine::Open(options));
  }

  // Rows as "a|b|c" lines (NULL as "NULL"), sorted.
  std::vector<std::string> Rows(const std::string& sql) {
    Result<QueryResult> r = engine_->Query(sql);
    EXPECT_OK(r);
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& row : r->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + (row[i] ? *row[i] : "NULL");
      out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<Engine> engine_;
};

NestedField Field(int32_t id, std::string name, bool required, iceberg::TypePtr type,
                  std::optional<Json> initial_default = std::nullopt) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  f.initial_default = std::move(initial_default);
  return f;
}

FileScanTask Task(DataFile file, int32_t spec_id = 0, std::vector<DataFile> positions = {},
                  std::vector<DataFile> equalities = {}) {
  FileScanTask t;
  t.file = std::move(file);
  t.spec_id = spec_id;
  t.data_sequence_number = 1;
  t.position_deletes = std::move(positions);
  t.equality_deletes = std::move(equalities);
  return t;
}

iceberg::ScanPlan Plan(const Schema& schema, std::vector<FileScanTask> tasks = {}) {
  return iceberg::ScanPlan{std::nullopt, schema, std::move(tasks), {}};
}

// --- table macros ----------------------------------------------------------------------

using TableMacroTest = EngineFixture;

TableMacro EchoMacro() {
  TableMacro m;
  m.name = "echo_args";
  m.positional = {MacroArgType::kVarchar};
  m.named = {{"n", MacroArgType::kBigint},
             {"ts", MacroArgType::kTimestampMs},
             {"s", MacroArgType::kVarchar}};
  m.callback = [](const TableMacroArgs& args) -> Result<std::string> {
    auto n = args.NamedInt("n");
    auto ts = args.NamedInt("ts");
    return StrCat("SELECT ", engine::QuoteString(*args.Text(0)), " AS t, ",
                  n ? std::to_string(*n) : "NULL", " AS n, ", ts ? std::to_string(*ts) : "NULL",
                  " AS ts, ", engine::QuoteString(args.NamedText("s").value_or("-")), " AS s");
  };
  return m;
}

TEST_F(TableMacroTest, PassesPositionalAndNamedArguments) {
  ASSERT_OK(engine_->RegisterTableMacro(EchoMacro()));
  EXPECT_EQ(Rows("SELECT * FROM echo_args('hi')"), std::vector<std::string>{"hi|NULL|NULL|-"});
  EXPECT_EQ(Rows("SELECT * FROM echo_args('it''s', n => 5, S => 'x')"),
            std::vector<std::string>{"it's|5|NULL|x"});
  // Timestamps arrive as epoch milliseconds, whatever form they were given in.
  EXPECT_EQ(Rows("SELECT ts FROM echo_args('a', ts => TIMESTAMP '2024-01-01 00:00:01.5')"),
            std::vector<std::string>{"1704067201500"});
  EXPECT_EQ(Rows("SELECT ts FROM echo_args('a', ts => '1970-01-02')"),
            std::vector<std::string>{"86400000"});
  EXPECT_EQ(Rows("SELECT ts FROM echo_args('a', ts => 1234)"), std::vector<std::string>{"1234"});
  // The call is a subquery: aliases, joins and filters apply to it.
  EXPECT_EQ(Rows("SELECT x.t, y.t FROM echo_args('a') AS x, echo_args('b') AS y WHERE x.n IS NULL"),
            std::vector<std::string>{"a|b"});
}

TEST_F(TableMacroTest, CallbackErrorsKeepTheirCode) {
  struct Case {
    Status status;
    StatusCode code;
  };
  std::vector<Case> cases = {{NotFound("no table at x"), StatusCode::kNotFound},
                             {Corruption("bad manifest y"), StatusCode::kCorruption},
                             {NotSupported("ORC z"), StatusCode::kNotSupported},
                             {InvalidArgument("bad arg"), StatusCode::kInvalidArgument},
                             {Unavailable("slow down"), StatusCode::kUnavailable}};
  for (size_t i = 0; i < cases.size(); ++i) {
    TableMacro m;
    m.name = "failing" + std::to_string(i);
    m.positional = {};
    Status st = cases[i].status;
    m.callback = [st](const TableMacroArgs&) -> Result<std::string> { return st; };
    ASSERT_OK(engine_->RegisterTableMacro(m));
    Result<QueryResult> r = engine_->Query("SELECT * FROM " + m.name + "()");
    EXPECT_THAT(r, IsError(cases[i].code)) << st.ToString();
    EXPECT_THAT(r.status().message(), HasSubstr(m.name + ": " + st.ToString()));
  }
}

TEST_F(TableMacroTest, SideQueriesRunWhileBinding) {
  TableMacro m;
  m.name = "side";
  m.callback = [](const TableMacroArgs& args) -> Result<std::string> {
    ATOLL_ASSIGN_OR_RETURN(QueryResult r, args.query("SELECT 41 + 1"));
    return "SELECT " + *r.rows.at(0).at(0) + " AS v";
  };
  ASSERT_OK(engine_->RegisterTableMacro(m));
  EXPECT_EQ(Rows("SELECT v FROM side()"), std::vector<std::string>{"42"});
}

TEST_F(TableMacroTest, RejectsDuplicatesAndBadSql) {
  ASSERT_OK(engine_->RegisterTableMacro(EchoMacro()));
  EXPECT_THAT(engine_->RegisterTableMacro(EchoMacro()), IsError(StatusCode::kAlreadyExists));
  TableMacro bad;
  bad.name = "bad_sql";
  bad.callback = [](const TableMacroArgs&) -> Result<std::string> {
    return std::string("DROP TABLE x");
  };
  ASSERT_OK(engine_->RegisterTableMacro(bad));
  EXPECT_THAT(engine_->Query("SELECT * FROM bad_sql()"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Query("SELECT * FROM echo_args(1, 2)"),
              IsError(StatusCode::kInvalidArgument));
}

// --- scan SQL --------------------------------------------------------------------------

class ScanSqlTest : public EngineFixture {
 protected:
  // Writes `select` to dir/name with the given field ids ("id: 1, name: 2"; "" = none).
  std::string WriteParquet(const std::string& name, const std::string& select,
                           const std::string& field_ids) {
    std::string path = dir_.path() + "/" + name;
    std::string options = "FORMAT parquet";
    if (!field_ids.empty()) options += ", FIELD_IDS {" + field_ids + "}";
    EXPECT_OK(engine_->Execute("COPY (" + select + ") TO " + engine::QuoteString(path) + " (" +
                               options + ")"));
    return path;
  }

  static DataFile Data(const std::string& location, int64_t records = 0) {
    DataFile f;
    f.file_path = location;
    f.file_format = "PARQUET";
    f.record_count = records;
    return f;
  }

  static iceberg::TableMetadata Metadata(const Schema& schema) {
    iceberg::TableMetadata m;
    m.schemas = {schema};
    m.current_schema_id = schema.schema_id();
    m.specs = {iceberg::UnpartitionedSpec()};
    return m;
  }

  // Locations in plans are "orig://<name>" (as a writer recorded them); the hook maps them
  // into the temporary directory, so the delete files' file_path values must say the same.
  ScanSqlHooks Hooks() {
    ScanSqlHooks h;
    h.readable_path = [this](std::string_view loc) -> Result<std::string> {
      if (loc.substr(0, 7) != "orig://") return NotFound("unexpected location ", loc);
      return dir_.path() + "/" + std::string(loc.substr(7));
    };
    h.read_deletion_vector = [this](const DataFile& dv) -> Result<std::vector<int64_t>> {
      auto it = dvs_.find(dv.file_path);
      if (it == dvs_.end()) return NotFound("no DV ", dv.file_path);
      return it->second;
    };
    return h;
  }

  std::vector<std::string> Scan(const iceberg::ScanPlan& plan, const iceberg::TableMetadata& m,
                                const ScanSqlHooks& hooks,
                                const std::string& outer = "SELECT * FROM ") {
    Result<std::string> sql = BuildScanSql(plan, m, hooks);
    EXPECT_OK(sql);
    if (!sql.ok()) return {};
    last_sql_ = *sql;
    return Rows(outer + "(" + *sql + ")");
  }

  TempDir dir_;
  std::map<std::string, std::vector<int64_t>> dvs_;
  std::string last_sql_;
};

TEST_F(ScanSqlTest, ProjectsByFieldIdWithRenamesPromotionsAndDefaults) {
  // Written when the table was (id int, old_name string); now (id long, new_name string,
  // added int default 7, ts timestamptz default, raw binary default, nothing string).
  WriteParquet("a.parquet", "SELECT 1::INTEGER AS id, 'x' AS old_name UNION ALL SELECT 2, NULL",
               "id: 1, old_name: 2");
  WriteParquet("b.parquet", "SELECT 3::BIGINT AS id, 'z' AS old_name, 8 AS added",
               "id: 1, old_name: 2, added: 3");
  Schema schema(
      1, {Field(1, "id", true, Type::Long()), Field(2, "new name", false, Type::String()),
          Field(3, "added", false, Type::Int(), Json(7)),
          Field(4, "ts", false, Type::TimestampTz(), Json("2024-01-02T03:04:05.000006+00:00")),
          Field(5, "raw", false, Type::Binary(), Json("01ff")),
          Field(6, "nothing", false, Type::String())});
  iceberg::ScanPlan plan = Plan(schema);
  plan.tasks = {Task(Data("orig://a.parquet")), Task(Data("orig://b.parquet"))};
  EXPECT_EQ(Scan(plan, Metadata(schema), Hooks()),
            (std::vector<std::string>{"1|x|7|2024-01-02 03:04:05.000006+00|\\x01\\xFF|NULL",
                                      "2|NULL|7|2024-01-02 03:04:05.000006+00|\\x01\\xFF|NULL",
                                      "3|z|8|2024-01-02 03:04:05.000006+00|\\x01\\xFF|NULL"}));
  // Both files have no deletes and the same defaults: one read_parquet call.
  EXPECT_EQ(last_sql_.find("read_parquet(", last_sql_.find("read_parquet(") + 1), std::string::npos)
      << last_sql_;
  ASSERT_OK_AND_ASSIGN(QueryResult types, engine_->Query("DESCRIBE " + last_sql_));
  EXPECT_EQ(*types.rows[0][1], "BIGINT");
  EXPECT_EQ(*types.rows[1][0], "new name");
}

TEST_F(ScanSqlTest, AppliesPositionDeletesAndDeletionVectorsPerFile) {
  WriteParquet("a.parquet", "SELECT i AS v FROM range(0, 5) t(i)", "v: 1");
  WriteParquet("b.parquet", "SELECT i AS v FROM range(10, 15) t(i)", "v: 1");
  WriteParquet("c.parquet", "SELECT i AS v FROM range(20, 23) t(i)", "v: 1");
  // Positions 1 and 3 of a; a line for b that must not apply to c (it names b).
  WriteParquet("pos.parquet",
               "SELECT * FROM (VALUES ('orig://a.parquet', 1::BIGINT), ('orig://a.parquet', 3), "
               "('orig://elsewhere.parquet', 0)) t(file_path, pos)",
               "file_path: 2147483546, pos: 2147483545");
  Schema schema(0, {Field(1, "v", true, Type::Long())});
  DataFile pos = Data("orig://pos.parquet");
  pos.content = FileContent::kPositionDeletes;
  DataFile dv = Data("orig://dv.puffin");
  dv.content = FileContent::kPositionDeletes;
  dv.file_format = "PUFFIN";
  dv.content_offset = 4;
  dv.content_size_in_bytes = 10;
  dvs_["orig://dv.puffin"] = {0, 1, 2, 4};
  iceberg::ScanPlan plan = Plan(schema);
  plan.tasks = {Task(Data("orig://a.parquet", 5), 0, {pos}),
                Task(Data("orig://b.parquet", 5), 0, {dv}), Task(Data("orig://c.parquet", 3))};
  EXPECT_EQ(Scan(plan, Metadata(schema), Hooks()),
            (std::vector<std::string>{"0", "13", "2", "20", "21", "22", "4"}));
  // The DV is inlined as runs of positions: [0, 3) and [4, 5).
  EXPECT_THAT(last_sql_,
              HasSubstr("(1::UBIGINT, 0::BIGINT, 3::BIGINT), (1::UBIGINT, 4::BIGINT, 5::BIGINT)"));
  // Each read states its row count from the manifests, so that DuckDB builds the deletes'
  // anti join on the deletes (with the schema parameter it would not know the data's size).
  EXPECT_THAT(last_sql_, HasSubstr("explicit_cardinality = 10)"));
  EXPECT_THAT(last_sql_, HasSubstr("explicit_cardinality = 3)"));
}

TEST_F(ScanSqlTest, RowAddressesNameEachVisibleRowsFileAndPosition) {
  WriteParquet("a.parquet", "SELECT i AS v FROM range(0, 6) t(i)", "v: 1");
  WriteParquet("b.parquet", "SELECT i AS v FROM range(10, 14) t(i)", "v: 1");
  WriteParquet("c.parquet", "SELECT i AS v FROM range(20, 23) t(i)", "v: 1");
  WriteParquet("d.parquet", "SELECT i AS v FROM range(30, 32) t(i)", "v: 1");
  WriteParquet("pos.parquet",
               "SELECT * FROM (VALUES ('orig://a.parquet', 1::BIGINT), ('orig://a.parquet', 3)) "
               "t(file_path, pos)",
               "file_path: 2147483546, pos: 2147483545");
  WriteParquet("eq.parquet", "SELECT 21::BIGINT AS v", "v: 1");
  Schema schema(0, {Field(1, "v", true, Type::Long())});
  DataFile pos = Data("orig://pos.parquet");
  pos.content = FileContent::kPositionDeletes;
  DataFile dv = Data("orig://dv.puffin");
  dv.content = FileContent::kPositionDeletes;
  dv.file_format = "PUFFIN";
  dv.content_offset = 4;
  dv.content_size_in_bytes = 10;
  dvs_["orig://dv.puffin"] = {0, 2};
  DataFile eq = Data("orig://eq.parquet");
  eq.content = FileContent::kEqualityDeletes;
  eq.equality_ids = {1};
  iceberg::ScanPlan plan = Plan(schema);
  // Four groups: position deletes (a, b), equality deletes (c), none (d).
  plan.tasks = {Task(Data("orig://a.parquet"), 0, {pos}), Task(Data("orig://b.parquet"), 0, {dv}),
                Task(Data("orig://c.parquet"), 0, {}, {eq}), Task(Data("orig://d.parquet"))};
  ScanSqlOptions options;
  options.row_address = true;
  ASSERT_OK_AND_ASSIGN(std::string sql, BuildScanSql(plan, Metadata(schema), Hooks(), options));
  std::vector<std::string> rows = Rows("SELECT * FROM (" + sql + ")");
  EXPECT_EQ(rows, (std::vector<std::string>{"0|orig://a.parquet|0", "11|orig://b.parquet|1",
                                            "13|orig://b.parquet|3", "20|orig://c.parquet|0",
                                            "22|orig://c.parquet|2", "2|orig://a.parquet|2",
                                            "30|orig://d.parquet|0", "31|orig://d.parquet|1",
                                            "4|orig://a.parquet|4", "5|orig://a.parquet|5"}));
  // The columns by name and type, after the table's.
  ASSERT_OK_AND_ASSIGN(QueryResult described, engine_->Query("DESCRIBE " + sql));
  ASSERT_EQ(described.rows.size(), 3u);
  EXPECT_EQ(*described.rows[1][0], kRowAddressFileColumn);
  EXPECT_EQ(*described.rows[1][1], "VARCHAR");
  EXPECT_EQ(*described.rows[2][0], kRowAddressPosColumn);
  EXPECT_EQ(*described.rows[2][1], "BIGINT");
  // Each address reads the same row straight from its file.
  for (const std::string& row : rows) {
    size_t bar = row.find('|'), bar2 = row.rfind('|');
    std::string file = row.substr(bar + 1, bar2 - bar - 1);
    std::string position = row.substr(bar2 + 1);
    EXPECT_EQ(Rows("SELECT v FROM read_parquet(" +
                   engine::QuoteString(dir_.path() + "/" + file.substr(7)) +
                   ") WHERE file_row_number = " + position),
              (std::vector<std::string>{row.substr(0, bar)}))
        << row;
  }
  // Without the option the SQL has no row addresses; with it, empty plans have the columns.
  ASSERT_OK_AND_ASSIGN(std::string plain, BuildScanSql(plan, Metadata(schema), Hooks()));
  EXPECT_EQ(plain.find(kRowAddressFileColumn), std::string::npos) << plain;
  EXPECT_EQ(plain.find("file_index::BIGINT + 1"), std::string::npos) << plain;
  ASSERT_OK_AND_ASSIGN(std::string empty,
                       BuildScanSql(Plan(schema), Metadata(schema), Hooks(), options));
  ASSERT_OK_AND_ASSIGN(QueryResult none, engine_->Query(empty));
  EXPECT_TRUE(none.rows.empty());
  ASSERT_EQ(none.columns.size(), 3u);
  EXPECT_EQ(none.columns[2].type, "BIGINT");
  // A table column with a row-address name is refused.
  Schema clash(0, {Field(1, "v", true, Type::Long()), Field(2, "_atoll_pos", false, Type::Long())});
  plan.schema = clash;
  EXPECT_THAT(BuildScanSql(plan, Metadata(clash), Hooks(), options),
              IsError(StatusCode::kInvalidArgument));
}

TEST_F(ScanSqlTest, AppliesEqualityDeletesOnlyToTheFilesTheyAreAttachedTo) {
  WriteParquet("a.parquet", "SELECT * FROM (VALUES (1, 'a'), (2, NULL), (3, 'c')) t(id, name)",
               "id: 1, name: 2");
  WriteParquet("b.parquet", "SELECT * FROM (VALUES (1, 'a'), (2, NULL)) t(id, name)",
               "id: 1, name: 2");
  WriteParquet("eq_name.parquet", "SELECT NULL::VARCHAR AS name", "name: 2");
  WriteParquet("eq_both.parquet", "SELECT 3 AS id, 'c' AS name UNION ALL SELECT 1, 'zzz'",
               "id: 1, name: 2");
  Schema schema(0, {Field(1, "id", true, Type::Int()), Field(2, "name", false, Type::String())});
  DataFile eq_name = Data("orig://eq_name.parquet");
  eq_name.content = FileContent::kEqualityDeletes;
  eq_name.equality_ids = {2};
  DataFile eq_both = Data("orig://eq_both.parquet");
  eq_both.content = FileContent::kEqualityDeletes;
  eq_both.equality_ids = {2, 1};
  iceberg::ScanPlan plan = Plan(schema);
  plan.tasks = {Task(Data("orig://a.parquet"), 0, {}, {eq_name, eq_both}),
                Task(Data("orig://b.parquet"))};
  // From a: NULL name deleted (NULL matches NULL), (3, c) deleted; b is untouched.
  EXPECT_EQ(Scan(plan, Metadata(schema), Hooks()),
            (std::vector<std::string>{"1|a", "1|a", "2|NULL"}));
}

TEST_F(ScanSqlTest, FillsIdentityPartitionColumnsMissingFromFiles) {
  WriteParquet("p1.parquet", "SELECT 10 AS v", "v: 1");
  WriteParquet("p2.parquet", "SELECT 20 AS v, DATE '2024-01-09' AS day", "v: 1, day: 2");
  Schema schema(0, {Field(1, "v", true, Type::Int()), Field(2, "day", false, Type::Date())});
  iceberg::TableMetadata m = Metadata(schema);
  iceberg::PartitionSpec spec;
  spec.spec_id = 1;
  spec.fields = {iceberg::PartitionField{{2}, 1000, "day", iceberg::Transform::Identity()}};
  m.specs.push_back(spec);
  DataFile p1 = Data("orig://p1.parquet");
  p1.partition = {iceberg::Literal::Date(19723)};  // 2024-01-01
  DataFile p2 = Data("orig://p2.parquet");
  p2.partition = {iceberg::Literal::Date(19731)};
  p2.value_counts[2] = 1;  // metrics show the column: read from the file
  iceberg::ScanPlan plan = Plan(schema);
  plan.tasks = {Task(p1, 1), Task(p2, 1)};
  EXPECT_EQ(Scan(plan, m, Hooks()), (std::vector<std::string>{"10|2024-01-01", "20|2024-01-09"}));
}

TEST_F(ScanSqlTest, ReadsFilesWithoutFieldIdsThroughTheNameMapping) {
  WriteParquet("ids.parquet", "SELECT 1 AS a, 2::BIGINT AS b", "a: 1, b: 2");
  WriteParquet("noids.parquet", "SELECT 3 AS a, 4::BIGINT AS old_b", "");
  Schema schema(0, {Field(1, "a", false, Type::Int()), Field(2, "b", false, Type::Long())});
  iceberg::TableMetadata m = Metadata(schema);
  m.properties[iceberg::kDefaultNameMappingProperty] =
      R"([{"field-id": 1, "names": ["a"]}, {"field-id": 2, "names": ["old_b", "b"]}])";
  ScanSqlHooks hooks = Hooks();
  std::vector<std::string> probed;
  hooks.files_with_field_ids =
      [&](const std::vector<std::string>& paths) -> Result<std::set<std::string>> {
    probed = paths;
    return std::set<std::string>{dir_.path() + "/ids.parquet"};
  };
  iceberg::ScanPlan plan = Plan(schema);
  plan.tasks = {Task(Data("orig://ids.parquet")), Task(Data("orig://noids.parquet"))};
  EXPECT_EQ(Scan(plan, m, hooks), (std::vector<std::string>{"1|2", "3|4"}));
  EXPECT_EQ(probed.size(), 2u);
  // Without a mapping entry for b, the file without ids has no b.
  m.properties[iceberg::kDefaultNameMappingProperty] = R"([{"field-id": 1, "names": ["a"]}])";
  EXPECT_EQ(Scan(plan, m, hooks), (std::vector<std::string>{"1|2", "3|NULL"}));
}

TEST_F(ScanSqlTest, EmptyPlansGiveTypedEmptyResults) {
  Schema schema(0, {Field(1, "id", true, Type::Int()),
                    Field(2, "tags", false, Type::List(3, false, Type::String()))});
  iceberg::ScanPlan plan = Plan(schema);
  ASSERT_OK_AND_ASSIGN(std::string sql, BuildScanSql(plan, Metadata(schema), Hooks()));
  ASSERT_OK_AND_ASSIGN(QueryResult r, engine_->Query(sql));
  EXPECT_TRUE(r.rows.empty());
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[1].type, "VARCHAR[]");
}

TEST_F(ScanSqlTest, OrcAndAvroDataFilesAreNotSupported) {
  Schema schema(0, {Field(1, "id", true, Type::Int())});
  iceberg::ScanPlan plan = Plan(schema);
  DataFile orc = Data("orig://x.orc");
  orc.file_format = "ORC";
  plan.tasks = {Task(orc)};
  Result<std::string> sql = BuildScanSql(plan, Metadata(schema), Hooks());
  EXPECT_THAT(sql, IsError(StatusCode::kNotSupported));
  EXPECT_THAT(sql.status().message(), HasSubstr("orig://x.orc is an ORC file"));
  plan.tasks[0].file.file_format = "AVRO";
  EXPECT_THAT(BuildScanSql(plan, Metadata(schema), Hooks()), IsError(StatusCode::kNotSupported));
}

TEST_F(ScanSqlTest, OrcFilesAreReadThroughTheirParquetCopies) {
  // The hook hands out Parquet copies ("<name>.copy.parquet"); position delete files keep
  // naming the ORC data file by its own location, and still apply.
  WriteParquet("a.orc.copy.parquet", "SELECT i AS v FROM range(0, 5) t(i)", "v: 1");
  WriteParquet("b.parquet", "SELECT i AS v FROM range(10, 12) t(i)", "v: 1");
  WriteParquet("pos.orc.copy.parquet",
               "SELECT * FROM (VALUES ('orig://a.orc', 0::BIGINT), ('orig://a.orc', 4), "
               "('orig://b.parquet', 1)) "
               "t(file_path, pos)",
               "file_path: 2147483546, pos: 2147483545");
  WriteParquet("eq.orc.copy.parquet", "SELECT 2::BIGINT AS v", "v: 1");
  Schema schema(0, {Field(1, "v", true, Type::Long())});
  DataFile a = Data("orig://a.orc");
  a.file_format = "ORC";
  DataFile pos = Data("orig://pos.orc");
  pos.file_format = "orc";
  pos.content = FileContent::kPositionDeletes;
  DataFile eq = Data("orig://eq.orc");
  eq.file_format = "ORC";
  eq.content = FileContent::kEqualityDeletes;
  eq.equality_ids = {1};
  iceberg::ScanPlan plan = Plan(schema);
  plan.tasks = {Task(a, 0, {pos}), Task(Data("orig://b.parquet"), 0, {pos})};
  plan.tasks[0].equality_deletes = {eq};
  ScanSqlHooks hooks = Hooks();
  std::vector<std::string> copied;
  hooks.parquet_copy = [&](const DataFile& f) -> Result<std::string> {
    copied.push_back(f.file_path);
    return dir_.path() + "/" + f.file_path.substr(7) + ".copy.parquet";
  };
  EXPECT_EQ(Scan(plan, Metadata(schema), hooks), (std::vector<std::string>{"1", "10", "3"}));
  std::sort(copied.begin(), copied.end());
  copied.erase(std::unique(copied.begin(), copied.end()), copied.end());
  EXPECT_EQ(copied, (std::vector<std::string>{"orig://a.orc", "orig://eq.orc", "orig://pos.orc"}));
  // Row addresses name the ORC file itself, never its copy.
  ScanSqlOptions options;
  options.row_address = true;
  ASSERT_OK_AND_ASSIGN(std::string addressed, BuildScanSql(plan, Metadata(schema), hooks, options));
  EXPECT_EQ(
      Rows("SELECT * FROM (" + addressed + ")"),
      (std::vector<std::string>{"10|orig://b.parquet|0", "1|orig://a.orc|1", "3|orig://a.orc|3"}));
  // A failing conversion names the file.
  hooks.parquet_copy = [](const DataFile&) -> Result<std::string> {
    return Corruption("bad stripe");
  };
  Result<std::string> sql = BuildScanSql(plan, Metadata(schema), hooks);
  EXPECT_THAT(sql, IsError(StatusCode::kCorruption));
  EXPECT_THAT(sql.status().message(), HasSubstr("data file orig://a.orc"));
}

}  // namespace
}  // namespace atl::table
