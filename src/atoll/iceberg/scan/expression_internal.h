// Internal helpers shared by expression.cc, expression_parse.cc and expression_eval.cc.
// Not part of the public API. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/scan/expression.h"

namespace atl::iceberg {

bool IsPredicate(Expression::Op op);
// The operator of NOT(op) for predicates that have one (Lt -> GtEq, In -> NotIn, ...).
Expression::Op NegatedOp(Expression::Op op);
// NOT pushed down to the predicates (De Morgan); only NOT over STARTS WITH remains.
Expression NegationNormalForm(const Expression& e);
// A literal in the filter language ('text', DATE '...', 42).
std::string LiteralText(const Literal& v);

// TIMESTAMP text ("2024-01-02 10:00:00[.fffffffff][Z|+hh:mm]", or a date) as a nanosecond
// literal: TimestampTzNs when a zone is given, else TimestampNs.
Result<Literal> ParseTimestampLiteral(std::string_view text);
// Number text: Long for integers that fit, Decimal(38, s) for "1.25" and long integers,
// Double for exponents ("1e3").
Result<Literal> ParseNumberLiteral(std::string_view text);

// Orders two non-null literals by representation: ints of any width and dates compare as
// integers, float and double as doubles, decimals by unscaled value (same scale assumed),
// strings/binary as unsigned bytes. Different representations compare as equal (0), which
// callers treat as "cannot prune".
int CompareValues(const Literal& a, const Literal& b);
// True when both literals have representations CompareValues can order.
bool Comparable(const Literal& a, const Literal& b);

}  // namespace atl::iceberg
