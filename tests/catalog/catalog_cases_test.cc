// The catalog behaviour suite for the catalogs that need no server: memory, in-bucket over
// the memory and local stores, SQLite. (The multi-process race and PostgreSQL run in
// catalog_servers_test.)
#include "catalog/catalog_behaviour.h"

namespace atl::catalog::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Catalogs, CatalogBehaviour,
                         ::testing::Values(MemoryCase(), InBucketMemoryStoreCase(),
                                           InBucketLocalStoreCase(), SqliteCase()),
                         CaseName);

}  // namespace
}  // namespace atl::catalog::testing
