#include "atoll/sql/table_dml.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "atoll/iceberg/commit/row_delta.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/system_tables.h"
#include "atoll/sql/sql_text.h"
#include "atoll/table/data_writer.h"
#include "atoll/table/delete_writer.h"
#include "atoll/table/iceberg_scan.h"
#include "atoll/table/iceberg_scan_sql.h"

namespace atl::lake {

// sql-names: paths, on, filter, rows, kept, before, alias, target_, scan_, numbered_before,
// sql-names: numbered_after
// (SQL built from quoted names, DuckDB's own rendering of the user's statement and atoll's
// text; scripts/check_sql.py)

namespace {

using engine::StatementKind;

// With the environment variable ATOLL_DML_TRACE set, the time of each step of a statement
// goes to stderr (docs/sql.md, "Profiling").
struct Trace {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  void Step(const char* what) {
    if (!std::getenv("ATOLL_DML_TRACE")) return;
    auto now = std::chrono::steady_clock::now();
    fprintf(stderr, "  [dml] %-28s %8.1f ms\n", what,
            std::chrono::duration<double, std::milli>(now - t).count());
    t = now;
  }
};

constexpr const char* kWriteCatalog = "__atoll_write";
constexpr const char* kBefore = "__atoll_before";
constexpr const char* kRemoved = "__atoll_removed";
constexpr const char* kAdded = "__atoll_added";
constexpr const char* kFileColumn = table::kRowAddressFileColumn;
constexpr const char* kPosColumn = table::kRowAddressPosColumn;

// The table's mode for a statement of `kind`.
std::string ModeFor(const iceberg::TableMetadata& metadata, StatementKind kind) {
  const char* key = kind == StatementKind::kDelete   ? "write.delete.mode"
                    : kind == StatementKind::kUpdate ? "write.update.mode"
                                                     : "write.merge.mode";
  auto it = metadata.properties.find(key);
  return it != metadata.properties.end() && it->second == "merge-on-read" ? "merge-on-read"
                                                                          : "copy-on-write";
}

bool IsSymbol(const Token& t, char c) {
  return t.kind == TokenKind::kSymbol && t.text.size() == 1 && t.text[0] == c;
}

// The index of the ")" closing the "(" at `open` (tokens.size() when unbalanced).
size_t Closing(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (IsSymbol(tokens[i], '(')) ++depth;
    if (IsSymbol(tokens[i], ')') && --depth == 0) return i;
  }
  return tokens.size();
}

// The terms [begin, end) of tokens[begin, end) read as t1 AND t2 AND ...: outer
// parentheses are dropped and nested ANDs split; a range with an OR outside parentheses
// is one term (splitting it could make the filter stricter than the condition).
void AndTerms(const std::vector<Token>& tokens, size_t begin, size_t end,
              std::vector<std::pair<size_t, size_t>>* terms) {
  while (end - begin >= 2 && IsSymbol(tokens[begin], '(') && Closing(tokens, begin) == end - 1) {
    ++begin;
    --end;
  }
  std::vector<size_t> ands;
  int depth = 0;
  for (size_t i = begin; i < end; ++i) {
    if (IsSymbol(tokens[i], '(')) ++depth;
    if (IsSymbol(tokens[i], ')')) --depth;
    if (depth != 0) continue;
    if (tokens[i].Is("OR")) {
      terms->emplace_back(begin, end);
      return;
    }
    if (tokens[i].Is("AND")) ands.push_back(i);
  }
  if (ands.empty()) {
    terms->emplace_back(begin, end);
    return;
  }
  size_t from = begin;
  for (size_t a : ands) {
    AndTerms(tokens, from, a, terms);
    from = a + 1;
  }
  AndTerms(tokens, from, end, terms);
}

// How many times the statement names the table other than as a column qualifier ("t.k"):
// more than once, the statement reads the table elsewhere too (a subquery, a source).
size_t TableReferences(std::string_view statement, const std::string& name) {
  Result<std::vector<Token>> tokens = Tokenize(statement);
  if (!tokens.ok()) return 2;  // DuckDB parsed it; be conservative
  size_t n = 0;
  for (size_t i = 0; i < tokens->size(); ++i) {
    const Token& t = (*tokens)[i];
    const bool qualifier = i + 1 < tokens->size() && IsSymbol((*tokens)[i + 1], '.');
    if (t.IsName() && !qualifier && FoldCase(t.text) == FoldCase(name)) ++n;
  }
  return n;
}

// The candidate rows of step 2 (docs in the header) as the SQL following "FROM <scan> AS
// <alias>": " WHERE <condition>", or for a MERGE " SEMI JOIN <source> ON <condition>" (a
// hash join built on the source, whose key range DuckDB also pushes into the Parquet scan;
// an EXISTS subquery became a slower correlated join); empty: all rows.
std::string CandidateClauseSql(const engine::StatementShape& shape, std::string_view statement,
                               const iceberg::TableIdentifier& id) {
  if (shape.has_ctes || TableReferences(statement, id.name) > 1) return "";
  switch (shape.kind) {
    case StatementKind::kDelete:
    case StatementKind::kUpdate:
      if (shape.joins_other_tables || shape.condition_sql.empty()) return "";
      return StrCat(" WHERE ", shape.condition_sql);
    case StatementKind::kMerge:
      if (shape.merge_by_source || shape.condition_sql.empty()) return "";
      return StrCat(" SEMI JOIN ", shape.merge_source_sql, " ON ", shape.condition_sql);
    default:
      return "";
  }
}

// Whether the statement is a DELETE whose removed rows are exactly those of the target
// matching its WHERE (all rows without one): no USING, no WITH, no other reference to the
// table. Such a DELETE selects the row addresses of those rows directly (no staging).
bool DirectDelete(const engine::StatementShape& shape, std::string_view statement,
                  const iceberg::TableIdentifier& id) {
  return shape.kind == StatementKind::kDelete && !shape.has_ctes && !shape.joins_other_tables &&
         TableReferences(statement, id.name) <= 1;
}

// The rows the statement read, as the Iceberg filter of its commit's serializable check
// (RowDelta::conflict_filter: a concurrent append of a data file that may hold such rows
// is a conflict, and the statement is planned again). The AND terms of its condition that
// Iceberg's filter language reads and the table's schema binds, with the target's
// qualifier dropped ("t.k = 0" -> "k = 0"); the other terms are left out, which only
// widens the filter. True when the statement reads the table elsewhere too (a CTE, a
// subquery, a MERGE source) or has no condition or joins; none for INSERT (it reads
// nothing). E.g. "DELETE ... WHERE k = 0 AND id % 5 = 1" -> k = 0; a MERGE's ON condition
// "t.id = s.id AND t.k = 0" -> k = 0; "t.id = s.id" -> True.
std::optional<iceberg::Expression> ConflictFilter(const engine::StatementShape& shape,
                                                  std::string_view statement,
                                                  const iceberg::TableIdentifier& id,
                                                  const iceberg::Schema& schema) {
  if (shape.kind == StatementKind::kInsert) return std::nullopt;
  const iceberg::Expression all = iceberg::Expression::True();
  const std::string& condition = shape.condition_sql;
  if (shape.has_ctes || condition.empty() || TableReferences(statement, id.name) > 1) return all;
  if (shape.kind == StatementKind::kMerge ? shape.merge_by_source : shape.joins_other_tables) {
    return all;
  }
  Result<std::vector<Token>> tokens = Tokenize(condition);
  if (!tokens.ok()) return all;
  const std::string alias = FoldCase(shape.target_alias.empty() ? id.name : shape.target_alias);
  std::vector<std::pair<size_t, size_t>> terms;
  AndTerms(*tokens, 0, tokens->size(), &terms);
  std::optional<iceberg::Expression> filter;  // the terms read so far
  for (const auto& [begin, end] : terms) {
    std::string text;
    for (size_t i = begin; i < end; ++i) {
      const Token& t = (*tokens)[i];
      if (t.IsName() && FoldCase(t.text) == alias && i + 1 < end &&
          IsSymbol((*tokens)[i + 1], '.')) {
        ++i;  // the target's qualifier
        continue;
      }
      text += StrCat(text.empty() ? "" : " ", condition.substr(t.offset, t.end - t.offset));
    }
    Result<iceberg::Expression> term = iceberg::ParseExpression(text);
    if (!term.ok() || !iceberg::Bind(*term, schema).ok()) continue;
    filter =
        filter ? iceberg::Expression::And(std::move(*filter), std::move(*term)) : std::move(*term);
  }
  return filter ? *filter : all;
}

// A MERGE's ON equalities between a target column of an integer or string type and a
// source column, "t.id = c.id" (either order; the target named by `alias`, folded).
struct KeyTerm {
  std::string column;      // the target column, as the schema names it
  iceberg::TypeId type;    // its type
  std::string source_sql;  // the source column, quoted: "c"."id"
};

std::vector<KeyTerm> MergeKeyTerms(const std::string& condition, const std::string& alias,
                                   const iceberg::Schema& schema) {
  std::vector<KeyTerm> out;
  Result<std::vector<Token>> tokens = Tokenize(condition);
  if (!tokens.ok()) return out;
  const std::vector<Token>& t = *tokens;
  std::vector<std::pair<size_t, size_t>> terms;
  AndTerms(t, 0, t.size(), &terms);
  for (const auto& [begin, end] : terms) {
    if (end - begin != 7 || !IsSymbol(t[begin + 3], '=')) continue;
    auto qualified = [&](size_t i) {
      return t[i].IsName() && IsSymbol(t[i + 1], '.') && t[i + 2].IsName();
    };
    if (!qualified(begin) || !qualified(begin + 4)) continue;
    const bool left_target = FoldCase(t[begin].text) == alias;
    const bool right_target = FoldCase(t[begin + 4].text) == alias;
    if (left_target == right_target) continue;
    const size_t target = left_target ? begin : begin + 4;
    const size_t source = left_target ? begin + 4 : begin;
    const iceberg::NestedField* field = nullptr;
    for (const iceberg::NestedField& f : schema.fields()) {
      if (FoldCase(f.name) == FoldCase(t[target + 2].text)) field = &f;
    }
    if (field == nullptr) continue;
    const iceberg::TypeId type = field->type->id();
    if (type != iceberg::TypeId::kInt && type != iceberg::TypeId::kLong &&
        type != iceberg::TypeId::kString) {
      continue;
    }
    out.push_back({field->name, type,
                   StrCat(engine::QuoteIdentifier(t[source].text), ".",
                          engine::QuoteIdentifier(t[source + 2].text))});
  }
  return out;
}

// The target rows a MERGE's source can match, as an Iceberg filter implied by its ON
// condition: for each KeyTerm, column >= min and <= max of the source column over the
// source (False when the source has no key: nothing matches). A term whose source column
// has another type family (a DOUBLE compared with a BIGINT column) is left out. None when
// no term qualifies. Costs one aggregate query over the source.
Result<std::optional<iceberg::Expression>> MergeKeyRange(engine::Engine& engine,
                                                         const engine::StatementShape& shape,
                                                         const std::string& alias,
                                                         const iceberg::Schema& schema) {
  std::vector<KeyTerm> keys = MergeKeyTerms(shape.condition_sql, alias, schema);
  if (keys.empty()) return std::optional<iceberg::Expression>();
  std::string select_sql;
  for (const KeyTerm& k : keys) {
    select_sql += StrCat(select_sql.empty() ? "" : ", ", "typeof(min(", k.source_sql, ")), min(",
                         k.source_sql, ")::VARCHAR, max(", k.source_sql, ")::VARCHAR");
  }
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, engine.Query(StrCat("SELECT ", select_sql, " FROM ",
                                                                    shape.merge_source_sql)));
  if (r.rows.size() != 1) return Internal("the source's key range returned no row");
  std::optional<iceberg::Expression> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::optional<std::string>& type = r.rows[0][3 * i];
    const std::optional<std::string>& min = r.rows[0][3 * i + 1];
    const std::optional<std::string>& max = r.rows[0][3 * i + 2];
    const bool integer = type && (*type == "BIGINT" || *type == "INTEGER" || *type == "SMALLINT" ||
                                  *type == "TINYINT");
    const bool text = type && *type == "VARCHAR";
    if (keys[i].type == iceberg::TypeId::kString ? !text : !integer) continue;
    if (!min || !max) return std::optional<iceberg::Expression>(iceberg::Expression::False());
    auto literal = [&](const std::string& v) {
      return text ? iceberg::Literal::String(v) : iceberg::Literal::Long(std::stoll(v));
    };
    iceberg::Expression range =
        iceberg::Expression::And(iceberg::Expression::Predicate(iceberg::Expression::Op::kGtEq,
                                                                keys[i].column, {literal(*min)}),
                                 iceberg::Expression::Predicate(iceberg::Expression::Op::kLtEq,
                                                                keys[i].column, {literal(*max)}));
    out = out ? iceberg::Expression::And(std::move(*out), std::move(range)) : std::move(range);
  }
  return out;
}

