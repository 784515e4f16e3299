// ViewMetadata: the contents of an Iceberg view's <n>.metadata.json file (view spec, format
// version 1): the view's uuid and location, its schemas, its versions (each a schema id, a
// summary, a default namespace and catalog, and SQL representations with their dialect),
// the version log (every change of the current version) and the view's properties.
//
// Parsing is strict: a missing or ill-typed required field, a format version other than 1,
// a current version, version-log entry or version schema that names nothing, two versions
// (or schemas) with one id, or two SQL representations of one dialect in a version is
// kCorruption naming the file. Representations of other types than "sql" (later specs) are
// kept as read and written back unchanged. Writing is deterministic (sorted keys).
//
// Deriving new metadata (the builders below):
//   NewViewMetadata       the first version (id 1) of a new view, its schema id 0;
//   ReplaceViewVersion    appends a version (id = the highest + 1) and makes it current,
//                         with a version-log entry; the schema is reused when an existing
//                         schema has the same fields, otherwise added (id = highest + 1).
//                         Versions beyond the property `version.history.num-entries`
//                         (default 10, as Java's) are dropped, oldest first, together with
//                         their log entries and the schemas no kept version uses.
//
// Thread safety: plain values; builders are pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/iceberg/schema.h"

namespace atl::iceberg {

struct ViewRepresentation {
  std::string type = "sql";
  std::string sql;      // type "sql": a SELECT statement
  std::string dialect;  // type "sql": "duckdb", "spark", "trino", ...
  std::string raw;      // another type: its JSON as read (written back as it is)

  static ViewRepresentation Sql(std::string sql, std::string dialect) {
    ViewRepresentation r;
    r.sql = std::move(sql);
    r.dialect = std::move(dialect);
    return r;
  }

  bool operator==(const ViewRepresentation&) const = default;
};

struct ViewVersion {
  int32_t version_id = 0;
  int32_t schema_id = 0;
  int64_t timestamp_ms = 0;
  std::map<std::string, std::string> summary;  // engine-name, engine-version, ...
  std::vector<ViewRepresentation> representations;
  std::optional<std::string> default_catalog;  // none: the catalog holding the view
  Namespace default_namespace;                 // for single-part names in the SQL

  // The SQL representation of `dialect` (ASCII case ignored), or nullptr.
  const ViewRepresentation* SqlFor(std::string_view dialect) const;
  bool operator==(const ViewVersion&) const = default;
};

struct ViewLogEntry {
  int64_t timestamp_ms = 0;
  int32_t version_id = 0;
  bool operator==(const ViewLogEntry&) const = default;
};

struct ViewMetadata {
  static constexpr int kFormatVersion = 1;
  // Property: how many versions a view keeps (default 10).
  static constexpr std::string_view kHistoryEntries = "version.history.num-entries";

  int format_version = kFormatVersion;
  std::string view_uuid;
  std::string location;
  std::vector<Schema> schemas;
  int32_t current_version_id = 0;
  std::vector<ViewVersion> versions;
  std::vector<ViewLogEntry> version_log;
  std::map<std::string, std::string> properties;

  // nullptr when absent.
  const ViewVersion* CurrentVersion() const { return VersionById(current_version_id); }
  const ViewVersion* VersionById(int32_t id) const;
  const Schema* SchemaById(int32_t id) const;
  const Schema* CurrentSchema() const;

  // The cross-references above (kCorruption naming `what`).
  Status Validate(std::string_view what) const;

  // Parses metadata JSON text; `what` names the file in errors (kCorruption).
  static Result<ViewMetadata> Parse(std::string_view text, std::string_view what);
  // Serializes (after Validate; its error is then kInvalidArgument).
  Result<std::string> ToJsonString() const;

  bool operator==(const ViewMetadata& other) const;
};

// What a new version says: its schema (field ids assigned by the caller; the schema id is
// chosen by the builder), representations, default namespace and catalog, summary.
struct ViewVersionSpec {
  Schema schema{0, {}};
  std::vector<ViewRepresentation> representations;
  Namespace default_namespace;
  std::optional<std::string> default_catalog;
  std::map<std::string, std::string> summary;
};

// kInvalidArgument for an empty location or uuid, a version without representations, two
// SQL representations of one dialect, a bad history property.
Result<ViewMetadata> NewViewMetadata(std::string location, const ViewVersionSpec& version,
                                     std::map<std::string, std::string> properties,
                                     std::string view_uuid, int64_t now_ms);
Result<ViewMetadata> ReplaceViewVersion(const ViewMetadata& base, const ViewVersionSpec& version,
                                        int64_t now_ms);

}  // namespace atl::iceberg
