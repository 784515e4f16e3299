// Table: one Iceberg table reached through a Catalog (where its metadata pointer lives)
// and a FileIO (its files), with its current metadata as last loaded or committed.
//
//   ATOLL_ASSIGN_OR_RETURN(Table t, Table::Load(catalog, io, {{"shop"}, "orders"}));
//   ATOLL_RETURN_NOT_OK(t.NewTransaction().Append(files).Commit());
//
// Create writes the first metadata file, <location>/metadata/00000-<uuid>.metadata.json
// (format v2 unless asked), with a fresh schema (field ids 1..n in pre-order; partition
// and sort fields and identifier fields follow the renumbering), then registers it with
// Catalog::CreateTable (kAlreadyExists leaves the written file deleted) and writes
// metadata/version-hint.text (best effort). The location defaults to the catalog's
// DefaultTableLocation.
//
// Errors: the catalog's (kNotFound for unknown tables), FileIO's, TableMetadata::Parse's.
// Thread safety: a Table is a value used by one thread at a time; several Table objects
// (threads, processes) may commit to the same table: commits are optimistic (commit.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/commit/transaction.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/sort_order.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

struct CreateTableOptions {
  // Field ids are reassigned; the partition, sort order and identifier fields name source
  // columns by the ids of this schema.
  Schema schema = Schema(0, {});
  std::vector<UnboundPartitionField> partition;
  SortOrder sort_order = UnsortedOrder();
  std::map<std::string, std::string> properties;
  std::optional<std::string> location;  // default: Catalog::DefaultTableLocation
  int format_version = 2;
};

class Table {
 public:
  static Result<Table> Load(std::shared_ptr<Catalog> catalog, std::shared_ptr<const FileIO> io,
                            TableIdentifier id, CommitEnv env = {});
  static Result<Table> Create(std::shared_ptr<Catalog> catalog, std::shared_ptr<const FileIO> io,
                              TableIdentifier id, const CreateTableOptions& options,
                              CommitEnv env = {});

  // The metadata Create would write for `options` (fresh ids, bound partition spec and
  // sort order, location), without writing anything: for writing a new table's first
  // data files before the table exists (then CreateWithMetadata).
  static Result<TableMetadata> NewMetadata(Catalog& catalog, const TableIdentifier& id,
                                           const CreateTableOptions& options, CommitEnv env = {});
  // Creates the table with `metadata` as its first metadata file (as from NewMetadata).
  // kAlreadyExists when the table exists.
  static Result<Table> CreateWithMetadata(std::shared_ptr<Catalog> catalog,
                                          std::shared_ptr<const FileIO> io, TableIdentifier id,
                                          TableMetadata metadata, CommitEnv env = {});

  const TableIdentifier& id() const { return id_; }
  const TableMetadata& metadata() const { return metadata_; }
  const std::string& metadata_location() const { return metadata_location_; }
  const std::string& location() const { return metadata_.location; }
  Catalog& catalog() const { return *catalog_; }
  const FileIO& io() const { return *io_; }
  const CommitEnv& env() const { return env_; }

  // Reloads the current metadata from the catalog.
  Status Refresh();

  Transaction NewTransaction() { return Transaction(this); }

 private:
  friend class Transaction;
  Table(std::shared_ptr<Catalog> catalog, std::shared_ptr<const FileIO> io, TableIdentifier id,
        CommitEnv env, TableMetadata metadata, std::string metadata_location);
  void Update(TableMetadata metadata, std::string metadata_location);

  std::shared_ptr<Catalog> catalog_;
  std::shared_ptr<const FileIO> io_;
  TableIdentifier id_;
  CommitEnv env_;  // with defaults filled in
  TableMetadata metadata_;
  std::string metadata_location_;
};

// Reads and parses a metadata file.
Result<TableMetadata> ReadTableMetadata(const FileIO& io, const std::string& location);

}  // namespace atl::iceberg
