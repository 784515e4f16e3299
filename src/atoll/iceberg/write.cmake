# Writes and commits: the in-memory catalog, tables, transactions, the commit protocol,
# snapshot production, manifest writing and merging; maintenance (expire, orphans, rewrite).
list(APPEND ATOLL_ICEBERG_SOURCES
    memory_catalog.cc commit.cc manifest_encoder.cc manifest_merge.cc snapshot_producer.cc
    transaction.cc table.cc maintenance.cc)