struct Columns {
  std::vector<std::string> names;  // quoted
  std::string list;                // "a", "b"
  // alias.c1, alias.c2, ... (`quoted_alias` a quoted name)
  std::string PrefixedSql(std::string_view quoted_alias) const {
    std::string out;
    for (const std::string& quoted_name : names) {
      out += StrCat(out.empty() ? "" : ", ", quoted_alias, ".", quoted_name);
    }
    return out;
  }
  // left.c1 IS NOT DISTINCT FROM right.c1 AND ... (quoted names)
  std::string SameSql(std::string_view quoted_left, std::string_view quoted_right) const {
    std::string out;
    for (const std::string& quoted_name : names) {
      out += StrCat(out.empty() ? "" : " AND ", quoted_left, ".", quoted_name,
                    " IS NOT DISTINCT FROM ", quoted_right, ".", quoted_name);
    }
    return out;
  }
};

Columns ColumnsOf(const iceberg::Schema& schema) {
  Columns c;
  for (const iceberg::NestedField& f : schema.fields()) {
    c.names.push_back(engine::QuoteIdentifier(f.name));
    c.list += StrCat(c.list.empty() ? "" : ", ", c.names.back());
  }
  return c;
}

Status DropStages(engine::Engine& engine, const std::string& quoted_target) {
  for (const char* stage : {kBefore, kRemoved, kAdded}) {
    ATOLL_RETURN_NOT_OK(
        engine.Execute(StrCat("DROP TABLE IF EXISTS ", engine::QuoteIdentifier(stage))));
  }
  return engine.Execute(StrCat("DROP TABLE IF EXISTS ", quoted_target));
}

