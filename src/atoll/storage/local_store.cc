#include "atoll/storage/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <system_error>
#include <utility>
#include <vector>

#include "atoll/common/local_fs.h"
#include "atoll/storage/list_page_builder.h"

namespace atl::storage {

namespace {

constexpr std::string_view kReserved = ".atoll-";
constexpr const char* kLockName = ".atoll-lock";
constexpr const char* kKeepName = ".atoll-keep";

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

uint64_t RandomU64() {
  uint64_t v = 0;
  if (::getrandom(&v, sizeof v, 0) != sizeof v)
    v = static_cast<uint64_t>(::clock()) ^ (uint64_t(::getpid()) << 40);
  return v;
}

// "a/b/c" -> ("a/b", "c"); "c" -> ("", "c").
std::pair<std::string, std::string> SplitKey(std::string_view key) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

std::string ParentOf(const std::string& dir) {
  size_t slash = dir.rfind('/');
  return slash == std::string::npos ? "" : dir.substr(0, slash);
}

bool IsReservedName(std::string_view name) { return name.substr(0, kReserved.size()) == kReserved; }

ObjectInfo InfoFromStat(std::string key, const struct stat& st) {
  const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  char etag[64];
  std::snprintf(etag, sizeof etag, "%llx-%llx-%llx", static_cast<unsigned long long>(st.st_ino),
                static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(mtime_ns));
  return ObjectInfo{std::move(key), static_cast<uint64_t>(st.st_size), etag, mtime_ns / 1000000};
}

Status WriteAll(int fd, const char* data, size_t n, std::string_view what) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoToStatus(errno, what);
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

}  // namespace

class LocalStore::Impl {
 public:
  Impl(std::string root, Fd root_fd, bool openat2)
      : root_(std::move(root)), root_fd_(std::move(root_fd)), openat2_(openat2) {}

