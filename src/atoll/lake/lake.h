// Lake: a bucket (local directory, s3://bucket or s3://bucket/prefix) holding an atoll
// lake, identified by its settings document (settings.h) at `_atoll/settings.json`.
//
//   Lake::Init(uri, settings)   writes the settings (idempotent, see InitLake)
//   Lake::Open(uri)             reads them; kNotFound "not an atoll lake" when absent
//
// Zones are top-level folders named by Settings::zones; keys of a table's files in a zone
// are "<zone>/<db>/<table>/...".
//
// Thread safety: a Lake is immutable after Open; its store is thread-safe, so a Lake may
// be shared between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/lake/settings.h"
#include "atoll/storage/store.h"

namespace atl::lake {

struct InitOptions {
  // Replace settings that differ from the stored ones (otherwise that is an error).
  bool force = false;
};

enum class InitOutcome {
  kCreated,    // there were no settings; they were written
  kUnchanged,  // equal settings were already stored; nothing was written
  kReplaced,   // different settings were stored and `force` replaced them
};
std::string_view InitOutcomeName(InitOutcome outcome);  // "created", "unchanged", "replaced"

// Writes `settings` into `store` (after Validate). When settings exist already: equal ones
// → kUnchanged; different ones → kAlreadyExists naming the first difference, unless
// `options.force`. A stored document that does not parse is replaced only with force.
// The write is create-if-absent (or swap-if-unchanged with force) where the store supports
// conditional writes, so two concurrent inits cannot both "create". On a local directory
// it then makes the zone folders (KeepFolder).
Result<InitOutcome> InitLake(storage::Store& store, const Settings& settings,
                             const InitOptions& options = {});

// Table names. A db or table folder name becomes a part of the SQL name
// <zone>.<db>.<table> and of keys of the lake (`_atoll/ingest/<zone>.<db>.<table>/`,
// leases), so it must be: non-empty, at most kMaxTableNameBytes bytes, valid UTF-8, free of
// '.' (the separator of those names) and of control characters. Spaces, unicode, SQL
// keywords and leading dashes are fine (names are always quoted in SQL). Why `name` cannot
// be one, or "" when it can (e.g. "contains a '.' (the separator of <zone>.<db>.<table>)").
inline constexpr size_t kMaxTableNameBytes = 100;
std::string TableNameProblem(std::string_view name);
// The same for a "<db>/<table>" folder, naming the folder: "the table folder name 'b.c'
// contains a '.', ...", or "". A db may also not be named like a schema SQL reserves in
// every catalog (information_schema, pg_catalog).
std::string FolderNameProblem(std::string_view db, std::string_view table);

// `name` safe to print and to put in JSON: control characters and bytes that are not
// valid UTF-8 become "\xNN"; everything else is kept.
std::string PrintableName(std::string_view name);

// Why a file at `key` cannot be taken by prepare or ingest, or "" when it can: a key the
// store refuses (storage::ValidateKey: empty, '.' or '..' segments, a NUL byte) can be
// neither read, moved nor deleted, so it stays where it is (`movable` false); a name that
// is not valid UTF-8 cannot enter the JSON of ledgers and lineage (`movable` true: it is
// rejected). Control characters are no problem: the store handles them, the JSON of
// ledgers, reasons and events escapes them, and messages print them with PrintableName.
struct KeyProblem {
  std::string reason;  // "" = no problem
  bool movable = true;
};
KeyProblem CheckSourceKey(std::string_view key);

// True when a file at `path` (relative to its zone: "<db>/<table>/...") is left alone by
// every reader of the landing zones: some segment of it starts with '.' or '_' (".part",
// "_SUCCESS", Spark's "_temporary/" folders, ".hidden/" folders), or it ends with '/'
// (a folder marker), as Hadoop-style writers expect.
bool IsHiddenPath(std::string_view path);

// A file that can be neither taken nor moved (see CheckSourceKey): left in place, and
// reported on every run until it is renamed.
struct UnusableFile {
  std::string key;  // PrintableName of the key
  std::string reason;
};

// A "<db>/<table>" folder of a zone holding at least one file (names whose last segment
// starts with '.' or '_' do not count; files directly under "<zone>/<db>/" are in no table).
struct TableFolder {
  std::string db;
  std::string table;
  // Why it cannot be a table (TableNameProblem of db or table, or a case collision, see
  // lake_tables.h): its files are rejected. "" when it can.
  std::string problem;
  std::vector<storage::ObjectInfo> files;  // the files of the folder, in key order
};

// The table folders under `zone`, sorted by (db, table), their names checked
// (TableNameProblem). One full listing rather than delimiter listings: some S3 servers
// (s3rver) answer those without common prefixes.
Result<std::vector<TableFolder>> ScanTableFolders(storage::Store& store, const std::string& zone);

// Folders of a local-directory lake stay when their last file is taken: KeepFolder makes
// `folder` ("prepare", "prepare/shop/orders") and keeps it (storage::LocalStore::
// KeepDirectory), so people can `cp` into the zone and table folders of the layout again
// after an ingest. A no-op on object stores, which have no folders. InitLake keeps every
// zone root; prepare and ingest keep the zone and each table folder they take files from.
Status KeepFolder(storage::Store& store, std::string_view folder);
Status KeepTableFolders(storage::Store& store, std::string_view zone,
                        const std::vector<TableFolder>& folders);

class Lake {
 public:
  // Opens the store at `uri` (which must exist) and reads its settings. kNotFound
  // "<uri> is not an atoll lake (no _atoll/settings.json); run 'atoll init <uri>'".
  static Result<std::unique_ptr<Lake>> Open(std::string_view uri);
  static Result<std::unique_ptr<Lake>> Open(std::shared_ptr<storage::Store> store);

  // Opens (creating a local directory if needed) and runs InitLake.
  static Result<InitOutcome> Init(std::string_view uri, const Settings& settings,
                                  const InitOptions& options = {});

  const Settings& settings() const { return settings_; }
  storage::Store& store() const { return *store_; }
  // The lake's root as a URI: "/abs/dir" for local directories (file:// stripped),
  // "s3://bucket[/prefix]", "memory://name" (see lake_tables.h).
  const std::string& root_uri() const { return root_uri_; }
  const std::shared_ptr<storage::Store>& shared_store() const { return store_; }

  // "<zone>/<db>/<table>/" for a zone folder name (e.g. settings().zones.load).
  static std::string TablePrefix(std::string_view zone, std::string_view db,
                                 std::string_view table);

 private:
  Lake(std::shared_ptr<storage::Store> store, Settings settings);
  std::shared_ptr<storage::Store> store_;
  std::string root_uri_;
  Settings settings_;
};

}  // namespace atl::lake