Result<int64_t> Count(engine::Engine& engine, const char* stage) {
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine.Query(StrCat("SELECT count(*) FROM ", engine::QuoteIdentifier(stage))));
  if (r.rows.empty() || !r.rows[0][0]) return Internal("count(*) returned no row");
  return std::stoll(*r.rows[0][0]);
}

// One attempt of the statement on the table as currently committed. `written` collects
// the files written (for clean-up).
class DmlAttempt {
 public:
  DmlAttempt(const DmlContext& ctx, iceberg::Table& table, std::string_view statement,
             const engine::StatementShape& shape, bool overwrite)
      : ctx_(ctx),
        engine_(*ctx.engine),
        table_(table),
        statement_(statement),
        shape_(shape),
        overwrite_(overwrite) {}

  Result<DmlOutcome> Run(std::vector<std::string>* written);

 private:
  Status Plan();
  Status Stage();
  Status StageDirectDelete(const std::string& alias);
  Status CheckMergeCardinality(const std::string& scan);
  Result<iceberg::Transaction> Write(std::vector<std::string>* written);
  Status ReplacePartitions(iceberg::RowDelta* delta);

  const DmlContext& ctx_;
  engine::Engine& engine_;
  iceberg::Table& table_;
  std::string_view statement_;
  const engine::StatementShape& shape_;
  const bool overwrite_;
  Columns cols_;
  std::string target_;  // the staged target table, quoted
  std::string scan_;    // iceberg_scan of the read snapshot with row addresses
  // The read snapshot's plan, pruned by plan_filter_ (True: every file); scan_ reads its
  // files only. One plan serves the scan, the delete files' data-file map and INSERT
  // OVERWRITE.
  std::optional<iceberg::ScanPlan> plan_;  // none for INSERT INTO
  iceberg::Expression plan_filter_ = iceberg::Expression::True();
  bool added_staged_ = false;  // kAdded exists
  DmlOutcome outcome_;
  Trace trace_;
};

