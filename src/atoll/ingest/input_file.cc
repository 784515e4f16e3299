#include "atoll/ingest/input_file.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace atl::lake {

namespace {

constexpr uint64_t kChunk = uint64_t{8} << 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

// Writes decompressed bytes to a file, enforcing the size limit.
class LimitedWriter {
 public:
  LimitedWriter(FILE* f, std::string path, uint64_t max_bytes, std::string key)
      : f_(f), path_(std::move(path)), max_(max_bytes), key_(std::move(key)) {}
  Status Write(const char* data, size_t n) {
    if (n == 0) return Status::OK();
    if (written_ + n > max_) {
      return InvalidArgument("'", key_, "': decompressed size exceeds the limit of ", max_,
                             " bytes (prepare.max_decompressed_bytes)");
    }
    if (std::fwrite(data, 1, n, f_) != n) return ErrnoToStatus(errno, StrCat("writing ", path_));
    written_ += n;
    return Status::OK();
  }
  uint64_t written() const { return written_; }

 private:
  FILE* f_;
  std::string path_;
  uint64_t max_;
  std::string key_;
  uint64_t written_ = 0;
};

// Feeds the object chunk by chunk to `consume(chunk, last)`.
template <typename Consume>
Status ForEachChunk(storage::Store& store, std::string_view key, Consume consume) {
  uint64_t offset = 0;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(std::string chunk,
                           store.Get(key, storage::ByteRange::Slice(offset, kChunk)));
    const bool last = chunk.size() < kChunk;
    offset += chunk.size();
    ATOLL_RETURN_NOT_OK(consume(chunk, last));
    if (last) return Status::OK();
  }
}

Status Gunzip(storage::Store& store, std::string_view key, LimitedWriter& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Internal("inflateInit2 failed");
  std::unique_ptr<z_stream, void (*)(z_stream*)> guard(&z, [](z_stream* s) { inflateEnd(s); });
  std::vector<char> buf(1 << 20);
  bool in_member = false;  // inside a gzip member that has not ended
  Status st = ForEachChunk(store, key, [&](const std::string& chunk, bool) -> Status {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(chunk.size());
    bool pending = false;  // the output buffer was filled: more output may be waiting
    while (z.avail_in > 0 || pending) {
      if (z.avail_in > 0) in_member = true;
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      int rc = inflate(&z, Z_NO_FLUSH);
      ATOLL_RETURN_NOT_OK(out.Write(buf.data(), buf.size() - z.avail_out));
      if (rc == Z_STREAM_END) {
        in_member = false;
        pending = false;
        if (inflateReset(&z) != Z_OK) return Internal("inflateReset failed");
        continue;
      }
      if (rc == Z_BUF_ERROR) break;  // no progress possible without more input
      if (rc != Z_OK) {
        return InvalidArgument("'", key, "': malformed gzip data (",
                               z.msg != nullptr ? z.msg : "error", ")");
      }
      pending = z.avail_out == 0;
    }
    return Status::OK();
  });
  ATOLL_RETURN_NOT_OK(st);
  if (in_member) return InvalidArgument("'", key, "': truncated gzip data");
  return Status::OK();
}

Status Unzstd(storage::Store& store, std::string_view key, LimitedWriter& out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return Internal("ZSTD_createDCtx failed");
  // Bound the window a frame may ask for (the default limit, stated explicitly).
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 27);
  std::vector<char> buf(ZSTD_DStreamOutSize());
  size_t hint = 0;
  bool any = false;
  Status st = ForEachChunk(store, key, [&](const std::string& chunk, bool) -> Status {
    ZSTD_inBuffer in{chunk.data(), chunk.size(), 0};
    any = any || !chunk.empty();
    while (true) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      hint = ZSTD_decompressStream(ctx.get(), &o, &in);
      if (ZSTD_isError(hint)) {
        return InvalidArgument("'", key, "': malformed zstd data (", ZSTD_getErrorName(hint), ")");
      }
      ATOLL_RETURN_NOT_OK(out.Write(buf.data(), o.pos));
      // Done with this chunk when all input is consumed and the output buffer was not filled.
      if (in.pos == in.size && o.pos < o.size) break;
    }
    return Status::OK();
  });
  ATOLL_RETURN_NOT_OK(st);
  if (!any) return InvalidArgument("'", key, "': empty zstd file");
  if (hint != 0) return InvalidArgument("'", key, "': truncated zstd data");
  return Status::OK();
}

