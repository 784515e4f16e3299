// The versions of source files: a source (a file of prepare/ or load/) is deleted, or
// committed, only while it still is the version that was listed and read.
//
// Files in prepare/ are written by other people's tools: a slow `cp`, an export job
// appending rows, an S3 client overwriting an object. A version is a file's size and
// etag as the store lists them (a local lake's etag encodes inode, size and mtime in
// nanoseconds; S3's is the content hash), so any write shows as a new version. The rules:
//   - after the rows of a file were read and before they are committed, the file's
//     version is compared with the one listed: a file that changed meanwhile may have been
//     read half-written, so its rows are not committed and it is left for the next run;
//   - a source is deleted only when its version is still the one committed; a file
//     replaced after its rows were committed is a new version, left in place and loaded
//     in full by the next run (the ledger names sources by key and etag, so the new
//     version is new data to it).
// On a local lake a file that anyone else still holds open (a writer between two appends,
// LocalStore::OpenElsewhere) counts as changed before the commit: it is not committed
// until its writer has closed it, however long the writer pauses. (Deletes after the
// commit do not probe: a committed file left in place with its committed version would
// be taken again by another process.)
// What remains is the instant between a version check and the delete that follows, which
// object stores offer no way to close (there is no conditional delete); a file's first
// write after that instant is the writer's to repeat. PrepareSettings::min_age narrows
// the other race on object stores: a writer that pauses longer than a read takes.
//
// Thread safety: the functions may be called concurrently; each issues its Heads from a
// few threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/ingest/source_file.h"
#include "atoll/storage/store.h"

namespace atl::lake {

// The sources whose version differs now from the one given, or that are gone. Store
// errors other than kNotFound are returned.
Result<std::vector<SourceFile>> ChangedSources(storage::Store& store,
                                               const std::vector<SourceFile>& sources);

// Deletes the sources still holding the version given; returns the ones left in place
// because they changed (sources already gone are neither deleted nor returned).
// `deleted`, when given, receives the number of sources deleted.
Result<std::vector<SourceFile>> DeleteUnchanged(storage::Store& store,
                                                const std::vector<SourceFile>& sources,
                                                size_t* deleted = nullptr);

// DuckDB reads a path holding one of * ? [ ] { } as a glob pattern (read_parquet, on local
// and s3:// paths alike), which could read other files than the one named. Such a load/
// file is rejected with this reason; empty when `key` has none of them.
std::string GlobReason(std::string_view key);

}  // namespace atl::lake