// Plans the read snapshot once. A DELETE, UPDATE or MERGE reads only the files its
// condition may match: the plan is pruned by the AND terms of the condition Iceberg reads
// (ConflictFilter: implied by the condition, so a pruned file holds no row the statement
// changes), by partition values and column bounds in the manifests.
Status DmlAttempt::Plan() {
  const iceberg::TableMetadata& md = table_.metadata();
  const iceberg::Schema* schema = md.CurrentSchema();
  if (schema == nullptr) {
    return Corruption("table ", table_.id().ToString(), " has no current schema");
  }
  scan_ = StrCat("iceberg_scan(", engine::QuoteString(table_.metadata_location()),
                 ", row_address => true");
  if (shape_.kind == StatementKind::kInsert && !overwrite_) {
    scan_ += ")";  // reads no rows
    return Status::OK();
  }
  iceberg::ScanOptions options;
  if (const iceberg::Snapshot* s = md.CurrentSnapshot()) options.snapshot_id = s->snapshot_id;
  if (shape_.kind != StatementKind::kInsert) {
    std::optional<iceberg::Expression> filter =
        ConflictFilter(shape_, statement_, table_.id(), *schema);
    if (filter) plan_filter_ = std::move(*filter);
  }
  if (shape_.kind == StatementKind::kMerge &&
      !CandidateClauseSql(shape_, statement_, table_.id()).empty()) {
    // Only target rows the ON condition joins to a source row change.
    const std::string& name = table_.id().name;
    ATOLL_ASSIGN_OR_RETURN(
        std::optional<iceberg::Expression> range,
        MergeKeyRange(engine_, shape_,
                      FoldCase(shape_.target_alias.empty() ? name : shape_.target_alias), *schema));
    if (range) plan_filter_ = iceberg::Expression::And(std::move(plan_filter_), std::move(*range));
  }
  options.filter = plan_filter_;
  ATOLL_ASSIGN_OR_RETURN(plan_, iceberg::PlanScan(table_.io(), md, options));
  if (plan_->counts.data_files_skipped > 0) {
    nlohmann::json files = nlohmann::json::array();
    for (const iceberg::FileScanTask& task : plan_->tasks) files.push_back(task.file.file_path);
    scan_ += StrCat(", data_files => ", engine::QuoteString(files.dump()));
  }
  scan_ += ")";
  return Status::OK();
}