  // Opens `rel` (relative to the root; "" is the root) without leaving the root.
  // Returns an fd or -errno; -EXDEV when a symbolic link leads outside the root.
  int OpenBeneath(const std::string& rel, int flags) const {
    const std::string path = rel.empty() ? "." : rel;
    if (openat2_) {
      struct open_how how = {};
      how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
      how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
      long fd;
      do fd = ::syscall(SYS_openat2, root_fd_.get(), path.c_str(), &how, sizeof how);
      while (fd < 0 && (errno == EINTR || errno == EAGAIN));
      // RESOLVE_BENEATH also refuses absolute symbolic links, even ones that point back
      // into the root: those are judged by the real-path check below.
      if (fd >= 0 || errno != EXDEV) return fd < 0 ? -errno : static_cast<int>(fd);
    }
    // Resolve the real path and check that it stays under the real root.
    char real[PATH_MAX];
    if (::realpath((root_ + "/" + path).c_str(), real) == nullptr) return -errno;
    std::string_view r(real);
    if (r != root_ && r.substr(0, root_.size() + 1) != root_ + "/") return -EXDEV;
    int fd = ::open(real, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
  }

  Status Escapes(std::string_view key) const {
    return InvalidArgument("key '", key, "' resolves outside the store root ", root_,
                           " through a symbolic link; refused");
  }

  Status Conflict(std::string_view key, std::string_view detail) const {
    return NotSupported(
        "cannot store key '", key, "' in ", root_, ": ", detail,
        " (a local directory cannot hold both an object 'x' and objects under 'x/')");
  }

  Status CheckKey(std::string_view key) const {
    ATOLL_RETURN_NOT_OK(ValidateKey(key));
    if (key.back() == '/')
      return NotSupported("key '", key,
                          "': the local store does not support folder-marker keys ending in '/'");
    size_t start = 0;
    while (start < key.size()) {
      size_t end = std::min(key.find('/', start), key.size());
      if (IsReservedName(key.substr(start, end - start))) {
        return InvalidArgument(
            "key '", key,
            "' uses a name starting with '.atoll-', reserved for the local store's own files");
      }
      start = end + 1;
    }
    return Status::OK();
  }

  // Opens the directory `dir` that holds `key`, creating it (and its parents) when
  // `create`.
  Result<Fd> OpenDir(std::string_view key, const std::string& dir, bool create) const {
    int fd = OpenBeneath(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) return Fd(fd);
    if (fd == -EXDEV) return Escapes(key);
    if (fd == -ENOTDIR && create) return Conflict(key, "a parent path is an object");
    if (fd != -ENOENT || !create)
      return ErrnoToStatus(-fd, StrCat("opening directory of key '", key, "' in ", root_));
    // Create the missing levels one at a time, each inside a directory already checked.
    Fd cur(OpenBeneath("", O_RDONLY | O_DIRECTORY));
    size_t start = 0;
    while (start < dir.size()) {
      size_t end = std::min(dir.find('/', start), dir.size());
      const std::string seg = dir.substr(start, end - start);
      if (::mkdirat(cur.get(), seg.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoToStatus(errno, StrCat("creating directory ", root_, "/", dir.substr(0, end)));
      }
      int next = OpenBeneath(dir.substr(0, end), O_RDONLY | O_DIRECTORY);
      if (next == -EXDEV) return Escapes(key);
      if (next == -ENOTDIR) return Conflict(key, StrCat("'", dir.substr(0, end), "' is an object"));
      if (next < 0)
        return ErrnoToStatus(-next, StrCat("opening directory ", root_, "/", dir.substr(0, end)));
      cur = Fd(next);
      start = end + 1;
    }
    return cur;
  }

  // Opens the object file of `key` (following symbolic links that stay beneath the root).
  Result<Fd> OpenObject(std::string_view key, int flags, struct stat* st) const {
    int fd = OpenBeneath(std::string(key), flags);
    if (fd == -EXDEV) return Escapes(key);
    if (fd == -ENOENT || fd == -ENOTDIR) return NotFound("no such key '", key, "' in ", Describe());
    if (fd < 0) return ErrnoToStatus(-fd, StrCat("opening key '", key, "' in ", Describe()));
    Fd owned(fd);
    if (::fstat(fd, st) != 0)
      return ErrnoToStatus(errno, StrCat("stat of key '", key, "' in ", Describe()));
    if (!S_ISREG(st->st_mode))
      return NotFound("no such key '", key, "' in ", Describe(),
                      " (the path is not a regular file)");
    return owned;
  }

  // Writes a fresh hidden temporary file in the directory of `key` with `fill`, stamps,
  // fsyncs and stats it. Retries when a concurrent DeleteMany removed the directory.
  struct Temp {
    Fd dir;
    std::string name;
    struct stat st;
  };
  Result<Temp> WriteTemp(std::string_view key, const std::string& dir,
                         const std::function<Status(int fd)>& fill) const {
    for (int attempt = 0;; ++attempt) {
      ATOLL_ASSIGN_OR_RETURN(Fd dfd, OpenDir(key, dir, /*create=*/true));
      char name[48];
      std::snprintf(name, sizeof name, ".atoll-tmp-%016llx",
                    static_cast<unsigned long long>(RandomU64()));
      int fd = ::openat(dfd.get(), name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0 && (errno == ENOENT || errno == EEXIST) && attempt < 8) continue;
      if (fd < 0)
        return ErrnoToStatus(errno,
                             StrCat("creating a temporary file for key '", key, "' in ", root_));
      Fd file(fd);
      Temp t{std::move(dfd), name, {}};
      Status st = fill(fd);
      if (st.ok()) st = Stamp(fd);
      if (st.ok() && ::fsync(fd) != 0) st = ErrnoToStatus(errno, "fsync");
      if (st.ok() && ::fstat(fd, &t.st) != 0) st = ErrnoToStatus(errno, "fstat");
      if (!st.ok()) {
        ::unlinkat(t.dir.get(), name, 0);
        return st.WithContext(StrCat("writing key '", key, "' in ", Describe()));
      }
      return t;
    }
  }

  // Sets the modification time to now, keeping milliseconds exact and filling the
  // sub-millisecond digits at random (see the etag note in the header).
  static Status Stamp(int fd) {
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME, &now);
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = now.tv_sec;
    times[1].tv_nsec = now.tv_nsec / 1000000 * 1000000 + static_cast<long>(RandomU64() % 1000000);
    if (::futimens(fd, times) != 0) return ErrnoToStatus(errno, "setting the modification time");
    return Status::OK();
  }

  // Puts the temporary file in place under `key` according to `options`.
  Result<ObjectInfo> Commit(std::string_view key, Temp& t, const PutOptions& options) const {
    const std::string name = SplitKey(key).second;
    const int dfd = t.dir.get();
    Status st;
    if (options.condition == PutCondition::kIfAbsent) {
      if (::linkat(dfd, t.name.c_str(), dfd, name.c_str(), 0) != 0) {
        struct stat cur;
        if (errno != EEXIST)
          st = ErrnoToStatus(errno, StrCat("creating key '", key, "' in ", Describe()));
        else if (::fstatat(dfd, name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISDIR(cur.st_mode))
          st = Conflict(key, "it is a directory");
        else
          st = AlreadyExists("key '", key, "' already exists in ", Describe());
      }
      ::unlinkat(dfd, t.name.c_str(), 0);
    } else {
      if (options.condition == PutCondition::kIfMatch) {
        struct stat cur;
        if (::fstatat(dfd, name.c_str(), &cur, 0) != 0 || !S_ISREG(cur.st_mode)) {
          st = NotFound("conditional write to '", key, "': no such key in ", Describe());
        } else if (std::string etag = InfoFromStat("", cur).etag; etag != options.if_match) {
          st = PreconditionFailed("conditional write to '", key, "' in ", Describe(), ": etag is '",
                                  etag, "', not the expected '", options.if_match, "'");
        }
      }
      if (st.ok() && ::renameat(dfd, t.name.c_str(), dfd, name.c_str()) != 0) {
        const int err = errno;
        st = (err == EISDIR || err == ENOTEMPTY || err == EEXIST)
                 ? Conflict(key, "it is a directory")
                 : ErrnoToStatus(err, StrCat("renaming into key '", key, "'"));
      }
      if (!st.ok()) ::unlinkat(dfd, t.name.c_str(), 0);
    }
    if (!st.ok()) return st;
    ::fsync(dfd);  // make the new name durable; a failure here does not undo the write
    return InfoFromStat(std::string(key), t.st);
  }

  // An exclusive lock on <root>/.atoll-lock, held until the returned Fd closes.
  Result<Fd> Lock() const {
    int fd = ::openat(root_fd_.get(), kLockName, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoToStatus(errno, StrCat("opening lock file ", root_, "/", kLockName));
    Fd owned(fd);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoToStatus(errno, StrCat("locking ", root_, "/", kLockName));
    }
    return owned;
  }

  // Appends every listable key under directory `dir_fd` (whose keys start with
  // `key_prefix`) to `out`. Directories rolled up by `builder` contribute one key.
  void Walk(int dir_fd, const std::string& key_prefix, std::string_view name_filter,
            const ListPageBuilder& builder, bool one_is_enough,
            std::vector<std::string>* out) const {
    int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      return;
    }
    const size_t start_size = out->size();
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name == "." || name == ".." || IsReservedName(name)) continue;
      if (name.substr(0, name_filter.size()) != name_filter) continue;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
      }
      std::string key = key_prefix + std::string(name);
      if (type == DT_REG) {
        out->push_back(std::move(key));
      } else if (type == DT_DIR) {
        key += '/';
        int sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) continue;
        Fd owned(sub);
        const bool rolled = builder.RollsUp(key);
        size_t before = out->size();
        Walk(sub, key, "", builder, one_is_enough || rolled, out);
        if (rolled && out->size() > before + 1) out->resize(before + 1);
      }
      if (one_is_enough && out->size() > start_size) break;
    }
    ::closedir(d);
  }

  std::string Describe() const { return "file://" + root_; }

  const std::string root_;
  const Fd root_fd_;
  const bool openat2_;
};

