// Internal to the engine layer: serves "<scheme>bucket/key" paths inside DuckDB from
// atl::storage::Store objects. Only store_file_system.cc includes DuckDB's C++ API.
//
// How DuckDB file operations map onto the store:
//   open for reading   Head (size, etag, mtime); kNotFound becomes "No such file"
//   read               ranged Get; reads smaller than read_ahead/4 fetch `read_ahead`
//                      bytes into a per-handle buffer (towards the end of the object when
//                      near it, so a Parquet footer is one request); larger reads are
//                      fetched exactly, so a Parquet scan gets only the column chunks it needs.
//                      The object is assumed not to change while it is read (a size
//                      mismatch is reported as an error).
//   glob               List of the literal prefix before the first wildcard, then matched
//                      (* and ? within one path segment, ** across segments, [...] sets)
//   exists / list dir  Head / List with delimiter "/"
//   write (COPY TO)    bytes go to a local temporary file; when DuckDB closes the file it
//                      is uploaded with one Store::Put(Body::FromFile) (the S3 store sends
//                      large files as parallel multipart parts); a handle destroyed without
//                      Close (a failed query) uploads nothing
//   remove             DeleteMany of the one key
//   move               Copy, then delete the source
// A store error becomes a DuckDB IO error whose text is the Status ("IO Error: reading
// s3://b/k: Unavailable: ..."), so the engine can map the code back (see engine.cc).
//
// Reaching DuckDB's DatabaseInstance from a C-API duckdb_database: the C API's handle
// points at duckdb::DatabaseWrapper (duckdb/main/capi/capi_internal.hpp, shipped in
// DuckDB's include tree), which holds the shared_ptr<DuckDB>; the file system is
// registered on that instance's VirtualFileSystem with RegisterSubSystem.
#pragma once

#include <cstdint>
#include <string>

#include "atoll/common/status.h"
#include "atoll/engine/engine.h"

struct _duckdb_database;  // the C API's opaque database handle (duckdb.h)

namespace atl::engine::internal {

struct StoreFileSystemOptions {
  std::string scheme;  // "s3://"
  StoreResolver resolver;
  std::string upload_buffer_directory;  // "" = $TMPDIR or /tmp
  uint64_t read_ahead = 1 << 20;
};

// Registers a file system for `options.scheme` on `database`. kAlreadyExists when one is
// already registered for that scheme; kInvalidArgument for an empty scheme or resolver.
Status RegisterStoreFileSystem(_duckdb_database* database, StoreFileSystemOptions options);

}  // namespace atl::engine::internal
