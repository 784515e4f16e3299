// The DuckDB SQL that reads a landing file (already fetched to local disk and
// decompressed) with its table's options (settings.h, TableOptions): the reader table
// function (read_csv / read_json / read_parquet), a CSV reader with what one sniff found
// made explicit, and the SELECT that applies the column types.
//
// Every name and value from the settings or from a file is quoted (engine::QuoteString,
// QuoteIdentifier) and every type checked (engine::IsTypeName): see docs/design.md, "SQL text".
// Thread safety: const methods; SniffedCsvReader uses the engine (its rule applies).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/ingest/input_file.h"
#include "atoll/lake/settings.h"

namespace atl::lake {

class ReaderSql {
 public:
  // `max_line_bytes`: prepare.max_line_bytes (longest CSV line, largest JSON document).
  ReaderSql(TableOptions options, uint64_t max_line_bytes);

  // The table function reading local `paths` (all of format `format`) with the table's
  // options; several paths are combined by column name. `sample_size`: the rows DuckDB
  // samples to find types (-1: all). "" for a format DuckDB does not read itself.
  std::string Reader(FileFormat format, const std::vector<std::string>& paths,
                     int64_t sample_size) const;

  // Sniffs the CSV file at `path` once and returns a read_csv(...) call with what DuckDB
  // detected as explicit options (auto_detect=false), so that the DESCRIBEs and the COPY
  // that follow do not each sniff the file again. The call is built here from sniff_csv's
  // structured columns, every value quoted and every type checked (IsTypeName): the
  // header's names are data and never become SQL text (sniff_csv's Prompt is not used).
  // An error when something detected does not fit; the caller then auto-detects.
  Result<std::string> SniffedCsvReader(engine::Engine& engine, FileFormat format,
                                       const std::string& path, int64_t sample_size) const;

  // SELECT over `from`, casting the columns of `column_types` (CSV applies them itself).
  std::string Select(FileFormat format, const std::string& from) const;

 private:
  // The delimiter the table's options set (TSV: a tab), if any.
  std::optional<std::string> SetDelimiter(FileFormat format) const;
  // read_csv options after the paths (", name=value" each) that do not depend on the
  // sniffer (see reader_sql.cc).
  std::string CsvOptionsSql(FileFormat format, bool with_types) const;

  TableOptions options_;
  uint64_t max_line_bytes_;
};

}  // namespace atl::lake