// ---- LocalStore ----

LocalStore::LocalStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)), root_(impl_->root_) {}
LocalStore::~LocalStore() = default;

Result<std::unique_ptr<LocalStore>> LocalStore::Open(std::string root_dir, bool create_if_missing) {
  if (root_dir.empty()) return InvalidArgument("local store: empty root directory");
  struct stat st;
  if (::stat(root_dir.c_str(), &st) != 0) {
    if (errno != ENOENT || !create_if_missing)
      return ErrnoToStatus(errno, StrCat("opening local store ", root_dir));
    ATOLL_RETURN_NOT_OK(
        CreateDirectories(root_dir).WithContext("creating the local store directory"));
    if (::stat(root_dir.c_str(), &st) != 0)
      return ErrnoToStatus(errno, StrCat("opening local store ", root_dir));
  }
  if (!S_ISDIR(st.st_mode))
    return InvalidArgument("local store root ", root_dir, " is not a directory");
  char real[PATH_MAX];
  if (::realpath(root_dir.c_str(), real) == nullptr)
    return ErrnoToStatus(errno, StrCat("resolving ", root_dir));
  int fd = ::open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, StrCat("opening local store ", real));
  Fd root_fd(fd);
  struct open_how how = {};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH;
  long probe = ::syscall(SYS_openat2, fd, ".", &how, sizeof how);
  if (probe >= 0) ::close(static_cast<int>(probe));
  auto impl = std::make_unique<Impl>(real, std::move(root_fd), probe >= 0);
  return std::unique_ptr<LocalStore>(new LocalStore(std::move(impl)));
}