// A DELETE of DirectDelete: the row addresses of the rows matching its WHERE become
// kRemoved, reading only the columns the WHERE names.
Status DmlAttempt::StageDirectDelete(const std::string& alias) {
  const std::string& condition_sql = shape_.condition_sql;  // DuckDB's rendering
  ATOLL_RETURN_NOT_OK(engine_.Execute(
      StrCat("CREATE TEMP TABLE ", engine::QuoteIdentifier(kRemoved), " AS SELECT ", alias, ".",
             kFileColumn, " AS file, ", alias, ".", kPosColumn, " AS pos FROM ", scan_, " AS ",
             alias, condition_sql.empty() ? "" : " WHERE ", condition_sql)));
  trace_.Step("removed");
  ATOLL_ASSIGN_OR_RETURN(outcome_.rows_removed, Count(engine_, kRemoved));
  outcome_.rows_added = 0;
  return Status::OK();
}

Status DmlAttempt::Stage() {
  const iceberg::TableIdentifier& id = table_.id();
  ATOLL_RETURN_NOT_OK(DefineTableView(engine_, id, table_.metadata_location()));
  trace_.Step("view");
  const iceberg::Schema* schema = table_.metadata().CurrentSchema();
  if (schema == nullptr) return Corruption("table ", id.ToString(), " has no current schema");
  cols_ = ColumnsOf(*schema);
  const std::string quoted_catalog = engine::QuoteIdentifier(kWriteCatalog);
  const std::string quoted_schema = StrCat(quoted_catalog, ".", engine::QuoteIdentifier(id.ns[1]));
  ATOLL_RETURN_NOT_OK(
      engine_.Execute(StrCat("ATTACH IF NOT EXISTS ':memory:' AS ", quoted_catalog)));
  ATOLL_RETURN_NOT_OK(engine_.Execute(StrCat("CREATE SCHEMA IF NOT EXISTS ", quoted_schema)));
  target_ = StrCat(quoted_schema, ".", engine::QuoteIdentifier(id.name));
  ATOLL_RETURN_NOT_OK(DropStages(engine_, target_));
  trace_.Step("setup");

  const std::string alias =
      engine::QuoteIdentifier(shape_.target_alias.empty() ? id.name : shape_.target_alias);
  ATOLL_RETURN_NOT_OK(Plan());
  trace_.Step("plan");
  if (DirectDelete(shape_, statement_, id)) return StageDirectDelete(alias);
  const std::string before = engine::QuoteIdentifier(kBefore);
  if (shape_.kind == StatementKind::kInsert) {
    ATOLL_RETURN_NOT_OK(engine_.Execute(
        StrCat("CREATE TEMP TABLE ", before, " AS SELECT * FROM ", scan_, " LIMIT 0")));
  } else {
    const std::string clause_sql = CandidateClauseSql(shape_, statement_, id);
    ATOLL_RETURN_NOT_OK(engine_.Execute(StrCat("CREATE TEMP TABLE ", before, " AS SELECT ", alias,
                                               ".* FROM ", scan_, " AS ", alias, clause_sql)));
    trace_.Step("candidates");
    if (shape_.kind == StatementKind::kMerge) ATOLL_RETURN_NOT_OK(CheckMergeCardinality(alias));
    trace_.Step("cardinality");
  }
  ATOLL_RETURN_NOT_OK(engine_.Execute(
      StrCat("CREATE TABLE ", target_, " AS SELECT ", cols_.list, " FROM ", before)));

  // The statement itself, on the staged rows.
  std::vector<std::string> parts = {kWriteCatalog, id.ns[1], id.name};
  ATOLL_ASSIGN_OR_RETURN(std::string retargeted, engine::RetargetStatement(statement_, parts));
  trace_.Step("target copy");
  ATOLL_RETURN_NOT_OK(engine_.Execute(retargeted));  // sql-checked: DuckDB's rendering
  trace_.Step("statement");

  // The change: a staged row is unchanged when the table after holds a row with its rowid
  // and its values (the copy keeps the order, so rowids match; DuckDB keeps a row's rowid
  // through UPDATE, new rows get new ones). Any pairing of equal rows gives the same
  // change, so a rowid that did not carry over only costs a rewrite of an equal row.
  const std::string numbered_before = StrCat("(SELECT *, rowid AS __k FROM ", before, ")");
  const std::string numbered_after = StrCat("(SELECT *, rowid AS __k FROM ", target_, ")");
  const std::string on = StrCat(cols_.SameSql("b", "a"), " AND b.__k = a.__k");
  ATOLL_RETURN_NOT_OK(engine_.Execute(
      StrCat("CREATE TEMP TABLE ", engine::QuoteIdentifier(kRemoved), " AS SELECT b.", kFileColumn,
             " AS file, b.", kPosColumn, " AS pos FROM ", numbered_before, " b ANTI JOIN ",
             numbered_after, " a ON ", on)));
  ATOLL_RETURN_NOT_OK(engine_.Execute(StrCat(
      "CREATE TEMP TABLE ", engine::QuoteIdentifier(kAdded), " AS SELECT ", cols_.PrefixedSql("a"),
      " FROM ", numbered_after, " a ANTI JOIN ", numbered_before, " b ON ", on)));
  added_staged_ = true;
  trace_.Step("diff");
  ATOLL_ASSIGN_OR_RETURN(outcome_.rows_removed, Count(engine_, kRemoved));
  ATOLL_ASSIGN_OR_RETURN(outcome_.rows_added, Count(engine_, kAdded));
  return Status::OK();
}

