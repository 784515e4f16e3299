// The SQLite catalog: the JDBC catalog's tables (sql_catalog.h) in one SQLite file, for a
// lake whose store cannot do conditional writes, or that wants its catalog on local disk.
//
// The database is opened in WAL mode with synchronous=FULL (a commit reported OK survives
// a power loss) and a busy timeout (SqlCatalogOptions::busy_timeout_ms), so several
// threads and processes on one machine can share it; write transactions take the write
// lock up front (BEGIN IMMEDIATE). LIKE is made case-sensitive, as namespace names are.
// The file must be on a local file system (WAL needs shared memory; not NFS).
//
// Errors: kIOError when the file cannot be opened or created; kUnavailable when the
// database stayed locked for longer than the busy timeout.
//
// Thread safety: as SqlCatalog (every method may be called concurrently).
#pragma once

#include <memory>
#include <string>

#include "atoll/catalog/sql_catalog.h"

namespace atl::catalog {

// Opens (creating when missing) the catalog database at `path`.
Result<std::unique_ptr<SqlCatalog>> OpenSqliteCatalog(const std::string& path,
                                                      SqlCatalogOptions options = {});

}  // namespace atl::catalog
