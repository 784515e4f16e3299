# Parquet data files of Iceberg tables: metrics from footers, and the writer.
list(APPEND ATOLL_TABLE_SOURCES parquet_metrics.cc data_writer.cc)
