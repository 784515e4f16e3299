// Expression: a row filter over a table's columns, used to prune files when planning a
// scan (scan.h) and to pick whole files to delete (DeleteFiles in transaction.h).
//
// Columns are named by their dotted path in the schema ("id", "address.city"); binding
// against a schema resolves them to field ids (kInvalidArgument for unknown columns or a
// literal that cannot be converted to the column's type).
//
// Two evaluations over a file's partition tuple and column metrics (lower/upper bounds,
// null/NaN/value counts), following the spec's inclusive and strict projections:
//   - MightMatch: false only if no row of the file can match (safe for pruning);
//   - AllMatch:   true only if every row of the file certainly matches (safe for deleting
//     whole files).
// Missing metrics make MightMatch true and AllMatch false. Semantics are SQL's three-valued
// logic (a NULL comparison is not a match); NaN is treated as possibly greater than every
// value, so files that may hold NaN are never pruned by > or >=. String/binary upper bounds
// are treated as possibly truncated prefixes of the real maximum.
//
// Bind returns the expression in negation normal form (NOT only directly above a STARTS WITH
// predicate), with literals of the column types and constant parts folded: a literal that does
// not fit the column (id < 1e20 on an int column, price = 1.005 on decimal(9,2)) becomes the
// equivalent predicate (id IS NOT NULL, FALSE).
//
// Thread safety: values; free functions.
#pragma once

#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/schema.h"

namespace atl::iceberg {

struct Expression {
  enum class Op {
    kTrue,
    kFalse,
    kAnd,
    kOr,
    kNot,
    kIsNull,
    kNotNull,
    kIsNaN,
    kNotNaN,
    kLt,
    kLtEq,
    kGt,
    kGtEq,
    kEq,
    kNotEq,
    kIn,
    kNotIn,
    kStartsWith,
  };
  Op op = Op::kTrue;
  std::string column;                // predicates only
  std::vector<Literal> values;       // 1 for comparisons, n for In/NotIn
  std::vector<Expression> children;  // And/Or: 2; Not: 1

  static Expression True() { return {}; }
  static Expression False() { return {Op::kFalse, {}, {}, {}}; }
  static Expression And(Expression a, Expression b);
  static Expression Or(Expression a, Expression b);
  static Expression Not(Expression a);
  static Expression Predicate(Op op, std::string column, std::vector<Literal> values = {});

  // "id > 5 AND name = 'x'" style text, for messages and tests.
  std::string ToString() const;
};

// Parses a small filter language: comparisons (= != <> < <= > >=) of a column with a
// literal (integers, decimals, 'strings', DATE '2024-01-01', TIMESTAMP '…', true/false),
// IS [NOT] NULL, IN (…), NOT IN (…), LIKE 'prefix%', AND, OR, NOT and parentheses.
// Literals are typed loosely and converted when bound. kInvalidArgument with the position.
Result<Expression> ParseExpression(std::string_view text);

// Checks columns and converts literals to the column types of `schema`.
Result<Expression> Bind(const Expression& expr, const Schema& schema);

// Evaluations of a bound expression (see the top of this file). `spec` is the spec the
// file was written with; `schema` the one the expression was bound to. kInvalidArgument
// when the expression names a column `schema` lacks.
Result<bool> MightMatch(const Expression& bound, const Schema& schema, const PartitionSpec& spec,
                        const DataFile& file);
Result<bool> AllMatch(const Expression& bound, const Schema& schema, const PartitionSpec& spec,
                      const DataFile& file);

// MightMatch from the partition tuple alone (`partition` follows `spec`); used for delete files.
Result<bool> PartitionMightMatch(const Expression& bound, const Schema& schema,
                                 const PartitionSpec& spec, const std::vector<Literal>& partition);
// Whether a manifest written with `spec` may hold matching files, from its partition field
// summaries (contains_null, contains_nan, lower/upper bounds of each partition field).
Result<bool> ManifestMightMatch(const Expression& bound, const Schema& schema,
                                const PartitionSpec& spec, const ManifestFile& manifest);

}  // namespace atl::iceberg
