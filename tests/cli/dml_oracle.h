// Helpers of the tests that change a lake table with `atoll query` and compare it with the
// same statements run on a native DuckDB table (the oracle): random DML confined to one
// partition value, the table's rows as one canonical text, and the files a table's
// metadata references (for orphan checks).
//
// The statements are written with "{T}" for the target table and name it "t" in
// conditions (`t.id`): the lake table is <zone>.<db>.t, the oracle's table is t.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"

namespace atl::cli::testing {

// The columns of the tables these tests write (partitioned by k).
inline constexpr char kDmlColumns[] = "id BIGINT, k INT, n BIGINT, s VARCHAR";

// A write mode of the tests: `name` (copy-on-write | merge-on-read) for every statement
// kind, and the table's format version.
struct WriteMode {
  std::string name;
  int format_version = 2;
};
// How GoogleTest prints a parameter ("merge-on-read v3").
inline void PrintTo(const WriteMode& mode, std::ostream* os) {
  *os << mode.name << " v" << mode.format_version;
}
// The three the tests run: copy-on-write v2, merge-on-read v2 (position delete files) and
// v3 (deletion vectors); with a test name for each (CopyOnWriteV2, ...).
std::vector<WriteMode> AllWriteModes();
std::string WriteModeTestName(const WriteMode& mode);
// The WITH clause of CREATE TABLE for `mode`, with `more` ("'key' = 'value', ...") too.
std::string WithClause(const WriteMode& mode, const std::string& more = "");

// The integer in environment variable `name` (test sizes), `fallback` when unset.
int EnvInt(const char* name, int fallback);
// ATOLL_DML_SEED, or a random seed.
uint32_t DmlSeed();

// `sql` with every "{T}" replaced by `table`.
std::string ForTable(std::string sql, const std::string& table);

// A query of one VARCHAR value: the row count, then every row (id,k,n,s) sorted.
std::string StateQuery(const std::string& table);

// A statement on the rows of partition `k`: INSERT (VALUES or SELECT), UPDATE, DELETE or
// MERGE (with WHEN MATCHED ... DELETE / UPDATE and WHEN NOT MATCHED ... INSERT), each
// confined to `k = <k>`. New ids come from `*next_id` (k * 1,000,000 + a counter, so
// partitions never share ids); MERGE sources reuse earlier ids.
std::string RandomStatement(std::mt19937& rng, int k, int64_t* next_id);

// The canonical state of lake table `table` read by `atoll query`; nullopt, with the
// error in `*error`, when the query fails.
std::optional<std::string> LakeState(const std::string& lake, const std::string& table,
                                     std::string* error);

// The oracle: an in-memory DuckDB with table t (kDmlColumns).
class DuckOracle {
 public:
  static Result<std::unique_ptr<DuckOracle>> Open();
  // Runs `statement` ("{T}" = t).
  Status Run(const std::string& statement);
  Result<std::string> State();
  // Keeps a copy of t's rows; Restore puts them back.
  Status Save();
  Status Restore();

 private:
  std::unique_ptr<engine::Engine> engine_;
};

// The files of a local lake's table (`table_dir`, its folder) that its current metadata
// (the in-bucket catalog's pointer `catalog_file`) references: that metadata file, the
// metadata files of its log, version-hint.text, and for every snapshot its manifest list,
// manifests and the data and delete files of their entries (any status), and statistics
// files.
Result<std::set<std::string>> ReferencedFiles(const std::string& catalog_file);

// The regular files under `dir`, as absolute paths.
std::set<std::string> FilesUnder(const std::string& dir);

}  // namespace atl::cli::testing
