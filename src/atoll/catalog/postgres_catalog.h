// The PostgreSQL catalog: the JDBC catalog's tables (sql_catalog.h) in a PostgreSQL
// database, shared by machines and by other engines' JDBC catalogs.
//
// `uri` is a libpq connection URI ("postgresql://user@127.0.0.1:5432/db"; key=value
// strings work too). A connect timeout of 10 s applies unless the URI sets one. Statements
// run with bound parameters only. Passwords are never repeated in messages.
//
// Errors: kUnavailable when the server cannot be reached; a connection lost while a
// statement that commits runs (a swap, the COMMIT of a transaction) gives kUnknownOutcome.
//
// Thread safety: as SqlCatalog (every method may be called concurrently). A process that
// forks must open its own catalog in the child (connections are not shared across fork).
#pragma once

#include <memory>
#include <string>

#include "atoll/catalog/sql_catalog.h"

namespace atl::catalog {

Result<std::unique_ptr<SqlCatalog>> OpenPostgresCatalog(const std::string& uri,
                                                        SqlCatalogOptions options = {});

// `uri` without a password ("postgresql://user@host/db"), for messages.
std::string RedactPostgresUri(const std::string& uri);

}  // namespace atl::catalog
