# Scan planning: filter expressions (parse, bind, evaluate over file metadata), PlanScan,
# Puffin files and deletion vectors, and loading a table from a folder of files.
list(APPEND ATOLL_ICEBERG_SOURCES
     expression.cc expression_parse.cc expression_eval.cc scan.cc puffin.cc table_folder.cc)
