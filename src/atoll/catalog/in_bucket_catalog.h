// InBucketCatalog: the default catalog, kept in the warehouse's own bucket. A table's
// pointer is a small JSON object swapped with a conditional write, so a lake needs no
// service besides its object store.
//
// Layout under the warehouse root (the `prefix` given to Open):
//   _catalog/<ns levels joined by '.'>/<table>.json      a table's pointer
//       {"metadata-location": "<uri>", "previous-metadata-location": "<uri>" | null,
//        "updated-ms": <ms since the epoch>}
//   _catalog/<ns levels joined by '.'>/<view>.view.json  a view's pointer (same content;
//       table names hold no '.', so a view's pointer is never a table's)
//   _catalog/<ns levels joined by '.'>/_namespace.json   a namespace and its properties
//       {"properties": {"<key>": "<value>", ...}}
//   _catalog/.probe/atoll-probe-<random>                 transient (ProbeConditionalWrites)
// Table data goes to DefaultTableLocation: <warehouse uri>/<ns levels joined by '/'>/<table>.
// Because of `_namespace.json`, a table may not be named "_namespace" (kInvalidArgument).
// Tables need a namespace of at least one level.
//
// Namespaces follow the JDBC catalog's rule: one exists when it has its object, a table,
// or a namespace below it ("a" exists while "a.b" does); listing returns the direct
// children of such implicit parents too.
//
// Commits:
//   - CreateTable writes the pointer with PutCondition::kIfAbsent;
//   - SwapMetadataLocation reads the pointer's etag (Head) and then its content (Get) —
//     in this order, so that the etag is never newer than the content compared — checks
//     that the content names `expected` (kCommitConflict otherwise) and writes the new
//     pointer with kIfMatch on that etag (kPreconditionFailed becomes kCommitConflict).
//     kUnknownOutcome of the write passes through; errors of the reads never are
//     kUnknownOutcome (a read has no effect: they become kUnavailable).
//   - RenameTable first marks the source pointer as moved ("renamed-to", kIfMatch), so a
//     concurrent swap of the source fails with kCommitConflict, then creates the target
//     (kIfAbsent) and deletes the source. A moved pointer reads as kNotFound; a rename
//     interrupted after the mark is completed by repeating it, or undone by DropTable
//     of the source.
//   - DropTable deletes the pointer; a swap racing with it may report OK just before.
//   - Views: CreateView, SwapViewMetadataLocation and DropView work as their table
//     counterparts on the view's pointer. CreateView refuses the name of a table and
//     CreateTable (and RenameTable's target) the name of a view (kAlreadyExists), by a Head
//     of the other pointer before the conditional create: a table and a view created under
//     one name at the same moment can both succeed (the store has no two-key condition).
//     A namespace holding only views exists and cannot be dropped.
//   - Namespace property updates are read-modify-write with kIfMatch, retried on conflict.
//
// The store must honour conditional writes: Open runs ProbeConditionalWrites and refuses
// (kNotSupported, with a message pointing to the SQLite/PostgreSQL catalogs) stores that
// refuse them (Swift: 501) or ignore them (s3rver). `probe = false` skips the probe for
// stores known to honour them (LocalStore, MemoryStore).
//
// Thread safety: every method may be called concurrently, from many processes sharing
// the bucket; the store does all coordination.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "atoll/iceberg/catalog.h"
#include "atoll/storage/store.h"

namespace atl::catalog {

struct InBucketCatalogOptions {
  std::string name = "default";
  // The warehouse root as a URI, the base of DefaultTableLocation. Empty: the store's
  // Describe() with the prefix appended ("s3://bucket/lakes/sales", "file:///data/lake").
  std::string warehouse_uri;
  // Run ProbeConditionalWrites in Open (see above).
  bool probe = true;
  // Attempts of a namespace property update that keeps losing races (kCommitConflict after).
  int max_property_update_attempts = 20;
};

class InBucketCatalog final : public iceberg::Catalog {
 public:
  // The catalog kept in `store` under `prefix` ("" = the store's root; else one or more
  // key segments). Errors: kInvalidArgument for a bad prefix; kNotSupported when the
  // probe finds that the store does not honour conditional writes; the probe's own
  // errors (network, permission) with context.
  static Result<std::unique_ptr<InBucketCatalog>> Open(std::shared_ptr<storage::Store> store,
                                                       std::string_view prefix,
                                                       InBucketCatalogOptions options = {});

  std::string name() const override { return options_.name; }

  Status CreateNamespace(const iceberg::Namespace& ns,
                         const std::map<std::string, std::string>& properties) override;
  Result<std::vector<iceberg::Namespace>> ListNamespaces(const iceberg::Namespace& parent) override;
  Result<std::map<std::string, std::string>> LoadNamespaceProperties(
      const iceberg::Namespace& ns) override;
  Status UpdateNamespaceProperties(const iceberg::Namespace& ns,
                                   const std::map<std::string, std::string>& updates,
                                   const std::set<std::string>& removals) override;
  Status DropNamespace(const iceberg::Namespace& ns) override;

  Result<std::vector<iceberg::TableIdentifier>> ListTables(const iceberg::Namespace& ns) override;
  Result<std::string> DefaultTableLocation(const iceberg::TableIdentifier& id) override;
  Result<std::string> LoadMetadataLocation(const iceberg::TableIdentifier& id) override;
  Status CreateTable(const iceberg::TableIdentifier& id,
                     const std::string& metadata_location) override;
  Status SwapMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                              const std::string& next) override;
  Status DropTable(const iceberg::TableIdentifier& id) override;
  Status RenameTable(const iceberg::TableIdentifier& from,
                     const iceberg::TableIdentifier& to) override;

  Result<std::vector<iceberg::TableIdentifier>> ListViews(const iceberg::Namespace& ns) override;
  Result<std::string> LoadViewMetadataLocation(const iceberg::TableIdentifier& id) override;
  Status CreateView(const iceberg::TableIdentifier& id,
                    const std::string& metadata_location) override;
  Status SwapViewMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                                  const std::string& next) override;
  Status DropView(const iceberg::TableIdentifier& id) override;

  // Keys relative to the warehouse root (see the layout above).
  static std::string PointerKey(const iceberg::TableIdentifier& id);
  static std::string ViewPointerKey(const iceberg::TableIdentifier& id);
  static std::string NamespaceKey(const iceberg::Namespace& ns);
  static constexpr std::string_view kCatalogDir = "_catalog/";

  const std::string& warehouse_uri() const { return options_.warehouse_uri; }

 private:
  InBucketCatalog(std::shared_ptr<storage::Store> store, InBucketCatalogOptions options)
      : store_(std::move(store)), options_(std::move(options)) {}

  struct Pointer;
  // The pointer of table (or `view`) `id` with the etag it was read under (Head, then Get).
  // The conditional put of a commit (in_bucket_catalog.cc).
  Status SwapPointer(const std::string& key, const std::string& pointer, const std::string& etag,
                     const std::string& what, const std::string& name);
  Result<std::pair<Pointer, std::string>> ReadPointer(const iceberg::TableIdentifier& id,
                                                      bool view = false);
  // True when the object `key` exists (one Head).
  Result<bool> KeyExists(const std::string& key);
  // True when `ns` exists (its object, a table or a namespace below it).
  Result<bool> NamespaceExists(const iceberg::Namespace& ns);
  // True when some key starts with `prefix` (one listing request).
  Result<bool> AnyKeyUnder(const std::string& prefix);

  std::shared_ptr<storage::Store> store_;  // rooted at the warehouse root
  InBucketCatalogOptions options_;
};

}  // namespace atl::catalog
