// Appender: rows into a DuckDB table of an Engine, one typed value at a time.
//
// For converters that read rows with atoll's own readers (Avro, ORC) and hand them to
// DuckDB without going through SQL text. Create() makes the table (CREATE TABLE with the
// given DuckDB column types); Open() appends to an existing one.
//
// Values are given column by column, left to right, then EndRow(). Each value is
// interpreted by the DuckDB type of its column (the "physical payload" convention):
//   BOOLEAN                         AppendBool
//   TINYINT, SMALLINT, INTEGER,     AppendInt (int64; kInvalidArgument when out of range
//   BIGINT, UTINYINT..UBIGINT         for the column type)
//   HUGEINT                         AppendHugeInt (or AppendInt)
//   FLOAT, DOUBLE                   AppendFloat / AppendDouble (either, converted)
//   VARCHAR                         AppendBytes (UTF-8 is not validated here; DuckDB
//                                     rejects invalid UTF-8 with kInvalidArgument)
//   BLOB                            AppendBytes
//   DECIMAL(p,s)                    AppendInt / AppendHugeInt: the UNSCALED value
//                                     (12345 into DECIMAL(9,2) is 123.45); kInvalidArgument
//                                     when it has more than p digits
//   DATE                            AppendInt: days since 1970-01-01
//   TIME                            AppendInt: microseconds since midnight
//   TIMESTAMP, TIMESTAMPTZ          AppendInt: microseconds since 1970-01-01 00:00 (UTC)
//   TIMESTAMP_NS                    AppendInt: nanoseconds since 1970-01-01 00:00
//   UUID                            AppendBytes: 16 bytes, most significant first
//   LIST, STRUCT, MAP               Append(Datum) with a nested Datum (below)
//   any column                      AppendNull, or Append(Datum) with a matching Datum
// Giving a value of another payload kind for a column (AppendBytes for an INTEGER) is
// kInvalidArgument. Other DuckDB types (INTERVAL, ARRAY, UNION, ENUM, ...) are kNotSupported.
//
// Errors: after a failed call the appender is unusable (every further call returns the
// first error, Close() included). The incomplete row is never stored; rows ended before
// the error but not flushed may or may not be (DuckDB flushes them if it can), so treat
// the table as unreliable after an error. Rows are buffered by DuckDB and become visible
// to queries after Flush() or Close(); the destructor closes (flushing) and drops any
// error, so call Close() to learn whether the last rows made it.
//
// Thread safety: one thread. The Appender borrows the Engine (and its connection): keep
// the Engine alive until the Appender is destroyed. Other calls on the same Engine may
// be made between appends (not concurrently with them); they see flushed rows only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"

namespace atl::engine {

// A value for one column, possibly nested; interpreted by the column type as above.
// LIST: items; STRUCT: one Datum per field, in the type's field order; MAP: entries
// (keys must not be null). Any Datum may be Null at any level.
class Datum {
 public:
  enum class Kind { kNull, kBool, kInt, kHugeInt, kFloat, kDouble, kBytes, kList, kStruct, kMap };

  Datum() = default;  // null
  static Datum Null() { return Datum(); }
  static Datum Bool(bool v);
  static Datum Int(int64_t v);
  static Datum HugeInt(__int128 v);
  static Datum Float(float v);
  static Datum Double(double v);
  static Datum Bytes(std::string v);
  static Datum List(std::vector<Datum> items);
  static Datum Struct(std::vector<Datum> fields);
  static Datum Map(std::vector<std::pair<Datum, Datum>> entries);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool bool_value() const { return int_ != 0; }
  int64_t int_value() const { return static_cast<int64_t>(int_); }
  __int128 hugeint_value() const { return int_; }
  double double_value() const { return double_; }
  const std::string& bytes() const { return bytes_; }
  // List items or struct fields.
  const std::vector<Datum>& children() const { return children_; }
  // Map entries: keys in children() of even index, values at odd index.
  size_t map_size() const { return children_.size() / 2; }
  const Datum& map_key(size_t i) const { return children_[2 * i]; }
  const Datum& map_value(size_t i) const { return children_[2 * i + 1]; }

 private:
  Kind kind_ = Kind::kNull;
  __int128 int_ = 0;
  double double_ = 0;
  std::string bytes_;
  std::vector<Datum> children_;
};

struct AppenderColumn {
  std::string name;
  std::string type;  // DuckDB SQL type, e.g. "DECIMAL(18,3)", "STRUCT(a INTEGER, b VARCHAR[])"
};

class Appender {
 public:
  // Creates table `table` (an unqualified name in DuckDB's default schema) with
  // `columns` and opens an appender on it. `replace`: CREATE OR REPLACE; otherwise
  // kInvalidArgument when the table exists. kInvalidArgument for a bad type; kNotSupported
  // when a column type (at any nesting level) is not one of the types listed above.
  static Result<std::unique_ptr<Appender>> Create(Engine& engine, std::string_view table,
                                                  const std::vector<AppenderColumn>& columns,
                                                  bool replace = false);
  // Appends to the existing table `table` (all its columns, in table order).
  // kInvalidArgument when there is no such table.
  static Result<std::unique_ptr<Appender>> Open(Engine& engine, std::string_view table);

  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  size_t column_count() const;
  // The DuckDB type of column `i` as SQL text ("DECIMAL(9,2)").
  const std::string& column_type(size_t i) const;

  Status AppendNull();
  Status AppendBool(bool v);
  Status AppendInt(int64_t v);
  Status AppendHugeInt(__int128 v);
  Status AppendFloat(float v);
  Status AppendDouble(double v);
  Status AppendBytes(std::string_view v);
  Status Append(const Datum& v);
  // Ends the row; kInvalidArgument unless exactly column_count() values were given.
  Status EndRow();

  // Rows ended so far (flushed or not).
  int64_t rows() const;

  // Writes buffered rows into the table.
  Status Flush();
  // Flushes and releases the DuckDB appender; further calls return kPreconditionFailed.
  Status Close();

  class Impl;

 private:
  explicit Appender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atl::engine