bool IsTextSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// A control character that has no business in a text file. 0x01-0x03 are the field,
// collection and map delimiters of Hive's text format, so they count as text.
bool IsBinaryControl(unsigned char c) {
  return (c < 0x20 && c > 0x03 && !IsTextSpace(static_cast<char>(c))) || c == 0x7f;
}

// True when the file holds nothing but whitespace (and a UTF-8 byte order mark), reading
// on from `head` (its first bytes) only as long as that is the case.
Result<bool> OnlyWhitespace(const std::string& path, const std::string& head) {
  size_t start = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (size_t i = start; i < head.size(); ++i) {
    if (!IsTextSpace(head[i])) return false;
  }
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return ErrnoToStatus(errno, StrCat("opening ", path));
  if (std::fseek(f.get(), static_cast<long>(head.size()), SEEK_SET) != 0) {
    return ErrnoToStatus(errno, StrCat("reading ", path));
  }
  std::vector<char> buf(1 << 16);
  while (size_t n = std::fread(buf.data(), 1, buf.size(), f.get())) {
    for (size_t i = 0; i < n; ++i) {
      if (!IsTextSpace(buf[i])) return false;
    }
  }
  if (std::ferror(f.get())) return ErrnoToStatus(errno, StrCat("reading ", path));
  return true;
}

// Whether `line` (a file's first line, without leading whitespace) is the start of JSON
// rather than a CSV header: a JSON object or array on its own, or "{" / "[" opening one
// over several lines, or an object or array whose first member is a string or container.
bool LooksLikeJson(std::string_view line) {
  while (!line.empty() && IsTextSpace(line.back())) line.remove_suffix(1);
  if (line.empty() || (line[0] != '{' && line[0] != '[')) return false;
  size_t next = 1;
  while (next < line.size() && IsTextSpace(line[next])) ++next;
  if (next == line.size()) return true;  // "{" or "[" alone
  const char c = line[next];
  if (line[0] == '{' && (c == '"' || c == '}')) return true;
  if (line[0] == '[' && (c == '{' || c == '[' || c == '"' || c == ']')) return true;
  return nlohmann::json::accept(line);  // e.g. [1, 2.5, true]; the parser is not recursive
}

Status CheckDelimitedText(const std::string& path, const std::string& head) {
  ATOLL_ASSIGN_OR_RETURN(bool blank, OnlyWhitespace(path, head));
  if (blank) return InvalidArgument("the file holds only whitespace (no header, no rows)");
  if (size_t nul = head.find('\0'); nul != std::string::npos) {
    return InvalidArgument("binary content, not CSV text: a NUL byte at byte ", nul);
  }
  size_t controls = 0;
  for (char c : head) controls += IsBinaryControl(static_cast<unsigned char>(c)) ? 1 : 0;
  if (controls >= 2 && controls * 100 > head.size()) {
    return InvalidArgument("binary content, not CSV text: ", controls,
                           " control characters in the first ", head.size(), " bytes");
  }
  size_t start = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (start < head.size() && IsTextSpace(head[start])) ++start;
  std::string_view first(head);
  first = first.substr(start, first.find('\n', start) - start);
  if (LooksLikeJson(first)) {
    return InvalidArgument("the file holds JSON, not CSV (its first line starts with '",
                           std::string(1, first[0]),
                           "'): name it .json or .ndjson, or set the table option \"format\"");
  }
  return Status::OK();
}

