#include "atoll/formats/avro/stream.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace atl::avro {
namespace {

class FileInput : public InputStream {
 public:
  FileInput(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  ~FileInput() override { std::fclose(f_); }
  Result<size_t> Read(char* buf, size_t n) override {
    size_t got = std::fread(buf, 1, n, f_);
    if (got < n && std::ferror(f_)) return ErrnoToStatus(errno, "reading " + path_);
    return got;
  }

 private:
  std::FILE* f_;
  std::string path_;
};

class MemInput : public InputStream {
 public:
  explicit MemInput(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

class FileOutput : public OutputStream {
 public:
  FileOutput(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  ~FileOutput() override {
    if (f_) std::fclose(f_);
  }
  Status Write(std::string_view data) override {
    if (!f_) return Internal("write to closed file ", path_);
    if (std::fwrite(data.data(), 1, data.size(), f_) != data.size())
      return ErrnoToStatus(errno, "writing " + path_);
    return Status::OK();
  }
  Status Close() override {
    if (!f_) return Status::OK();
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) return ErrnoToStatus(errno, "closing " + path_);
    return Status::OK();
  }

 private:
  std::FILE* f_;
  std::string path_;
};

class StrOutput : public OutputStream {
 public:
  explicit StrOutput(std::string* target) : target_(target) {}
  Status Write(std::string_view data) override {
    target_->append(data);
    return Status::OK();
  }
  Status Close() override { return Status::OK(); }

 private:
  std::string* target_;
};

}  // namespace

Result<std::unique_ptr<InputStream>> OpenFileInput(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return ErrnoToStatus(errno, "opening " + path);
  return std::unique_ptr<InputStream>(new FileInput(f, path));
}

std::unique_ptr<InputStream> MemoryInput(std::string data) {
  return std::make_unique<MemInput>(std::move(data));
}

Result<std::unique_ptr<OutputStream>> OpenFileOutput(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return ErrnoToStatus(errno, "creating " + path);
  return std::unique_ptr<OutputStream>(new FileOutput(f, path));
}

std::unique_ptr<OutputStream> StringOutput(std::string* target) {
  return std::make_unique<StrOutput>(target);
}

}  // namespace atl::avro
