// The one translation unit that uses DuckDB's C++ API (duckdb.hpp takes ~7 s to compile).
// See store_file_system.h for the contract. Store errors are thrown as duckdb::IOException
// here and come out of the query as ordinary errors; nothing escapes RegisterStoreFileSystem.
#include "atoll/engine/store_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "duckdb.hpp"
#include "duckdb/main/capi/capi_internal.hpp"

namespace atl::engine::internal {
namespace {

using duckdb::FileHandle;
using duckdb::FileOpener;
using duckdb::FileOpenFlags;
using duckdb::idx_t;
using duckdb::optional_ptr;
using storage::ByteRange;
using storage::ObjectInfo;
using storage::Store;

[[noreturn]] void Throw(const std::string& what, const Status& status) {
  throw duckdb::IOException(what + ": " + status.ToString());
}

// True when `key` matches the glob `pattern`: '*' and '?' stay within a segment, "**"
// crosses segments ("a/**/b" also matches "a/b"), "[abc]", "[a-z]", "[!x]" are sets.
bool GlobMatch(std::string_view p, std::string_view k) {
  while (!p.empty()) {
    if (p.starts_with("**")) {
      std::string_view rest = p.substr(2);
      if (rest.starts_with("/") && GlobMatch(rest.substr(1), k)) return true;
      for (size_t i = 0; i <= k.size(); ++i) {
        if (GlobMatch(rest, k.substr(i))) return true;
      }
      return false;
    }
    if (p[0] == '*') {
      for (size_t i = 0; i <= k.size(); ++i) {
        if (GlobMatch(p.substr(1), k.substr(i))) return true;
        if (i < k.size() && k[i] == '/') break;
      }
      return false;
    }
    if (k.empty()) return false;
    if (p[0] == '?') {
      if (k[0] == '/') return false;
    } else if (p[0] == '[' && p.find(']', 2) != std::string_view::npos) {
      size_t close = p.find(']', 2);
      std::string_view set = p.substr(1, close - 1);
      bool negate = set[0] == '!' || set[0] == '^';
      if (negate) set.remove_prefix(1);
      bool found = false;
      for (size_t i = 0; i < set.size(); ++i) {
        if (i + 2 < set.size() && set[i + 1] == '-') {
          found |= set[i] <= k[0] && k[0] <= set[i + 2];
          i += 2;
        } else {
          found |= set[i] == k[0];
        }
      }
      if (found == negate || k[0] == '/') return false;
      p.remove_prefix(close);
    } else if (p[0] != k[0]) {
      return false;
    }
    p.remove_prefix(1);
    k.remove_prefix(1);
  }
  return k.empty();
}

class StoreFileHandle : public FileHandle {
 public:
  StoreFileHandle(duckdb::FileSystem& fs, const std::string& path, FileOpenFlags flags,
                  std::shared_ptr<Store> store, std::string key)
      : FileHandle(fs, path, flags), store(std::move(store)), key(std::move(key)) {}

  ~StoreFileHandle() override { Discard(); }

  // For a written file: uploads it (unless already uploaded since the last write).
  void Close() override {
    if (fd < 0) return;
    Upload();
    Discard();
  }

  void Upload() {
    if (fd < 0 || !dirty) return;
    Result<storage::Body> body = storage::Body::FromFile(temp_path);
    if (!body.ok()) Throw("writing " + path, body.status());
    Result<ObjectInfo> put = store->Put(key, *body);
    if (!put.ok()) Throw("writing " + path, put.status());
    dirty = false;
  }

  void Discard() {
    if (fd < 0) return;
    ::close(fd);
    ::unlink(temp_path.c_str());
    fd = -1;
  }

  std::shared_ptr<Store> store;
  std::string key;
  ObjectInfo info;        // reading: from Head at open
  uint64_t position = 0;  // for the sequential Read/Write calls

  std::mutex mu;  // guards the read-ahead buffer
  std::string buffer;
  uint64_t buffer_offset = 0;

  int fd = -1;  // writing: the local temporary file
  std::string temp_path;
  bool dirty = false;
};

class StoreFileSystem : public duckdb::FileSystem {
 public:
  explicit StoreFileSystem(StoreFileSystemOptions options) : options_(std::move(options)) {}