// SQL's MERGE may change a target row once: a row the ON condition joins to two source
// rows is an error (DuckDB would apply every match).
Status DmlAttempt::CheckMergeCardinality(const std::string& alias) {
  if (shape_.condition_sql.empty()) return Status::OK();  // MERGE ... USING (cols)
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine_.Query(StrCat("SELECT count(*) FROM (SELECT 1 FROM ", engine::QuoteIdentifier(kBefore),
                           " AS ", alias, " JOIN ", shape_.merge_source_sql, " ON ",
                           shape_.condition_sql, " GROUP BY ", alias, ".", kFileColumn, ", ", alias,
                           ".", kPosColumn, " HAVING count(*) > 1 LIMIT 1)")));
  if (!r.rows.empty() && r.rows[0][0] && *r.rows[0][0] != "0") {
    return InvalidArgument("MERGE INTO ", table_.id().ToString(),
                           ": a row of the table matches more than one source row (each target "
                           "row may be changed by one source row only); nothing was written");
  }
  return Status::OK();
}

Result<std::vector<std::string>> TouchedFiles(engine::Engine& engine) {
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                         engine.Query(StrCat("SELECT DISTINCT file FROM ",
                                             engine::QuoteIdentifier(kRemoved), " ORDER BY 1")));
  std::vector<std::string> out;
  for (const engine::Row& row : r.rows) {
    if (!row[0]) return Internal("a removed row without a data file");
    out.push_back(*row[0]);
  }
  return out;
}

// Removed positions by data file (for deletion vectors).
Result<std::map<std::string, std::vector<int64_t>>> RemovedPositions(engine::Engine& engine) {
  std::map<std::string, std::vector<int64_t>> out;
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                         engine.Query(StrCat("SELECT file, pos FROM ",
                                             engine::QuoteIdentifier(kRemoved), " ORDER BY 1, 2")));
  for (const engine::Row& row : r.rows) {
    if (!row[0] || !row[1]) return Internal("a removed row without an address");
    out[*row[0]].push_back(std::stoll(*row[1]));
  }
  return out;
}