Result<std::string> LocalStore::Get(std::string_view key, ByteRange range) {
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(key));
  struct stat st;
  ATOLL_ASSIGN_OR_RETURN(Fd fd, impl_->OpenObject(key, O_RDONLY | O_NONBLOCK, &st));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (range.offset >= size) return std::string();
  std::string out(std::min<uint64_t>(range.length, size - range.offset), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t r = ::pread(fd.get(), out.data() + done, out.size() - done,
                        static_cast<off_t>(range.offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoToStatus(errno, StrCat("reading key '", key, "' in ", Describe()));
    if (r == 0)
      break;  // the file is replaced by rename, never truncated: only a foreign writer gets here
    done += static_cast<size_t>(r);
  }
  out.resize(done);
  return out;
}

Result<ObjectInfo> LocalStore::Head(std::string_view key) {
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(key));
  struct stat st;
  ATOLL_ASSIGN_OR_RETURN(Fd fd, impl_->OpenObject(key, O_PATH, &st));
  return InfoFromStat(std::string(key), st);
}

Result<std::optional<bool>> LocalStore::OpenElsewhere(std::string_view key) {
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(key));
  struct stat st;
  // O_NONBLOCK: an open that would wait for another process's lease fails instead.
  ATOLL_ASSIGN_OR_RETURN(Fd fd, impl_->OpenObject(key, O_RDONLY | O_NONBLOCK, &st));
  if (::fcntl(fd.get(), F_SETLEASE, F_WRLCK) == 0) {
    (void)::fcntl(fd.get(), F_SETLEASE, F_UNLCK);
    return std::optional<bool>(false);
  }
  if (errno == EAGAIN || errno == EBUSY) return std::optional<bool>(true);
  return std::optional<bool>();
}

Result<ObjectInfo> LocalStore::Put(std::string_view key, const Body& body,
                                   const PutOptions& options) {
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(key));
  Fd lock;
  if (options.condition != PutCondition::kNone) {
    ATOLL_ASSIGN_OR_RETURN(lock, impl_->Lock());
  }
  auto fill = [&](int fd) -> Status {
    if (body.in_memory()) return WriteAll(fd, body.view().data(), body.view().size(), "writing");
    std::string buf;
    for (uint64_t off = 0; off < body.size(); off += buf.size()) {
      ATOLL_ASSIGN_OR_RETURN(buf, body.Slice(off, std::min<uint64_t>(body.size() - off, 1 << 20)));
      ATOLL_RETURN_NOT_OK(WriteAll(fd, buf.data(), buf.size(), "writing"));
    }
    return Status::OK();
  };
  ATOLL_ASSIGN_OR_RETURN(Impl::Temp temp, impl_->WriteTemp(key, SplitKey(key).first, fill));
  return impl_->Commit(key, temp, options);
}

Result<ObjectInfo> LocalStore::Copy(std::string_view src, std::string_view dst) {
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(src));
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(dst));
  struct stat st;
  ATOLL_ASSIGN_OR_RETURN_CTX(Fd in, impl_->OpenObject(src, O_RDONLY | O_NONBLOCK, &st),
                             "copy source");
  auto fill = [&](int out) -> Status {
    std::string buf(1 << 20, '\0');
    while (true) {
      ssize_t r = ::read(in.get(), buf.data(), buf.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoToStatus(errno, StrCat("reading copy source '", src, "'"));
      if (r == 0) return Status::OK();
      ATOLL_RETURN_NOT_OK(WriteAll(out, buf.data(), static_cast<size_t>(r), "writing"));
    }
  };
  ATOLL_ASSIGN_OR_RETURN(Impl::Temp temp, impl_->WriteTemp(dst, SplitKey(dst).first, fill));
  return impl_->Commit(dst, temp, PutOptions{});
}

