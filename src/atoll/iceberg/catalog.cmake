# The catalog interface's names (catalog.h) and the default, in-bucket catalog. The SQL
# catalogs (SQLite, PostgreSQL) are in src/atoll/catalog/.
list(APPEND ATOLL_ICEBERG_SOURCES catalog_names.cc in_bucket_catalog.cc)
