# iceberg_scan(): the table function reading Iceberg tables through DuckDB (SQL generation
# from a scan plan, table loading and path mapping).
list(APPEND ATOLL_TABLE_SOURCES iceberg_scan_sql.cc iceberg_scan.cc)