  std::string GetName() const override { return NameFor(options_.scheme); }
  static std::string NameFor(const std::string& scheme) { return "atoll-store:" + scheme; }

  bool CanHandleFile(const std::string& path) override { return path.starts_with(options_.scheme); }

  duckdb::unique_ptr<FileHandle> OpenFile(const std::string& path, FileOpenFlags flags,
                                          optional_ptr<FileOpener> opener) override {
    auto [store, key] = Resolve(path);
    auto handle = duckdb::make_uniq<StoreFileHandle>(*this, path, flags, store, key);
    if (flags.OpenForWriting()) {
      if (flags.OpenForReading() || flags.OpenForAppending()) {
        throw duckdb::NotImplementedException("opening " + path +
                                              " for reading and writing or appending: objects "
                                              "are written whole");
      }
      std::string dir = options_.upload_buffer_directory;
      if (dir.empty()) dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
      handle->temp_path = dir + "/atoll-upload-XXXXXX";
      handle->fd = ::mkstemp(handle->temp_path.data());
      if (handle->fd < 0) {
        Throw("buffering " + path, ErrnoToStatus(errno, "creating a file in " + dir));
      }
      handle->dirty = true;  // even an empty file is uploaded on Close
      return handle;
    }
    Result<ObjectInfo> info = store->Head(key);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) {
        if (flags.ReturnNullIfNotExists()) return nullptr;
        throw duckdb::IOException("Cannot open file \"" + path + "\": No such file or directory (" +
                                  info.status().ToString() + ")");
      }
      Throw("opening " + path, info.status());
    }
    handle->info = std::move(*info);
    return handle;
  }

  void Read(FileHandle& h, void* buffer, int64_t nr_bytes, idx_t location) override {
    auto& handle = h.Cast<StoreFileHandle>();
    ReadAt(handle, static_cast<char*>(buffer), location, static_cast<uint64_t>(nr_bytes));
  }

  int64_t Read(FileHandle& h, void* buffer, int64_t nr_bytes) override {
    auto& handle = h.Cast<StoreFileHandle>();
    uint64_t size = handle.info.size;
    uint64_t n = handle.position >= size ? 0 : std::min<uint64_t>(nr_bytes, size - handle.position);
    ReadAt(handle, static_cast<char*>(buffer), handle.position, n);
    handle.position += n;
    return static_cast<int64_t>(n);
  }

