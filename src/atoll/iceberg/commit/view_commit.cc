#include "atoll/iceberg/commit/view_commit.h"

#include "atoll/iceberg/commit/commit.h"

namespace atl::iceberg {

namespace {

// Writes `metadata` as file number `version` under its location.
Result<std::string> WriteViewFile(const FileIO& io, const ViewMetadata& metadata, int64_t version) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, metadata.ToJsonString());
  std::string location = MetadataFileLocation(metadata.location, version, RandomUuid());
  ATOLL_RETURN_NOT_OK(WriteNewFile(io, location, std::move(text)));
  return location;
}

}  // namespace

Result<LoadedView> CreateIcebergView(Catalog& catalog, const FileIO& io, const TableIdentifier& id,
                                     ViewMetadata metadata) {
  const std::string what = StrCat("creating view '", id.ToString(), "'");
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string location, WriteViewFile(io, metadata, 0), what);
  Status st = catalog.CreateView(id, location);
  if (st.code() == StatusCode::kUnknownOutcome) {
    Result<std::string> now = catalog.LoadViewMetadataLocation(id);
    if (now.ok() && *now == location) st = Status::OK();
  }
  if (!st.ok()) {
    if (st.code() != StatusCode::kUnknownOutcome) (void)io.Delete({location});
    return st.WithContext(what);
  }
  return LoadedView{std::move(metadata), std::move(location)};
}

Result<LoadedView> LoadIcebergView(Catalog& catalog, const FileIO& io, const TableIdentifier& id) {
  ATOLL_ASSIGN_OR_RETURN(std::string location, catalog.LoadViewMetadataLocation(id));
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string text, io.Read(location),
                             StrCat("reading the metadata of view '", id.ToString(), "'"));
  ATOLL_ASSIGN_OR_RETURN(ViewMetadata metadata, ViewMetadata::Parse(text, location));
  return LoadedView{std::move(metadata), std::move(location)};
}

Result<LoadedView> CommitIcebergView(Catalog& catalog, const FileIO& io, const TableIdentifier& id,
                                     const LoadedView& base, ViewMetadata next) {
  const std::string what = StrCat("committing view '", id.ToString(), "'");
  const int64_t version = MetadataFileVersion(base.metadata_location).value_or(0) + 1;
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string location, WriteViewFile(io, next, version), what);
  Status st = catalog.SwapViewMetadataLocation(id, base.metadata_location, location);
  if (st.code() == StatusCode::kUnknownOutcome) {
    Result<std::string> now = catalog.LoadViewMetadataLocation(id);
    if (now.ok() && *now == location) st = Status::OK();
  }
  if (!st.ok()) {
    if (st.code() != StatusCode::kUnknownOutcome) (void)io.Delete({location});
    return st.WithContext(what);
  }
  return LoadedView{std::move(next), std::move(location)};
}

}  // namespace atl::iceberg
