#include "atoll/iceberg/commit/table.h"

#include <unordered_map>

#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/iceberg/commit/table_metadata_builder.h"

namespace atl::iceberg {
namespace {

// Pairs the field ids of two trees of the same shape (before and after AssignFreshIds).
void MapIds(const std::vector<NestedField>& before, const std::vector<NestedField>& after,
            std::unordered_map<int32_t, int32_t>* ids) {
  for (size_t i = 0; i < before.size() && i < after.size(); ++i) {
    (*ids)[before[i].id] = after[i].id;
    if (before[i].type && after[i].type)
      MapIds(before[i].type->fields(), after[i].type->fields(), ids);
  }
}

Result<int32_t> Renumber(const std::unordered_map<int32_t, int32_t>& ids, int32_t id,
                         const char* what) {
  auto it = ids.find(id);
  if (it == ids.end())
    return InvalidArgument(what, " names column id ", id, ", which the schema does not have");
  return it->second;
}

std::string IdText(const TableIdentifier& id) {
  std::string out;
  for (const std::string& level : id.ns) out += level + ".";
  return out + id.name;
}

}  // namespace

Result<TableMetadata> ReadTableMetadata(const FileIO& io, const std::string& location) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, io.Read(location));
  return TableMetadata::Parse(text, location);
}

Table::Table(std::shared_ptr<Catalog> catalog, std::shared_ptr<const FileIO> io, TableIdentifier id,
             CommitEnv env, TableMetadata metadata, std::string metadata_location)
    : catalog_(std::move(catalog)),
      io_(std::move(io)),
      id_(std::move(id)),
      env_(env.WithDefaults()),
      metadata_(std::move(metadata)),
      metadata_location_(std::move(metadata_location)) {}

void Table::Update(TableMetadata metadata, std::string metadata_location) {
  metadata_ = std::move(metadata);
  metadata_location_ = std::move(metadata_location);
}

Result<Table> Table::Load(std::shared_ptr<Catalog> catalog, std::shared_ptr<const FileIO> io,
                          TableIdentifier id, CommitEnv env) {
  ATOLL_ASSIGN_OR_RETURN(std::string location, catalog->LoadMetadataLocation(id));
  ATOLL_ASSIGN_OR_RETURN_CTX(TableMetadata metadata, ReadTableMetadata(*io, location),
                             "loading table '" + IdText(id) + "'");
  return Table(std::move(catalog), std::move(io), std::move(id), std::move(env),
               std::move(metadata), std::move(location));
}

Status Table::Refresh() {
  ATOLL_ASSIGN_OR_RETURN(std::string location, catalog_->LoadMetadataLocation(id_));
  if (location == metadata_location_) return Status::OK();
  ATOLL_ASSIGN_OR_RETURN_CTX(TableMetadata metadata, ReadTableMetadata(*io_, location),
                             "refreshing table '" + IdText(id_) + "'");
  Update(std::move(metadata), std::move(location));
  return Status::OK();
}

Result<Table> Table::Create(std::shared_ptr<Catalog> catalog, std::shared_ptr<const FileIO> io,
                            TableIdentifier id, const CreateTableOptions& options,
                            CommitEnv env_in) {
  const CommitEnv env = env_in.WithDefaults();
  ATOLL_ASSIGN_OR_RETURN(TableMetadata metadata, NewMetadata(*catalog, id, options, env));
  return CreateWithMetadata(std::move(catalog), std::move(io), std::move(id), std::move(metadata),
                            env);
}

Result<TableMetadata> Table::NewMetadata(Catalog& catalog, const TableIdentifier& id,
                                         const CreateTableOptions& options, CommitEnv env_in) {
  const CommitEnv env = env_in.WithDefaults();
  // Fresh field ids, and the references to them renumbered.
  int32_t next_id = 0;
  TypePtr fresh = AssignFreshIds(options.schema.AsStruct(), &next_id);
  std::unordered_map<int32_t, int32_t> ids;
  MapIds(options.schema.fields(), fresh->fields(), &ids);
  std::vector<int32_t> identifiers;
  for (int32_t f : options.schema.identifier_field_ids()) {
    ATOLL_ASSIGN_OR_RETURN(int32_t n, Renumber(ids, f, "an identifier field"));
    identifiers.push_back(n);
  }
  ATOLL_ASSIGN_OR_RETURN(Schema schema, Schema::Make(0, fresh->fields(), identifiers));
  std::vector<UnboundPartitionField> partition = options.partition;
  for (UnboundPartitionField& f : partition) {
    for (int32_t& s : f.source_ids) {
      ATOLL_ASSIGN_OR_RETURN(s, Renumber(ids, s, ("partition field '" + f.name + "'").c_str()));
    }
  }
  SortOrder order = options.sort_order;
  for (SortField& f : order.fields) {
    for (int32_t& s : f.source_ids) {
      ATOLL_ASSIGN_OR_RETURN(s, Renumber(ids, s, "a sort field"));
    }
  }
  std::string location;
  if (options.location) {
    location = *options.location;
  } else {
    ATOLL_ASSIGN_OR_RETURN(location, catalog.DefaultTableLocation(id));
  }
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  return TableMetadataBuilder::NewTable(schema, partition, order, location, options.properties,
                                        env.new_uuid(), env.now_ms(), options.format_version);
}

Result<Table> Table::CreateWithMetadata(std::shared_ptr<Catalog> catalog,
                                        std::shared_ptr<const FileIO> io, TableIdentifier id,
                                        TableMetadata metadata, CommitEnv env_in) {
  const CommitEnv env = env_in.WithDefaults();
  const std::string location = metadata.location;
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string metadata_location,
                             WriteFirstMetadataFile(*io, metadata, env),
                             "creating table '" + IdText(id) + "'");
  Status st = catalog->CreateTable(id, metadata_location);
  if (st.code() == StatusCode::kUnknownOutcome) {
    Result<std::string> now = catalog->LoadMetadataLocation(id);
    if (now.ok() && *now == metadata_location) st = Status::OK();
  }
  if (!st.ok()) {
    if (st.code() != StatusCode::kUnknownOutcome) (void)io->Delete({metadata_location});
    return st.WithContext("creating table '" + IdText(id) + "'");
  }
  WriteVersionHint(*io, location, metadata_location);
  return Table(std::move(catalog), std::move(io), std::move(id), env, std::move(metadata),
               std::move(metadata_location));
}

}  // namespace atl::iceberg
