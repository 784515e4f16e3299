// SqlConnection: the little the SQL catalogs need from a database connection, so that
// SQLite and PostgreSQL share one implementation of the catalog (sql_catalog.h).
//
// Statements are written with '?' placeholders (the PostgreSQL connection renumbers them
// to $1, $2, ...); values are bound as text or NULL, never spliced into the SQL.
//
// Errors (a connection converts its library's codes once, here):
//   - kAlreadyExists: a unique or primary-key constraint was violated;
//   - kInvalidArgument: a value does not fit its column;
//   - kUnavailable: the statement certainly had no effect and may be retried (busy or
//     locked database, serialization failure, a connection that broke before or while
//     running a statement that cannot commit on its own);
//   - kUnknownOutcome: the connection broke (or the disk failed) while running a
//     statement that commits — Execute outside a transaction, or Commit — so it may
//     have taken effect;
//   - kIOError / kCorruption / kPermissionDenied / kInternal for the rest.
//
// Thread safety: a connection is used by one thread at a time (the catalog's pool hands
// each to one caller). Connections must not be shared across fork(): a child opens its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::catalog {

using SqlValue = std::optional<std::string>;  // nullopt is SQL NULL
using SqlRow = std::vector<SqlValue>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs a statement that returns rows (a read: never kUnknownOutcome).
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            const std::vector<SqlValue>& params) = 0;
  // Runs a statement that changes rows and returns how many it changed.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) = 0;

  // A write transaction: Begin, statements, then Commit or Rollback. SQLite takes the
  // write lock at Begin (BEGIN IMMEDIATE), waiting up to its busy timeout.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;

  // False once the connection cannot be used again (it is then closed, not pooled).
  virtual bool healthy() const = 0;
};

}  // namespace atl::catalog
