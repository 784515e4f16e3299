#include "atoll/storage/transfer.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>

#include "atoll/common/parallel.h"
#include "atoll/storage/local_store.h"
#include "atoll/storage/s3/s3_store.h"

namespace atl::storage {

namespace {

// A unique name for a temporary download ("<dir>/.atoll-transfer-<pid>-<random>").
std::string TempPath(const std::string& dir) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return StrCat(dir, "/.atoll-transfer-", static_cast<int64_t>(::getpid()), "-",
                counter.fetch_add(1), "-", rng() % 1000000000);
}

std::string DefaultTempDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? env : "/tmp";
}

// Removes a file when it goes out of scope.
class FileRemover {
 public:
  explicit FileRemover(std::string path) : path_(std::move(path)) {}
  ~FileRemover() { ::unlink(path_.c_str()); }
  FileRemover(const FileRemover&) = delete;
  FileRemover& operator=(const FileRemover&) = delete;

 private:
  std::string path_;
};

// True when `a` and `b` are the same bucket or directory, so that a server-side Copy can
// replace reading and writing. (Describe() alone is not enough: two memory stores may
// share a name.)
bool SameStore(Store& a, Store& b) {
  if (&a == &b) return true;
  auto* la = dynamic_cast<LocalStore*>(&a);
  auto* lb = dynamic_cast<LocalStore*>(&b);
  if (la != nullptr && lb != nullptr) return la->root() == lb->root();
  auto* sa = dynamic_cast<S3Store*>(&a);
  auto* sb = dynamic_cast<S3Store*>(&b);
  if (sa != nullptr && sb != nullptr) {
    return sa->config().bucket == sb->config().bucket &&
           sa->config().endpoint == sb->config().endpoint &&
           sa->config().access_key_id == sb->config().access_key_id;
  }
  return false;
}

class Transfer {
 public:
  Transfer(Store& src, Store& dst, const TransferOptions& options)
      : src_(src),
        dst_(dst),
        options_(options),
        same_store_(SameStore(src, dst)),
        src_local_(dynamic_cast<LocalStore*>(&src)),
        dst_local_(dynamic_cast<LocalStore*>(&dst)) {
    policy_ = options.retry;
    policy_.on_retry = [this, user = options.retry.on_retry](int attempt, const Status& error) {
      retries_.fetch_add(1);
      if (user) user(attempt, error);
    };
  }

  uint64_t retries() const { return retries_.load(); }

  // Copies and verifies one object.
  Status CopyOne(const CopyItem& item) {
    if (same_store_) {
      if (item.src_key == item.dst_key) return Status::OK();  // already in place
      ATOLL_RETURN_NOT_OK(Retried([&] { return src_.Copy(item.src_key, item.dst_key); }).status());
      return Verify(item, nullptr);
    }
    if (item.size <= options_.in_memory_max_size) {
      ATOLL_ASSIGN_OR_RETURN(std::string data, Retried([&] { return src_.Get(item.src_key); }));
      ATOLL_RETURN_NOT_OK(CheckSourceSize(item, data.size()));
      ATOLL_RETURN_NOT_OK(
          Retried([&] { return dst_.Put(item.dst_key, Body::FromView(data)); }).status());
      return Verify(item, &data);
    }
    if (src_local_ != nullptr) {
      ATOLL_ASSIGN_OR_RETURN(Body body,
                             Body::FromFile(StrCat(src_local_->root(), "/", item.src_key)));
      ATOLL_RETURN_NOT_OK(CheckSourceSize(item, body.size()));
      ATOLL_RETURN_NOT_OK(Retried([&] { return dst_.Put(item.dst_key, body); }).status());
      return Verify(item, nullptr);
    }
    std::string tmp = TempPath(dst_local_ ? dst_local_->root() : DefaultTempDir(options_.temp_dir));
    FileRemover remover(tmp);
    ATOLL_RETURN_NOT_OK(Retried([&] { return DownloadToFile(src_, item.src_key, tmp); }));
    ATOLL_ASSIGN_OR_RETURN(Body body, Body::FromFile(tmp));
    ATOLL_RETURN_NOT_OK(CheckSourceSize(item, body.size()));
    ATOLL_RETURN_NOT_OK(Retried([&] { return dst_.Put(item.dst_key, body); }).status());
    return Verify(item, nullptr);
  }