// Each record of `text` (split at `delim`, outside double quotes; a quoted field may span
// lines) as its number of fields and the line it starts on (from 1); the last record only
// when it is complete.
std::vector<std::pair<size_t, size_t>> FieldCounts(std::string_view text, char delim) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t fields = 1, line = 1, start = 1;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == delim) {
      ++fields;
    }
    if (c == '\n') {
      ++line;
      if (!quoted) {
        out.emplace_back(fields, start);
        fields = 1;
        start = line;
      }
    }
  }
  return out;
}

Status CheckParquetMagic(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return ErrnoToStatus(errno, StrCat("opening ", path));
  // "PAR1", the file metadata, its 4-byte length, "PAR1".
  char start[4] = {}, end[4] = {};
  const bool read_start = std::fread(start, 1, 4, f.get()) == 4;
  const bool read_end = read_start && std::fseek(f.get(), 0, SEEK_END) == 0 &&
                        std::ftell(f.get()) >= 12 && std::fseek(f.get(), -4, SEEK_END) == 0 &&
                        std::fread(end, 1, 4, f.get()) == 4;
  if (!read_end || std::string_view(start, 4) != "PAR1" || std::string_view(end, 4) != "PAR1") {
    return InvalidArgument(
        "not a Parquet file: it does not start and end with the magic bytes \"PAR1\"");
  }
  return Status::OK();
}

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kTsv:
      return "tsv";
    case FileFormat::kJson:
      return "json";
    case FileFormat::kNdjson:
      return "ndjson";
    case FileFormat::kAvro:
      return "avro";
    case FileFormat::kParquet:
      return "parquet";
    case FileFormat::kOrc:
      return "orc";
    case FileFormat::kUnknown:
      break;
  }
  return "unknown";
}

FileFormat FileFormatFromName(std::string_view name) {
  for (FileFormat f : {FileFormat::kCsv, FileFormat::kTsv, FileFormat::kJson, FileFormat::kNdjson,
                       FileFormat::kAvro, FileFormat::kParquet, FileFormat::kOrc}) {
    if (FileFormatName(f) == name) return f;
  }
  return FileFormat::kUnknown;
}

DetectedFormat DetectFromName(std::string_view key) {
  size_t slash = key.rfind('/');
  std::string name = Lower(slash == std::string_view::npos ? key : key.substr(slash + 1));
  DetectedFormat out;
  if (name.ends_with(".gz")) {
    out.compression = Compression::kGzip;
    name.resize(name.size() - 3);
  } else if (name.ends_with(".gzip")) {
    out.compression = Compression::kGzip;
    name.resize(name.size() - 5);
  } else if (name.ends_with(".zst")) {
    out.compression = Compression::kZstd;
    name.resize(name.size() - 4);
  } else if (name.ends_with(".zstd")) {
    out.compression = Compression::kZstd;
    name.resize(name.size() - 5);
  }
  struct Ext {
    std::string_view ext;
    FileFormat format;
  };
  static constexpr Ext kExts[] = {
      {".csv", FileFormat::kCsv},       {".tsv", FileFormat::kTsv},
      {".tab", FileFormat::kTsv},       {".json", FileFormat::kJson},
      {".ndjson", FileFormat::kNdjson}, {".jsonl", FileFormat::kNdjson},
      {".avro", FileFormat::kAvro},     {".parquet", FileFormat::kParquet},
      {".orc", FileFormat::kOrc}};
  for (const Ext& e : kExts) {
    if (name.ends_with(e.ext)) out.format = e.format;
  }
  return out;
}

Compression SniffCompression(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    return Compression::kGzip;
  }
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4))
    return Compression::kZstd;
  return Compression::kNone;
}