  void Write(FileHandle& h, void* buffer, int64_t nr_bytes, idx_t location) override {
    auto& handle = h.Cast<StoreFileHandle>();
    const char* p = static_cast<const char*>(buffer);
    while (nr_bytes > 0) {
      ssize_t n = ::pwrite(handle.fd, p, nr_bytes, static_cast<off_t>(location));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) Throw("buffering " + handle.path, ErrnoToStatus(errno, handle.temp_path));
      p += n, nr_bytes -= n, location += n;
    }
    handle.dirty = true;
  }

  int64_t Write(FileHandle& h, void* buffer, int64_t nr_bytes) override {
    auto& handle = h.Cast<StoreFileHandle>();
    Write(h, buffer, nr_bytes, handle.position);
    handle.position += nr_bytes;
    return nr_bytes;
  }

  int64_t GetFileSize(FileHandle& h) override {
    auto& handle = h.Cast<StoreFileHandle>();
    if (handle.fd < 0) return static_cast<int64_t>(handle.info.size);
    struct stat st;
    if (::fstat(handle.fd, &st) != 0) Throw(handle.path, ErrnoToStatus(errno, handle.temp_path));
    return st.st_size;
  }

  duckdb::timestamp_t GetLastModifiedTime(FileHandle& h) override {
    return duckdb::Timestamp::FromEpochMs(h.Cast<StoreFileHandle>().info.mtime_ms);
  }
  std::string GetVersionTag(FileHandle& h) override { return h.Cast<StoreFileHandle>().info.etag; }
  duckdb::FileType GetFileType(FileHandle&) override { return duckdb::FileType::FILE_TYPE_REGULAR; }

  void Truncate(FileHandle& h, int64_t new_size) override {
    auto& handle = h.Cast<StoreFileHandle>();
    if (handle.fd < 0 || ::ftruncate(handle.fd, new_size) != 0) {
      throw duckdb::IOException("cannot truncate " + handle.path + ": objects are immutable");
    }
    handle.dirty = true;
  }

  void FileSync(FileHandle& h) override { h.Cast<StoreFileHandle>().Upload(); }

  void Seek(FileHandle& h, idx_t location) override {
    h.Cast<StoreFileHandle>().position = location;
  }
  void Reset(FileHandle& h) override { h.Cast<StoreFileHandle>().position = 0; }
  idx_t SeekPosition(FileHandle& h) override { return h.Cast<StoreFileHandle>().position; }
  bool CanSeek() override { return true; }
  bool OnDiskFile(FileHandle&) override { return false; }

  bool FileExists(const std::string& path, optional_ptr<FileOpener>) override {
    auto [store, key] = Resolve(path);
    if (key.empty()) return false;
    Result<ObjectInfo> info = store->Head(key);
    if (info.ok()) return true;
    if (info.status().code() == StatusCode::kNotFound) return false;
    Throw("checking " + path, info.status());
  }

  bool DirectoryExists(const std::string& path, optional_ptr<FileOpener>) override {
    auto [store, key] = Resolve(path);
    storage::ListOptions options;
    options.max_keys = 1;
    Result<storage::ListPage> page = store->List(DirPrefix(key), options);
    if (!page.ok()) Throw("listing " + path, page.status());
    return !page->objects.empty();
  }

  // Object stores have no directories: a "directory" exists once a key is under it.
  void CreateDirectory(const std::string&, optional_ptr<FileOpener>) override {}

  bool ListFiles(const std::string& directory,
                 const std::function<void(const std::string&, bool)>& callback,
                 FileOpener*) override {
    auto [store, key] = Resolve(directory);
    std::string prefix = DirPrefix(key);
    storage::ListOptions options;
    options.delimiter = "/";
    bool any = false;
    do {
      Result<storage::ListPage> page = store->List(prefix, options);
      if (!page.ok()) Throw("listing " + directory, page.status());
      for (const auto& object : page->objects) {
        callback(object.key.substr(prefix.size()), false), any = true;
      }
      for (const auto& p : page->common_prefixes) {
        callback(p.substr(prefix.size(), p.size() - prefix.size() - 1), true), any = true;
      }
      options.continuation_token = page->next_token;
    } while (!options.continuation_token.empty());
    return any;
  }

  void RemoveFile(const std::string& path, optional_ptr<FileOpener>) override {
    auto [store, key] = Resolve(path);
    Status st = store->DeleteMany({key});
    if (!st.ok()) Throw("removing " + path, st);
  }

  bool TryRemoveFile(const std::string& path, optional_ptr<FileOpener> opener) override {
    if (!FileExists(path, opener)) return false;
    RemoveFile(path, opener);
    return true;
  }

  void MoveFile(const std::string& source, const std::string& target,
                optional_ptr<FileOpener> opener) override {
    auto [src_store, src_key] = Resolve(source);
    auto [dst_store, dst_key] = Resolve(target);
    if (src_store != dst_store) {
      throw duckdb::NotImplementedException("moving " + source + " to another bucket " + target);
    }
    Result<ObjectInfo> copied = src_store->Copy(src_key, dst_key);
    if (!copied.ok()) Throw("moving " + source + " to " + target, copied.status());
    RemoveFile(source, opener);
  }

  duckdb::vector<duckdb::OpenFileInfo> Glob(const std::string& path, FileOpener*) override {
    auto [store, key] = Resolve(path);
    std::string base = path.substr(0, path.size() - key.size());  // "s3://bucket/"
    duckdb::vector<duckdb::OpenFileInfo> out;
    size_t wild = key.find_first_of("*?[");
    if (wild == std::string::npos) {
      if (!key.empty() && FileExists(path, nullptr)) out.emplace_back(path);
      return out;
    }
    Result<std::vector<ObjectInfo>> objects = storage::ListAll(*store, key.substr(0, wild));
    if (!objects.ok()) Throw("listing " + path, objects.status());
    for (const auto& object : *objects) {
      if (GlobMatch(key, object.key)) out.emplace_back(base + object.key);
    }
    return out;
  }

 private:
  static std::string DirPrefix(const std::string& key) {
    return key.empty() || key.back() == '/' ? key : key + "/";
  }

  // "<scheme>bucket/key" -> (store of bucket, key).
  std::pair<std::shared_ptr<Store>, std::string> Resolve(const std::string& path) {
    std::string rest = path.substr(options_.scheme.size());
    size_t slash = rest.find('/');
    std::string bucket = rest.substr(0, slash);
    std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (bucket.empty()) {
      throw duckdb::InvalidInputException("\"" + path + "\" names no bucket: expected " +
                                          options_.scheme + "bucket/key");
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = stores_.find(bucket);
    if (it == stores_.end()) {
      Result<std::shared_ptr<Store>> store = options_.resolver(bucket);
      if (!store.ok()) Throw("opening bucket of " + path, store.status());
      it = stores_.emplace(bucket, std::move(*store)).first;
    }
    return {it->second, key};
  }

  // Fills [offset, offset + n) of the object, from or through the read-ahead buffer.
  void ReadAt(StoreFileHandle& h, char* out, uint64_t offset, uint64_t n) {
    if (n == 0) return;
    const uint64_t size = h.info.size;
    if (h.fd >= 0 || offset + n > size) {
      throw duckdb::IOException("reading " + h.path + ": bytes " + std::to_string(offset) + "+" +
                                std::to_string(n) + " are beyond its size " + std::to_string(size));
    }
    {
      std::lock_guard<std::mutex> lock(h.mu);
      if (offset >= h.buffer_offset && offset + n <= h.buffer_offset + h.buffer.size()) {
        std::memcpy(out, h.buffer.data() + (offset - h.buffer_offset), n);
        return;
      }
    }
    // A small read fetches a read-ahead window (ending at the object's end when near it);
    // a larger one (a Parquet column chunk, a CSV buffer) is fetched exactly.
    const uint64_t ahead = options_.read_ahead;
    const bool small = n < ahead / 4;
    uint64_t start = offset, length = n;
    if (small) {
      length = std::min(ahead, size);
      start = std::min(offset, size - length);
    }
    Result<std::string> data = h.store->Get(h.key, ByteRange::Slice(start, length));
    if (!data.ok()) Throw("reading " + h.path, data.status());
    if (data->size() != length) {
      throw duckdb::IOException("reading " + h.path + ": got " + std::to_string(data->size()) +
                                " bytes of " + std::to_string(length) +
                                " (did the object change?)");
    }
    std::memcpy(out, data->data() + (offset - start), n);
    if (small) {
      std::lock_guard<std::mutex> lock(h.mu);
      h.buffer = std::move(*data);
      h.buffer_offset = start;
    }
  }

  StoreFileSystemOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Store>> stores_;
};

}  // namespace

Status RegisterStoreFileSystem(_duckdb_database* database, StoreFileSystemOptions options) {
  if (options.scheme.empty() || !options.resolver) {
    return InvalidArgument("registering stores needs a scheme (like \"s3://\") and a resolver");
  }
  try {
    // The C API's duckdb_database points at a DatabaseWrapper (capi_internal.hpp).
    auto* wrapper = reinterpret_cast<duckdb::DatabaseWrapper*>(database);
    duckdb::FileSystem& fs = wrapper->database->instance->GetFileSystem();
    std::string name = StoreFileSystem::NameFor(options.scheme);
    for (const auto& existing : fs.ListSubSystems()) {
      if (existing == name)
        return AlreadyExists("stores are already registered for ", options.scheme);
    }
    fs.RegisterSubSystem(duckdb::make_uniq<StoreFileSystem>(std::move(options)));
    return Status::OK();
  } catch (const std::exception& e) {
    return Internal("registering the store file system with DuckDB: ", e.what());
  }
}

}  // namespace atl::engine::internal