Result<int64_t> LocalStore::RemoveStaleTemporaries(std::string_view prefix, int64_t older_than_ms) {
  namespace fs = std::filesystem;
  if (!prefix.empty()) ATOLL_RETURN_NOT_OK(impl_->CheckKey(prefix));
  std::error_code ec;
  const fs::path dir = prefix.empty() ? fs::path(root_) : fs::path(root_) / std::string(prefix);
  if (!fs::is_directory(dir, ec)) return int64_t{0};
  const std::string real = fs::canonical(dir, ec).string();
  if (ec) return ErrnoToStatus(ec.value(), StrCat("resolving ", Describe(), "/", prefix));
  if (real != root_ && !real.starts_with(root_ + "/")) return impl_->Escapes(prefix);
  int64_t removed = 0;
  fs::recursive_directory_iterator it(real, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->path().filename().string().starts_with(".atoll-tmp-")) continue;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const int64_t mtime_ms = int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
    if (mtime_ms < older_than_ms && ::unlink(it->path().c_str()) == 0) ++removed;
  }
  if (ec) return ErrnoToStatus(ec.value(), StrCat("listing ", Describe(), "/", prefix));
  return removed;
}

Result<ListPage> LocalStore::List(std::string_view prefix, const ListOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(ListPageBuilder builder, ListPageBuilder::Start(prefix, options));
  auto [dir, name_filter] = SplitKey(prefix);
  // No valid key starts with a prefix whose directory part is not a valid key path.
  if (!dir.empty() && !impl_->CheckKey(dir).ok()) return std::move(builder).Finish();
  int fd = impl_->OpenBeneath(dir, O_RDONLY | O_DIRECTORY);
  if (fd == -EXDEV) return impl_->Escapes(prefix);
  if (fd == -ENOENT || fd == -ENOTDIR) return std::move(builder).Finish();
  if (fd < 0) return ErrnoToStatus(-fd, StrCat("listing ", Describe(), "/", prefix));
  Fd dir_fd(fd);
  std::vector<std::string> keys;
  impl_->Walk(fd, dir.empty() ? "" : dir + "/", name_filter, builder, false, &keys);
  std::sort(keys.begin(), keys.end());
  for (auto it = std::lower_bound(keys.begin(), keys.end(), builder.seek_key()); it != keys.end();
       ++it) {
    ObjectInfo info;
    info.key = *it;
    if (builder.NeedsInfo(*it)) {
      struct stat st;
      if (::fstatat(impl_->root_fd_.get(), it->c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;  // deleted meanwhile
      info = InfoFromStat(*it, st);
    }
    if (!builder.Add(std::move(info))) break;
  }
  return std::move(builder).Finish();
}

Status LocalStore::DeleteMany(const std::vector<std::string>& keys) {
  for (const auto& key : keys) ATOLL_RETURN_NOT_OK(impl_->CheckKey(key));
  ATOLL_ASSIGN_OR_RETURN(Fd lock, impl_->Lock());
  for (const auto& key : keys) {
    auto [dir, name] = SplitKey(key);
    auto dfd = impl_->OpenDir(key, dir, /*create=*/false);
    if (!dfd.ok()) {
      if (dfd.status().code() == StatusCode::kNotFound) continue;
      return dfd.status();
    }
    if (::unlinkat(dfd->get(), name.c_str(), 0) != 0) {
      if (errno == ENOENT || errno == EISDIR || errno == ENOTDIR) continue;
      return ErrnoToStatus(errno, StrCat("deleting key '", key, "' in ", Describe()));
    }
    // Remove directories left empty, up to (not including) the root.
    for (std::string d = dir; !d.empty(); d = ParentOf(d)) {
      auto parent = impl_->OpenDir(key, ParentOf(d), /*create=*/false);
      if (!parent.ok()) break;
      const std::string last = SplitKey(d).second;
      if (::unlinkat(parent->get(), last.c_str(), AT_REMOVEDIR) != 0) break;
    }
  }
  return Status::OK();
}

Status LocalStore::KeepDirectory(std::string_view dir) {
  ATOLL_RETURN_NOT_OK(impl_->CheckKey(dir));
  const std::string marker = StrCat(dir, "/", kKeepName);
  ATOLL_ASSIGN_OR_RETURN(Fd dfd, impl_->OpenDir(marker, std::string(dir), /*create=*/true));
  int fd = ::openat(dfd.get(), kKeepName, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return ErrnoToStatus(errno, StrCat("keeping directory ", root_, "/", dir));
  ::close(fd);
  return Status::OK();
}

std::string LocalStore::Describe() const { return impl_->Describe(); }

}  // namespace atl::storage