FileFormat SniffFormat(std::string_view head) {
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("Obj\x01", 4))
    return FileFormat::kAvro;
  if (head.size() >= 4 && head.starts_with("PAR1")) return FileFormat::kParquet;
  if (head.size() >= 3 && head.starts_with("ORC")) return FileFormat::kOrc;
  size_t i = 0;
  if (head.size() >= 3 && head.starts_with("\xEF\xBB\xBF")) i = 3;  // UTF-8 BOM
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < head.size() && head[i] == '[') return FileFormat::kJson;
  if (i < head.size() && head[i] == '{') return FileFormat::kNdjson;
  return FileFormat::kCsv;
}

Result<uint64_t> FetchToLocal(storage::Store& store, std::string_view key, Compression compression,
                              const std::string& path, uint64_t max_bytes) {
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) return ErrnoToStatus(errno, StrCat("creating ", path));
  LimitedWriter out(f.get(), path, max_bytes, std::string(key));
  switch (compression) {
    case Compression::kNone:
      ATOLL_RETURN_NOT_OK(ForEachChunk(store, key, [&](const std::string& chunk, bool) {
        return out.Write(chunk.data(), chunk.size());
      }));
      break;
    case Compression::kGzip:
      ATOLL_RETURN_NOT_OK(Gunzip(store, key, out));
      break;
    case Compression::kZstd:
      ATOLL_RETURN_NOT_OK(Unzstd(store, key, out));
      break;
  }
  if (std::fclose(f.release()) != 0) return ErrnoToStatus(errno, StrCat("closing ", path));
  return out.written();
}

Result<std::string> ReadLocalHead(const std::string& path, size_t n) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return ErrnoToStatus(errno, StrCat("opening ", path));
  std::string out(n, '\0');
  size_t got = std::fread(out.data(), 1, n, f.get());
  out.resize(got);
  return out;
}

Status CheckRaggedCsv(const std::string& path, std::string_view delimiters, size_t columns) {
  ATOLL_ASSIGN_OR_RETURN(std::string head, ReadLocalHead(path, size_t{64} << 10));
  std::string_view text(head);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  // The delimiter: with one column, the candidate the first line holds most often; with
  // more, the first candidate giving some record that many fields.
  char delim = 0;
  std::vector<std::pair<size_t, size_t>> records;
  for (char candidate : delimiters) {
    auto r = FieldCounts(text, candidate);
    if (r.empty()) continue;
    size_t widest = 0;
    for (const auto& record : r) widest = std::max(widest, record.first);
    const bool fits = columns > 1 ? widest == columns && delim == 0
                                  : r[0].first > 1 && (delim == 0 || r[0].first > records[0].first);
    if (fits) {
      delim = candidate;
      records = std::move(r);
    }
  }
  if (delim == 0) return Status::OK();
  const std::string shown = delim == '\t' ? "tab" : StrCat("'", std::string(1, delim), "'");
  const size_t first = records[0].first;
  for (const auto& [fields, line] : records) {
    if (fields != first) {
      return InvalidArgument("rows with different numbers of fields: line ", line, " has ", fields,
                             ", the first line has ", first, " (separated by ", shown, ")");
    }
  }
  if (columns > 1) return Status::OK();
  return InvalidArgument("no consistent CSV dialect: the first line has ", first,
                         " fields separated by ", shown, ", but the rows do not");
}

Status CheckInputContent(const std::string& path, FileFormat format, const JsonLimits& json) {
  switch (format) {
    case FileFormat::kCsv:
    case FileFormat::kTsv: {
      ATOLL_ASSIGN_OR_RETURN(std::string head, ReadLocalHead(path, size_t{64} << 10));
      return CheckDelimitedText(path, head);
    }
    case FileFormat::kJson:
      return CheckJsonFile(path, JsonLayout::kAuto, json);
    case FileFormat::kNdjson:
      return CheckJsonFile(path, JsonLayout::kLines, json);
    case FileFormat::kParquet:
      return CheckParquetMagic(path);
    default:
      return Status::OK();
  }
}

}  // namespace atl::lake
