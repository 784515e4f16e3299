// The bad-input corpus: generated files of every kind a landing zone receives from other
// people's tools (contents, encodings, names, depths, types, sizes), each with what the
// lake must do with it. bad_input_corpus_test.cc drops them all into one lake, runs one
// `atoll ingest`, and checks each case's outcome.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atl::lake::testing {

enum class Expect {
  kLoad,    // loaded: gone from prepare/, not rejected, at least `rows` rows in its table
  kReject,  // in _rejected/ with a reason matching `reason` (case-insensitive regex)
  kEither,  // loaded or rejected (when rejected, the reason must match `reason` if set)
  kStays,   // left in prepare/ (hidden files, files at a depth that names no table);
            // `warn` set: the run's output must mention the file
};

struct Case {
  std::string id;     // short label, unique
  std::string path;   // relative to prepare/: "<db>/<table>/<file>" (or another depth)
  std::string bytes;  // the file's content
  Expect expect = Expect::kEither;
  std::string reason;      // regex the rejection reason must match (empty: any non-empty)
  int64_t rows = -1;       // kLoad: rows the file holds (-1: any number)
  bool sibling = false;    // a good CSV (id,marker) shares the table: it must load whatever
                           // happens to this file
  bool warn = false;       // kStays: the output names the file
  std::string symlink_to;  // non-empty: the file is a symbolic link to this absolute path
};

// The good sibling file's name and content: 3 rows whose `marker` is "good".
inline constexpr const char* kSiblingName = "0-good.csv";
std::string SiblingCsv();

// Every case; `parquet` maps a name to bytes of small Parquet files the caller made with
// DuckDB ("plain": id INTEGER, marker VARCHAR, 2 rows; "empty": 0 rows; "nested": a
// struct, a list and a map column, 2 rows; "odd_names": columns named with a quote, a
// space and ';', 1 row; "loaded_at": a column _etl_loaded_at, 1 row).
std::vector<Case> Corpus(const std::string& parquet_plain, const std::string& parquet_empty,
                         const std::string& parquet_nested, const std::string& parquet_odd_names,
                         const std::string& parquet_loaded_at);

// Compression helpers for building cases.
std::string Gzip(const std::string& data);
std::string Zstd(const std::string& data);

}  // namespace atl::lake::testing
