// A session running people's SQL on a lake (`atoll query`, later the transform runner and
// the server): reads go to DuckDB over the lake's views, and statements that change lake
// tables are run by atoll as Iceberg commits.
//
//   ATOLL_ASSIGN_OR_RETURN(auto session, LakeSql::Open(uri, script, {.command = "atoll query"}));
//   for (const std::string& statement : statements) {
//     ATOLL_ASSIGN_OR_RETURN(std::string result_sql, session->Run(statement));
//     ... print the rows of result_sql (session->engine()) ...
//   }
//   session->Finish();  // statistics, log events, audit table (records/record_run.h)
//
// Run(statement) takes one statement:
//   - CREATE [OR REPLACE] TABLE / DROP TABLE on zone.db.table (lake_ddl.h, table_ddl.h);
//   - INSERT / DELETE / UPDATE / MERGE whose target is zone.db.table (table_dml.h);
//   - anything else runs in DuckDB as it is (SELECT, DuckDB's own temporary tables...);
//   - before all that, `zone.db.table FOR VERSION | TIMESTAMP AS OF x` becomes an
//     iceberg_scan of that snapshot (time_travel.h).
// and returns the SQL whose rows are the statement's result: the statement itself for
// what DuckDB runs; for atoll's writes a one-row SELECT (statement, table, rows_inserted,
// rows_deleted, snapshot_id, mode). Lake tables are written only in the zones stg, tmp and
// prd (their configured names); the trail, stats and log zones refuse every change
// (kPermissionDenied: the lake's own records are append-only and written by atoll alone);
// a three-part name in any other zone, or one naming no table, is kInvalidArgument /
// kNotFound. Zone, db and table names compare as SQL compares identifiers (FoldCase).
// When the location is not an atoll lake, every statement goes to DuckDB.
//
// Thread safety: one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/event_log.h"
#include "atoll/records/record_run.h"
#include "atoll/trail/log.h"

namespace atl::lake {

struct LakeSqlOptions {
  std::string command = "atoll query";
  std::ostream* echo = nullptr;           // where log events are printed (null: nowhere)
  LogLevel echo_level = LogLevel::kInfo;  // events below it are kept but not printed
};

class LakeSql {
 public:
  // `script` is the whole text the session will run (its words choose the views defined).
  static Result<std::unique_ptr<LakeSql>> Open(const std::string& uri, std::string_view script,
                                               LakeSqlOptions options = {});
  ~LakeSql();

  Result<std::string> Run(std::string_view statement);
  // Records what the lake records after a command changed tables (when any did).
  RecordRunReport Finish();

  // `error` (from running `statement` or reading its rows) as the user should read it:
  // DuckDB's text kept, prefixed by "running '<statement>'", and for a table the lake does
  // not have, the lake's closest tables instead of DuckDB's catalog suggestion
  // (table_hints.h). The code is kept.
  Status ExplainError(std::string_view statement, const Status& error);

  engine::Engine& engine() { return *engine_; }
  bool is_lake() const { return lake_ != nullptr; }

 private:
  LakeSql() = default;
  Result<std::optional<iceberg::TableIdentifier>> LakeTarget(const std::vector<std::string>& name,
                                                             bool must_exist);
  // The lake table named `id` as SQL compares names (ASCII case folded); nullopt: none.
  Result<std::optional<iceberg::TableIdentifier>> FindTable(const iceberg::TableIdentifier& id);
  Result<std::optional<std::string>> MetadataOf(const std::vector<std::string>& name);
  Result<std::string> Outcome(std::string_view statement, const iceberg::TableIdentifier& id,
                              int64_t inserted, int64_t deleted, std::optional<int64_t> snapshot,
                              const std::string& mode);

  LakeSqlOptions options_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Lake> lake_;
  LakeTables tables_;
  std::unique_ptr<trail::Trail> trail_;
  std::unique_ptr<EventLog> log_;
  bool changed_ = false;
};

}  // namespace atl::lake
