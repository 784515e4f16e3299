// Catalog: where a table's current metadata file is recorded, and the atomic swap that
// commits a new one. One interface, four implementations
// (all in src/atoll/catalog/; MemoryCatalog is the fourth, for tests):
//   - InBucketCatalog (src/atoll/catalog/in_bucket_catalog.h, the default): pointer objects
//     in the bucket, swapped with a conditional write;
//   - SqliteCatalog and PostgresCatalog (also in src/atoll/catalog/): the tables of Iceberg's JDBC
//     catalog (iceberg_tables, iceberg_namespace_properties), so other engines' SQL catalogs
//     can open the same database.
//
// Namespaces are lists of levels (["shop"], ["stg", "shop"]); the JDBC layout stores them
// joined with '.'. Table names and namespace levels must be non-empty and must not contain
// '.', '/' or control characters (kInvalidArgument).
//
// The catalog only stores pointers; writing metadata files is the caller's job (see
// commit.h). Contract of the swap:
//   - kCommitConflict: the pointer was not `expected` (someone else committed); nothing changed;
//   - kUnknownOutcome: the request may or may not have taken effect (e.g. a time-out after
//     it was sent); the caller must re-read the pointer and must not delete the new metadata;
//   - kUnavailable: it certainly did not take effect and may be retried;
//   - OK: the pointer is `next`.
//
// Thread safety: implementations are safe to call from many threads and processes at once.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::iceberg {

using Namespace = std::vector<std::string>;

struct TableIdentifier {
  Namespace ns;
  std::string name;

  // "a.b.t"
  std::string ToString() const;
  // Parses "a.b.t" (the last level is the table). kInvalidArgument for "", "t" alone is
  // allowed only when `allow_empty_namespace`.
  static Result<TableIdentifier> Parse(std::string_view text, bool allow_empty_namespace = false);
  auto operator<=>(const TableIdentifier&) const = default;
};

// "a.b"
std::string NamespaceToString(const Namespace& ns);
// The levels of a '.'-joined name, the inverse of NamespaceToString: "a.b" -> {"a", "b"},
// "" -> {""}, "a..b" -> {"a", "", "b"} (empty levels are kept for the caller to refuse).
Namespace SplitNamespace(std::string_view joined);
// kInvalidArgument naming the bad level.
Status ValidateNamespace(const Namespace& ns);
Status ValidateIdentifier(const TableIdentifier& id);

class Catalog {
 public:
  virtual ~Catalog() = default;

  // The catalog's name ("default" unless configured); the JDBC layout keys rows by it.
  virtual std::string name() const = 0;

  // --- namespaces ---------------------------------------------------------------------
  // kAlreadyExists when present.
  virtual Status CreateNamespace(const Namespace& ns,
                                 const std::map<std::string, std::string>& properties) = 0;
  // The namespaces directly under `parent` ({} = top level), sorted.
  virtual Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) = 0;
  // kNotFound when absent.
  virtual Result<std::map<std::string, std::string>> LoadNamespaceProperties(
      const Namespace& ns) = 0;
  virtual Status UpdateNamespaceProperties(const Namespace& ns,
                                           const std::map<std::string, std::string>& updates,
                                           const std::set<std::string>& removals) = 0;
  // kNotFound when absent; kPreconditionFailed when it still holds tables or namespaces.
  virtual Status DropNamespace(const Namespace& ns) = 0;

  // --- tables -------------------------------------------------------------------------
  // Sorted. kNotFound when the namespace does not exist.
  virtual Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) = 0;
  // Where a new table's files go by default: <warehouse>/<ns levels>/<name>.
  virtual Result<std::string> DefaultTableLocation(const TableIdentifier& id) = 0;
  // The table's current metadata file location. kNotFound when the table does not exist.
  virtual Result<std::string> LoadMetadataLocation(const TableIdentifier& id) = 0;
  // Registers a table whose first metadata file is already written. kNotFound when the
  // namespace does not exist; kAlreadyExists when the table exists.
  virtual Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) = 0;
  // Swaps the pointer from `expected` to `next` (see the contract above).
  virtual Status SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                                      const std::string& next) = 0;
  // Forgets the table (its files are left alone). kNotFound when absent.
  virtual Status DropTable(const TableIdentifier& id) = 0;
  // kNotFound when `from` is absent, kAlreadyExists when `to` exists.
  virtual Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) = 0;

  // --- views (Iceberg views: view_metadata.h) ------------------------------------------
  // A view is a pointer to its current view metadata file, kept like a table's pointer but
  // apart from them: a name is a table or a view, never both (CreateTable of a view's name
  // and CreateView of a table's name are kAlreadyExists), and the table calls above never
  // see views (LoadMetadataLocation of a view is kNotFound). The same swap contract holds
  // for SwapViewMetadataLocation. Catalogs without views answer kNotSupported.
  //
  // Sorted. kNotFound when the namespace does not exist.
  virtual Result<std::vector<TableIdentifier>> ListViews(const Namespace& ns);
  // The view's current metadata file location. kNotFound when the view does not exist.
  virtual Result<std::string> LoadViewMetadataLocation(const TableIdentifier& id);
  // Registers a view whose first metadata file is already written. kNotFound when the
  // namespace does not exist; kAlreadyExists when a view or a table has the name.
  virtual Status CreateView(const TableIdentifier& id, const std::string& metadata_location);
  // Swaps the view's pointer from `expected` to `next` (the contract above).
  virtual Status SwapViewMetadataLocation(const TableIdentifier& id, const std::string& expected,
                                          const std::string& next);
  // Forgets the view (its metadata files are left alone). kNotFound when absent.
  virtual Status DropView(const TableIdentifier& id);
};

}  // namespace atl::iceberg
