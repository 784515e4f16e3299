#include "atoll/engine/statement_shape.h"

#include <exception>
#include <memory>

#include "duckdb.hpp"
#include "duckdb/common/error_data.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/delete_statement.hpp"
#include "duckdb/parser/statement/insert_statement.hpp"
#include "duckdb/parser/statement/merge_into_statement.hpp"
#include "duckdb/parser/statement/update_statement.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"

namespace atl::engine {

namespace {

// [catalog, schema,] table of a plain table reference; empty for anything else.
std::vector<std::string> TableName(const duckdb::TableRef* ref, std::string* alias) {
  if (ref == nullptr || ref->type != duckdb::TableReferenceType::BASE_TABLE) return {};
  const auto& base = ref->Cast<duckdb::BaseTableRef>();
  std::vector<std::string> out;
  if (!base.catalog_name.empty()) out.push_back(base.catalog_name);
  if (!base.schema_name.empty()) out.push_back(base.schema_name);
  out.push_back(base.table_name);
  if (alias != nullptr) *alias = base.alias;
  return out;
}

void Describe(duckdb::SQLStatement& statement, StatementShape* shape) {
  using duckdb::StatementType;
  switch (statement.type) {
    case StatementType::SELECT_STATEMENT:
      shape->kind = StatementKind::kSelect;
      break;
    case StatementType::INSERT_STATEMENT: {
      auto& insert = statement.Cast<duckdb::InsertStatement>();
      shape->kind = StatementKind::kInsert;
      if (insert.table_ref) {
        shape->target = TableName(insert.table_ref.get(), &shape->target_alias);
      } else {
        if (!insert.catalog.empty()) shape->target.push_back(insert.catalog);
        if (!insert.schema.empty()) shape->target.push_back(insert.schema);
        shape->target.push_back(insert.table);
      }
      shape->has_ctes = !insert.cte_map.map.empty();
      shape->has_returning = !insert.returning_list.empty();
      break;
    }
    case StatementType::DELETE_STATEMENT: {
      auto& del = statement.Cast<duckdb::DeleteStatement>();
      shape->kind = StatementKind::kDelete;
      shape->target = TableName(del.table.get(), &shape->target_alias);
      if (del.condition) shape->condition_sql = del.condition->ToString();
      shape->joins_other_tables = !del.using_clauses.empty();
      shape->has_ctes = !del.cte_map.map.empty();
      shape->has_returning = !del.returning_list.empty();
      break;
    }
    case StatementType::UPDATE_STATEMENT: {
      auto& update = statement.Cast<duckdb::UpdateStatement>();
      shape->kind = StatementKind::kUpdate;
      shape->target = TableName(update.table.get(), &shape->target_alias);
      if (update.set_info && update.set_info->condition) {
        shape->condition_sql = update.set_info->condition->ToString();
      }
      shape->joins_other_tables = update.from_table != nullptr;
      shape->has_ctes = !update.cte_map.map.empty();
      shape->has_returning = !update.returning_list.empty();
      break;
    }
    case StatementType::MERGE_INTO_STATEMENT: {
      auto& merge = statement.Cast<duckdb::MergeIntoStatement>();
      shape->kind = StatementKind::kMerge;
      shape->target = TableName(merge.target.get(), &shape->target_alias);
      if (merge.join_condition) shape->condition_sql = merge.join_condition->ToString();
      if (merge.source) shape->merge_source_sql = merge.source->ToString();
      shape->joins_other_tables = true;
      shape->merge_by_source =
          merge.actions.count(duckdb::MergeActionCondition::WHEN_NOT_MATCHED_BY_SOURCE) > 0;
      shape->has_ctes = !merge.cte_map.map.empty();
      shape->has_returning = !merge.returning_list.empty();
      break;
    }
    default:
      shape->kind = StatementKind::kOther;
      break;
  }
}

// Points a plain table reference at `target`; false when `ref` is not one.
bool Retarget(duckdb::TableRef* ref, const std::vector<std::string>& target) {
  if (ref == nullptr || ref->type != duckdb::TableReferenceType::BASE_TABLE) return false;
  auto& base = ref->Cast<duckdb::BaseTableRef>();
  const size_t n = target.size();
  base.table_name = target[n - 1];
  base.schema_name = n >= 2 ? target[n - 2] : "";
  base.catalog_name = n >= 3 ? target[n - 3] : "";
  return true;
}

Result<std::string> Rendered(duckdb::SQLStatement& statement,
                             const std::vector<std::string>& target) {
  using duckdb::StatementType;
  bool ok = false;
  switch (statement.type) {
    case StatementType::INSERT_STATEMENT: {
      auto& insert = statement.Cast<duckdb::InsertStatement>();
      if (insert.table_ref) {
        ok = Retarget(insert.table_ref.get(), target);
      } else {
        const size_t n = target.size();
        insert.table = target[n - 1];
        insert.schema = n >= 2 ? target[n - 2] : "";
        insert.catalog = n >= 3 ? target[n - 3] : "";
        ok = true;
      }
      break;
    }
    case StatementType::DELETE_STATEMENT:
      ok = Retarget(statement.Cast<duckdb::DeleteStatement>().table.get(), target);
      break;
    case StatementType::UPDATE_STATEMENT:
      ok = Retarget(statement.Cast<duckdb::UpdateStatement>().table.get(), target);
      break;
    case StatementType::MERGE_INTO_STATEMENT:
      ok = Retarget(statement.Cast<duckdb::MergeIntoStatement>().target.get(), target);
      break;
    default:
      break;
  }
  if (!ok) return InvalidArgument("only INSERT, DELETE, UPDATE and MERGE of a table can move");
  return statement.ToString();
}

}  // namespace

Result<std::string> RetargetStatement(std::string_view sql,
                                      const std::vector<std::string>& target) {
  if (target.empty() || target.size() > 3) {
    return InvalidArgument("a target is [catalog, schema,] table");
  }
  try {
    duckdb::Parser parser;
    parser.ParseQuery(std::string(sql));
    if (parser.statements.size() != 1) {
      return InvalidArgument("expected one SQL statement, got ", parser.statements.size());
    }
    return Rendered(*parser.statements[0], target);
  } catch (const std::exception& e) {
    duckdb::ErrorData error(e);
    return InvalidArgument(error.RawMessage());
  }
}

// DuckDB's parser reports errors by exception; they stop here.
Result<StatementShape> DescribeStatement(std::string_view sql) {
  StatementShape shape;
  try {
    duckdb::Parser parser;
    parser.ParseQuery(std::string(sql));
    if (parser.statements.size() != 1) {
      return InvalidArgument("expected one SQL statement, got ", parser.statements.size());
    }
    Describe(*parser.statements[0], &shape);
  } catch (const std::exception& e) {
    duckdb::ErrorData error(e);
    return InvalidArgument(error.RawMessage());
  }
  return shape;
}

}  // namespace atl::engine
