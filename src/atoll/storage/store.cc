#include "atoll/storage/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "atoll/common/parallel.h"

namespace atl::storage {

Status ValidateKey(std::string_view key) {
  if (key.empty()) return InvalidArgument("empty key");
  if (key.size() > 1024)
    return InvalidArgument("key longer than 1024 bytes: ", key.substr(0, 64), "...");
  if (key.front() == '/') return InvalidArgument("key '", key, "' is absolute (starts with '/')");
  // Control characters (0x01-0x1f, 0x7f) are allowed: other people's tools write such
  // names into landing zones, and a key that cannot be moved or deleted stays forever.
  if (key.find('\0') != std::string_view::npos) return InvalidArgument("key contains a NUL byte");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg == "..") return InvalidArgument("key '", key, "' contains a '..' segment");
    if (seg == ".") return InvalidArgument("key '", key, "' contains a '.' segment");
    // An empty segment is allowed only as the trailing slash of a "folder" marker.
    if (seg.empty() && end != key.size())
      return InvalidArgument("key '", key, "' contains an empty segment ('//')");
    start = end + 1;
  }
  return Status::OK();
}

Result<std::vector<ObjectInfo>> ListAll(Store& store, std::string_view prefix) {
  std::vector<ObjectInfo> out;
  ListOptions opts;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(ListPage page, store.List(prefix, opts));
    for (auto& o : page.objects) out.push_back(std::move(o));
    if (page.next_token.empty()) break;
    if (page.next_token == opts.continuation_token) {
      return Internal("listing ", store.Describe(), "/", prefix, " repeated continuation token");
    }
    opts.continuation_token = std::move(page.next_token);
  }
  return out;
}

Result<ObjectInfo> PutString(Store& store, std::string_view key, std::string data,
                             const PutOptions& options) {
  return store.Put(key, Body::FromString(std::move(data)), options);
}

Status Delete(Store& store, std::string_view key) { return store.DeleteMany({std::string(key)}); }

Status DownloadToFile(Store& store, std::string_view key, const std::string& path, int parallelism,
                      uint64_t chunk_size) {
  ATOLL_ASSIGN_OR_RETURN(ObjectInfo info, store.Head(key));
  std::string tmp = path + ".atoll-part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoToStatus(errno, StrCat("creating ", tmp));
  if (chunk_size == 0) chunk_size = 16ull << 20;
  const uint64_t chunks = std::max<uint64_t>(1, (info.size + chunk_size - 1) / chunk_size);
  // Each chunk is fetched with a ranged GET and written at its offset.
  auto fetch_chunk = [&](size_t i) -> Status {
    const uint64_t off = i * chunk_size;
    const uint64_t len = std::min(chunk_size, info.size - std::min(info.size, off));
    if (len == 0) return Status::OK();
    ATOLL_ASSIGN_OR_RETURN(std::string data, store.Get(key, ByteRange::Slice(off, len)));
    if (data.size() != len) {
      return IOError("object ", key, " changed during download (short range at ", off, ")");
    }
    size_t done = 0;
    while (done < len) {
      ssize_t w = ::pwrite(fd, data.data() + done, len - done, static_cast<off_t>(off + done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoToStatus(errno, StrCat("writing ", tmp));
      done += static_cast<size_t>(w);
    }
    return Status::OK();
  };
  Status first_error = ParallelFor(chunks, parallelism, fetch_chunk);
  if (first_error.ok() && ::fsync(fd) != 0)
    first_error = ErrnoToStatus(errno, StrCat("fsync ", tmp));
  ::close(fd);
  if (first_error.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    first_error = ErrnoToStatus(errno, StrCat("renaming ", tmp, " to ", path));
  }
  if (!first_error.ok()) {
    ::unlink(tmp.c_str());
    return first_error.WithContext(StrCat("downloading ", store.Describe(), "/", key));
  }
  return Status::OK();
}

}  // namespace atl::storage
