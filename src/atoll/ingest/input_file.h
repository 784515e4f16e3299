// Input files of prepare/: format detection and fetching into a local file.
//
// Formats are detected from the key's extension (".csv", ".tsv", ".json", ".ndjson",
// ".jsonl", ".avro", ".parquet", each text format optionally followed by ".gz"/".gzip" or
// ".zst"/".zstd"); when the extension says nothing, from the content: gzip and zstd
// magic numbers, "Obj\x01" (Avro), "PAR1" (Parquet), '[' (JSON array), '{' (NDJSON),
// anything else CSV (DuckDB's sniffer then finds the dialect).
//
// FetchToLocal copies an object into a local file, decompressing gzip (every member of a
// multi-member file) or zstd as it streams. It never holds more than one chunk in memory
// and stops with kInvalidArgument ("... exceeds the limit of N bytes") once the output
// passes `max_bytes`, so a decompression bomb costs at most max_bytes of local disk.
//
// Thread safety: the functions may be called concurrently for different files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/ingest/json_guard.h"
#include "atoll/storage/store.h"

namespace atl::lake {

enum class FileFormat { kUnknown, kCsv, kTsv, kJson, kNdjson, kAvro, kParquet, kOrc };
enum class Compression { kNone, kGzip, kZstd };

std::string_view FileFormatName(FileFormat format);  // "csv", ...; "unknown"
// "csv" → kCsv, ...; kUnknown for other names.
FileFormat FileFormatFromName(std::string_view name);

struct DetectedFormat {
  FileFormat format = FileFormat::kUnknown;  // kUnknown: sniff the content
  Compression compression = Compression::kNone;
};

// From the extension of `key`'s last segment (case-insensitive).
DetectedFormat DetectFromName(std::string_view key);

// Compression from the first bytes of a file.
Compression SniffCompression(std::string_view head);
// Format from the first (decompressed) bytes of a file.
FileFormat SniffFormat(std::string_view head);

// Copies `key` into the local file `path`, decompressing per `compression`. Returns the
// number of bytes written. kInvalidArgument when the output would exceed `max_bytes` or
// the compressed data is malformed or truncated; store errors are returned as they are.
Result<uint64_t> FetchToLocal(storage::Store& store, std::string_view key, Compression compression,
                              const std::string& path, uint64_t max_bytes);

// The first `n` bytes of a local file (fewer when it is shorter).
Result<std::string> ReadLocalHead(const std::string& path, size_t n);

// Refuses, before DuckDB reads it, content of the local (uncompressed) file `path` that
// would crash DuckDB or load as junk columns that stay in the table's schema for good.
// kInvalidArgument with a reason naming the cause:
//   - CSV/TSV: only whitespace; binary content (a NUL byte, or control characters in more
//     than 1 of 100 bytes, within the first 64 KiB); JSON content (its first line is a
//     JSON object or array: a file saved with the wrong extension);
//   - JSON/NDJSON: only whitespace, nesting or a document beyond `json` (json_guard.h);
//   - Parquet: no "PAR1" magic at its start and end.
// Errors reading the file itself are returned as they are (kIOError, kNotFound).
Status CheckInputContent(const std::string& path, FileFormat format, const JsonLimits& json);

// For a CSV/TSV file whose columns DuckDB's sniffer could not take from a consistent
// header: read as one column, or as `columns` columns named column0, column1, ... (rows
// padded with NULLs). kInvalidArgument when its records (within the first 64 KiB) have
// different numbers of fields for one of `delimiters`, naming the first line that
// differs from the first line; with one column, also when the first line merely holds a
// delimiter (outside quotes): no dialect fits, and each whole line would be one junk
// column. OK otherwise (e.g. a true single-column file, a consistent file without header).
Status CheckRaggedCsv(const std::string& path, std::string_view delimiters, size_t columns);

}  // namespace atl::lake