 private:
  template <typename F>
  auto Retried(F&& fn) -> decltype(fn()) {
    return Retry(policy_, std::forward<F>(fn));
  }

  static Status CheckSourceSize(const CopyItem& item, uint64_t actual) {
    if (actual == item.size) return Status::OK();
    return IOError("source changed during the copy: listed with ", item.size, " bytes, read ",
                   actual);
  }

  // Checks the destination's size, and its bytes for small objects. `data` holds the
  // source's bytes when they were read, else nullptr.
  Status Verify(const CopyItem& item, const std::string* data) {
    ATOLL_ASSIGN_OR_RETURN(ObjectInfo info, Retried([&] { return dst_.Head(item.dst_key); }));
    if (info.size != item.size) {
      return Corruption("the copy has ", info.size, " bytes, the source ", item.size);
    }
    if (item.size > options_.verify_content_max_size) return Status::OK();
    std::string source_bytes;
    if (data == nullptr) {
      ATOLL_ASSIGN_OR_RETURN(source_bytes, Retried([&] { return src_.Get(item.src_key); }));
      data = &source_bytes;
    }
    ATOLL_ASSIGN_OR_RETURN(std::string copy, Retried([&] { return dst_.Get(item.dst_key); }));
    if (copy != *data) return Corruption("the copy's bytes differ from the source's");
    return Status::OK();
  }

  Store& src_;
  Store& dst_;
  const TransferOptions& options_;
  const bool same_store_;
  LocalStore* const src_local_;
  LocalStore* const dst_local_;
  RetryPolicy policy_;
  std::atomic<uint64_t> retries_{0};
};

}  // namespace

Result<TransferSummary> CopyObjects(Store& src, Store& dst, const std::vector<CopyItem>& items,
                                    const TransferOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Transfer transfer(src, dst, options);
  ProgressCounts counts;
  counts.objects_total = items.size();
  for (const auto& item : items) counts.bytes_total += item.size;
  if (options.on_progress) options.on_progress(counts);

  std::mutex mu;  // guards counts and calls of on_progress
  auto copy_item = [&](size_t i) -> Status {
    const CopyItem& item = items[i];
    ATOLL_RETURN_NOT_OK_CTX(transfer.CopyOne(item),
                            StrCat("copying ", src.Describe(), "/", item.src_key, " to ",
                                   dst.Describe(), "/", item.dst_key));
    std::lock_guard<std::mutex> lock(mu);
    counts.objects_done += 1;
    counts.bytes_done += item.size;
    if (options.on_progress) options.on_progress(counts);
    return Status::OK();
  };
  const Status first_error = ParallelFor(items.size(), options.parallel, copy_item);
  if (!first_error.ok()) return first_error;

  TransferSummary summary;
  summary.objects = counts.objects_done;
  summary.bytes = counts.bytes_done;
  summary.retries = transfer.retries();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

Result<std::vector<CopyItem>> PlanPrefixCopy(Store& src, std::string_view src_prefix,
                                             std::string_view dst_prefix,
                                             const RetryPolicy& retry) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects,
                         Retry(retry, [&] {
                           return ListAll(src, src_prefix);
                         }).WithContext(StrCat("listing ", src.Describe(), "/", src_prefix)));
  std::vector<CopyItem> items;
  items.reserve(objects.size());
  for (auto& o : objects) {
    if (!o.key.empty() && o.key.back() == '/') continue;
    CopyItem item;
    item.dst_key = StrCat(dst_prefix, std::string_view(o.key).substr(src_prefix.size()));
    item.src_key = std::move(o.key);
    item.size = o.size;
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace atl::storage