Result<iceberg::Transaction> DmlAttempt::Write(std::vector<std::string>* written) {
  const iceberg::TableMetadata& md = table_.metadata();
  const iceberg::Schema* schema = md.CurrentSchema();
  const iceberg::PartitionSpec* spec = md.DefaultSpec();
  if (schema == nullptr || spec == nullptr) {
    return Corruption("table ", table_.id().ToString(), " has no schema or partition spec");
  }
  table::DataWriterOptions options;
  table::ApplyWriteProperties(md.properties, &options);
  outcome_.mode = shape_.kind == StatementKind::kInsert ? "" : ModeFor(md, shape_.kind);
  const bool copy_on_write = outcome_.mode == "copy-on-write";

  iceberg::RowDelta delta;
  if (const iceberg::Snapshot* s = md.CurrentSnapshot()) delta.read_snapshot_id = s->snapshot_id;
  delta.summary["atoll.statement"] = std::string(StatementKindName(shape_.kind));
  delta.conflict_filter = ConflictFilter(shape_, statement_, table_.id(), *schema);
  std::vector<std::string> touched;
  if (outcome_.rows_removed > 0) {
    ATOLL_ASSIGN_OR_RETURN(touched, TouchedFiles(engine_));
  }
  delta.referenced_data_files.insert(touched.begin(), touched.end());
  trace_.Step("touched");

  std::string rows =
      added_staged_ ? StrCat("SELECT * FROM ", engine::QuoteIdentifier(kAdded)) : std::string();
  if (!touched.empty() && copy_on_write) {
    // The touched files' other rows are written again, with the added rows.
    const std::string kept =
        StrCat("SELECT ", cols_.PrefixedSql("s"), " FROM ", scan_, " AS s ANTI JOIN ",
               engine::QuoteIdentifier(kRemoved), " AS r ON s.", kFileColumn, " = r.file AND s.",
               kPosColumn, " = r.pos WHERE s.", kFileColumn, " IN (SELECT file FROM ",
               engine::QuoteIdentifier(kRemoved), ")");
    rows = rows.empty() ? kept : StrCat(kept, " UNION ALL ", rows);
    delta.removed_data = touched;
  } else if (!touched.empty()) {
    std::map<std::string, table::DeletedDataFile> data_files;
    std::map<std::string, iceberg::DataFile> existing_dvs;
    if (!plan_) return Internal("rows removed without a plan");
    for (const iceberg::FileScanTask& task : plan_->tasks) {
      if (!delta.referenced_data_files.count(task.file.file_path)) continue;
      data_files[task.file.file_path] = {task.spec_id, task.file.partition};
      for (const iceberg::DataFile& d : task.position_deletes) {
        if (d.file_format == "PUFFIN") existing_dvs[task.file.file_path] = d;
      }
    }
    std::vector<table::WrittenDeleteFile> deletes;
    if (md.format_version >= 3) {
      ATOLL_ASSIGN_OR_RETURN(auto positions, RemovedPositions(engine_));
      ATOLL_ASSIGN_OR_RETURN(deletes,
                             table::WriteDeletionVectors(table_.io(), table_.location(), positions,
                                                         existing_dvs, data_files));
      for (auto& [path, dv] : existing_dvs) delta.removed_deletes.push_back(dv);
    } else {
      ATOLL_ASSIGN_OR_RETURN(
          deletes, table::WritePositionDeletes(engine_,
                                               StrCat("SELECT file AS file_path, pos FROM ",
                                                      engine::QuoteIdentifier(kRemoved)),
                                               data_files, table_.location(), options));
    }
    trace_.Step("deletes written");
    for (table::WrittenDeleteFile& d : deletes) {
      written->push_back(d.file.file_path);
      delta.delete_spec_ids.push_back(d.spec_id);
      delta.added_deletes.push_back(std::move(d.file));
    }
  }
  if (outcome_.rows_added > 0 || (!touched.empty() && copy_on_write)) {
    ATOLL_ASSIGN_OR_RETURN(delta.added_data, table::WriteDataFiles(engine_, rows, *schema, *spec,
                                                                   table_.location(), options));
    for (const iceberg::DataFile& f : delta.added_data) written->push_back(f.file_path);
    trace_.Step("data written");
  }
  if (overwrite_) ATOLL_RETURN_NOT_OK(ReplacePartitions(&delta));
  iceberg::Transaction tx = table_.NewTransaction();
  tx.RowDelta(std::move(delta));
  return tx;
}

