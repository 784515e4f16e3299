#include "atoll/storage/body.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace atl::storage {

class Body::Impl {
 public:
  virtual ~Impl() = default;
  virtual uint64_t size() const = 0;
  virtual Status ReadAt(uint64_t offset, size_t n, char* out) const = 0;
  virtual std::string_view view() const { return {}; }
  virtual bool in_memory() const { return false; }
};

namespace {

class StringImpl final : public Body::Impl {
 public:
  explicit StringImpl(std::string data) : owned_(std::move(data)), view_(owned_) {}
  explicit StringImpl(std::string_view view) : view_(view) {}
  uint64_t size() const override { return view_.size(); }
  Status ReadAt(uint64_t offset, size_t n, char* out) const override {
    std::memcpy(out, view_.data() + offset, n);
    return Status::OK();
  }
  std::string_view view() const override { return view_; }
  bool in_memory() const override { return true; }

 private:
  std::string owned_;
  std::string_view view_;
};

class FileImpl final : public Body::Impl {
 public:
  FileImpl(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileImpl() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, char* out) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoToStatus(errno, StrCat("reading ", path_));
      }
      if (r == 0) return IOError("file ", path_, " shrank while being read");
      done += static_cast<size_t>(r);
    }
    return Status::OK();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

}  // namespace

Body::Body() : impl_(std::make_shared<StringImpl>(std::string_view())) {}

Body Body::FromString(std::string data) {
  return Body(std::make_shared<StringImpl>(std::move(data)));
}

Body Body::FromView(std::string_view data) { return Body(std::make_shared<StringImpl>(data)); }

Result<Body> Body::FromFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, StrCat("opening ", path));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoToStatus(err, StrCat("stat ", path));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path, " is not a regular file");
  }
  return Body(std::make_shared<FileImpl>(fd, static_cast<uint64_t>(st.st_size), path));
}

uint64_t Body::size() const { return impl_->size(); }

Status Body::ReadAt(uint64_t offset, size_t n, char* out) const {
  if (offset > impl_->size() || n > impl_->size() - offset) {
    return InvalidArgument("read of ", n, " bytes at ", offset, " leaves a body of ", impl_->size(),
                           " bytes");
  }
  if (n == 0) return Status::OK();
  return impl_->ReadAt(offset, n, out);
}

Result<std::string> Body::Slice(uint64_t offset, size_t n) const {
  std::string out(n, '\0');
  ATOLL_RETURN_NOT_OK(ReadAt(offset, n, out.data()));
  return out;
}

bool Body::in_memory() const { return impl_->in_memory(); }

std::string_view Body::view() const { return impl_->view(); }

}  // namespace atl::storage
