// Process-wide cache of ORC and Avro files converted to Parquet; see parquet_copy_cache.h.
#include "atoll/table/parquet_copy_cache.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "atoll/engine/engine.h"
#include "atoll/formats/avro/reader.h"
#include "atoll/formats/orc/reader.h"
#include "atoll/table/avro_table.h"
#include "atoll/table/orc_table.h"

namespace atl::table {

namespace {

std::atomic<int64_t> g_conversions{0};

// Lives until the process ends (never destroyed: DuckDB's own static objects may be gone
// by the time static destructors run); RemoveDirectory runs from an atexit handler.
class Cache {
 public:
  void RemoveDirectory() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  Result<std::string> Get(storage::Store& store, const std::string& key,
                          const std::string& location, DataFileFormat format) {
    ATOLL_ASSIGN_OR_RETURN_CTX(storage::ObjectInfo info, store.Head(key),
                               StrCat("reading ", location));
    const std::string cache_key =
        StrCat(location, '\n', info.size, '\n', info.etag, '\n', static_cast<int>(format));
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Cancelled("the process is exiting: no more conversions to Parquet");
    auto it = files_.find(cache_key);
    if (it != files_.end()) return it->second;
    ATOLL_RETURN_NOT_OK(Start());
    const std::string path = StrCat(dir_, "/", files_.size(), ".parquet");
    Status st = format == DataFileFormat::kAvro ? ConvertAvro(store, key, location, path)
                                                : Convert(store, key, location, info.size, path);
    if (!st.ok()) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      return st;
    }
    ++g_conversions;
    files_.emplace(cache_key, path);
    return path;
  }

 private:
  Status Start() {
    if (engine_) return Status::OK();
    if (dir_.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string templ =
          StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/atoll-copies-XXXXXX");
      if (mkdtemp(templ.data()) == nullptr) return ErrnoToStatus(errno, StrCat("creating ", templ));
      dir_ = templ;
    }
    engine::EngineOptions options;
    options.threads = 1;
    options.temp_directory = dir_ + "/duckdb";
    ATOLL_ASSIGN_OR_RETURN(engine_, engine::Engine::Open(options));
    return Status::OK();
  }

  Status Convert(storage::Store& store, const std::string& key, const std::string& location,
                 uint64_t size, const std::string& path) {
    orc::RandomAccessSource source;
    source.name = location;
    source.size = size;
    source.read = [&store, key](uint64_t offset, uint64_t length) -> Result<std::string> {
      if (length == 0) return std::string();
      return store.Get(key, storage::ByteRange::Slice(offset, length));
    };
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<orc::Reader> reader,
                           orc::Reader::Open(std::move(source)));
    const orc::Type& schema = reader->schema();
    if (schema.kind() == orc::TypeKind::kStruct && schema.num_children() == 0 &&
        reader->num_rows() == 0) {
      // A zero-length or column-less empty file (Hive writes them for empty buckets):
      // Parquet needs a column, and every table column reads as missing.
      return engine_->Execute(
          StrCat("COPY (SELECT NULL::INTEGER AS __atoll_no_columns LIMIT 0) TO ",
                 engine::QuoteString(path), " (FORMAT parquet)"));
    }
    OrcParquetOptions options;
    options.compression = "snappy";  // a scratch copy: fast to write and read
    return OrcToParquet(*engine_, *reader, path, options).status();
  }

  // The whole object is fetched (Avro has no index to read ranges by); blocks are bounded
  // by the reader's limits.
  Status ConvertAvro(storage::Store& store, const std::string& key, const std::string& location,
                     const std::string& path) {
    ATOLL_ASSIGN_OR_RETURN_CTX(std::string bytes, store.Get(key), StrCat("reading ", location));
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<avro::Reader> reader,
                           avro::Reader::OpenBuffer(std::move(bytes), location));
    return AvroToParquet(*engine_, *reader, location, path).status();
  }

  std::mutex mu_;
  bool closed_ = false;  // the directory is gone (exit)
  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::map<std::string, std::string> files_;  // cache key -> Parquet path
};

Cache* g_cache = nullptr;

void RemoveCacheDirectory() { g_cache->RemoveDirectory(); }

Cache& TheCache() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_cache = new Cache();  // reachable until exit, deliberately not freed
    std::atexit(RemoveCacheDirectory);
  });
  return *g_cache;
}

}  // namespace

Result<std::string> ParquetCopy(storage::Store& store, const std::string& key,
                                const std::string& location, DataFileFormat format) {
  return TheCache().Get(store, key, location, format);
}

Result<std::string> OrcAsParquet(storage::Store& store, const std::string& key,
                                 const std::string& location) {
  return ParquetCopy(store, key, location, DataFileFormat::kOrc);
}

int64_t ParquetCopyConversions() { return g_conversions.load(); }

}  // namespace atl::table
