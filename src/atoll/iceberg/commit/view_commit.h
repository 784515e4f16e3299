// Iceberg views in a catalog: loading the current metadata, creating a view and committing
// a new version, the view counterparts of Table::Load / Table::Create / a table commit.
//
//   CreateIcebergView  writes <location>/metadata/00000-<uuid>.metadata.json and registers
//                      it (Catalog::CreateView); when the catalog refuses (kAlreadyExists:
//                      a view or a table of the name), the file is deleted again.
//   LoadIcebergView    the view's pointer, then its metadata file (ViewMetadata::Parse:
//                      kCorruption naming the file).
//   CommitIcebergView  writes <location>/metadata/<base's number + 1>-<uuid>.metadata.json
//                      and swaps the pointer from the base's file to it
//                      (Catalog::SwapViewMetadataLocation). kCommitConflict when another
//                      writer replaced the view since `base` was loaded (no retry: the
//                      caller derives its version again from the new base); on a definite
//                      failure the new file is deleted; on kUnknownOutcome (unless the
//                      pointer read back names the new file: then OK) it is kept.
//
// Thread safety: as the catalog and FileIO (safe from many threads and processes).
#pragma once

#include <string>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/view_metadata.h"

namespace atl::iceberg {

struct LoadedView {
  ViewMetadata metadata;
  std::string metadata_location;
};

Result<LoadedView> CreateIcebergView(Catalog& catalog, const FileIO& io, const TableIdentifier& id,
                                     ViewMetadata metadata);
Result<LoadedView> LoadIcebergView(Catalog& catalog, const FileIO& io, const TableIdentifier& id);
Result<LoadedView> CommitIcebergView(Catalog& catalog, const FileIO& io, const TableIdentifier& id,
                                     const LoadedView& base, ViewMetadata next);

}  // namespace atl::iceberg
