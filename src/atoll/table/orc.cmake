# ORC files through the engine: ORC → DuckDB table (Appender) → Parquet with Iceberg field
# ids, used by prepare/ ingestion and by iceberg_scan for ORC data files.
list(APPEND ATOLL_TABLE_SOURCES orc_table.cc orc_parquet_cache.cc)