// INSERT OVERWRITE: the live data files of the partitions delta->added_data falls in (all
// of them for an unpartitioned table) are removed too.
Status DmlAttempt::ReplacePartitions(iceberg::RowDelta* delta) {
  const iceberg::TableMetadata& md = table_.metadata();
  if (!delta->read_snapshot_id) return Status::OK();  // an empty table
  if (!plan_) return Internal("INSERT OVERWRITE without a plan");
  const iceberg::ScanPlan& plan = *plan_;  // unpruned: INSERT reads no rows
  const bool all = md.DefaultSpec()->fields.empty();
  std::vector<std::vector<iceberg::Literal>> written;
  for (const iceberg::DataFile& f : delta->added_data) {
    if (std::find(written.begin(), written.end(), f.partition) == written.end()) {
      written.push_back(f.partition);
    }
  }
  std::string paths;
  for (const iceberg::FileScanTask& task : plan.tasks) {
    if (!all && task.spec_id != md.default_spec_id) {
      return NotSupported("INSERT OVERWRITE on ", table_.id().ToString(), ": data file '",
                          task.file.file_path, "' has partition spec ", task.spec_id,
                          ", not the current one; compact the table first");
    }
    if (!all && std::find(written.begin(), written.end(), task.file.partition) == written.end()) {
      continue;
    }
    delta->removed_data.push_back(task.file.file_path);
    delta->referenced_data_files.insert(task.file.file_path);
    paths += StrCat(paths.empty() ? "" : ", ", engine::QuoteString(task.file.file_path));
  }
  if (paths.empty()) return Status::OK();
  // The rows replaced, for the outcome.
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                         engine_.Query(StrCat("SELECT count(*) FROM ", scan_, " WHERE ",
                                              kFileColumn, " IN (", paths, ")")));
  if (!r.rows.empty() && r.rows[0][0]) outcome_.rows_removed = std::stoll(*r.rows[0][0]);
  return Status::OK();
}

Result<DmlOutcome> DmlAttempt::Run(std::vector<std::string>* written) {
  ATOLL_RETURN_NOT_OK(Stage());
  const iceberg::PartitionSpec* spec = table_.metadata().DefaultSpec();
  const bool replace_all = overwrite_ && spec != nullptr && spec->fields.empty();
  if (outcome_.rows_added == 0 && outcome_.rows_removed == 0 && !replace_all) return outcome_;
  ATOLL_ASSIGN_OR_RETURN(iceberg::Transaction tx, Write(written));
  ATOLL_RETURN_NOT_OK(tx.Commit());
  trace_.Step("commit");
  outcome_.snapshot_id = table_.metadata().current_snapshot_id;
  return outcome_;
}

}  // namespace

std::string_view StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kInsert:
      return "insert";
    case StatementKind::kDelete:
      return "delete";
    case StatementKind::kUpdate:
      return "update";
    case StatementKind::kMerge:
      return "merge";
    default:
      return "other";
  }
}

Result<DmlOutcome> RunTableDml(const DmlContext& ctx, const iceberg::TableIdentifier& id,
                               std::string_view statement, const engine::StatementShape& shape,
                               bool overwrite) {
  Status last;
  for (int attempt = 1; attempt <= std::max(1, ctx.max_attempts); ++attempt) {
    Trace trace;
    ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, LoadLakeTable(*ctx.tables, id));
    trace.Step("load table");
    std::optional<int64_t> before;
    if (const iceberg::Snapshot* s = table.metadata().CurrentSnapshot()) before = s->snapshot_id;
    std::vector<std::string> written;
    DmlAttempt run(ctx, table, statement, shape, overwrite);
    Result<DmlOutcome> outcome = run.Run(&written);
    const std::string target =
        StrCat(engine::QuoteIdentifier(kWriteCatalog), ".", engine::QuoteIdentifier(id.ns[1]), ".",
               engine::QuoteIdentifier(id.name));
    (void)DropStages(*ctx.engine, target);
    trace = Trace();
    if (outcome.ok()) {
      outcome->attempts = attempt;
      if (!outcome->snapshot_id) return outcome;
      ATOLL_RETURN_NOT_OK(DefineTableView(*ctx.engine, id, table.metadata_location()));
      trace.Step("view");
      Status recorded = RecordSystemCommit(ctx.trail, table, before, ctx.command);
      trace.Step("trail");
      if (!recorded.ok()) {
        return recorded.WithContext(
            StrCat("the change of ", id.ToString(), " is committed but not recorded in the trail"));
      }
      return outcome;
    }
    last = outcome.status();
    if (last.code() != StatusCode::kUnknownOutcome && !written.empty()) {
      (void)ctx.tables->io->Delete(written);
    }
    if (last.code() != StatusCode::kCommitConflict) break;
    // Another writer changed what this statement read: plan it again on the new state.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
  }
  if (last.code() == StatusCode::kCommitConflict) {
    return last.WithContext(StrCat(StatementKindName(shape.kind), " on ", id.ToString(),
                                   " conflicts with concurrent changes; gave up after ",
                                   std::max(1, ctx.max_attempts), " attempts"));
  }
  return last.WithContext(StrCat(StatementKindName(shape.kind), " on ", id.ToString()));
}

}  // namespace atl::lake
