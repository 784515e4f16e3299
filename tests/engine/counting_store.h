// CountingStore: a Store wrapper for engine tests that counts the reads and writes going
// to the store underneath, and can be told to fail reads. Thread-safe like any Store.
#pragma once

#include <atomic>
#include <memory>

#include "atoll/storage/store.h"

namespace atl::engine {

class CountingStore final : public storage::Store {
 public:
  explicit CountingStore(std::shared_ptr<storage::Store> inner) : inner_(std::move(inner)) {}

  Result<std::string> Get(std::string_view key, storage::ByteRange range) override {
    if (fail_reads_) return Unavailable("injected read failure: slow down (503)");
    auto data = inner_->Get(key, range);
    if (data.ok()) ++gets, bytes_read += data->size();
    return data;
  }
  Result<storage::ObjectInfo> Head(std::string_view key) override { return inner_->Head(key); }
  Result<storage::ObjectInfo> Put(std::string_view key, const storage::Body& body,
                                  const storage::PutOptions& options) override {
    ++puts;
    return inner_->Put(key, body, options);
  }
  Result<storage::ListPage> List(std::string_view prefix,
                                 const storage::ListOptions& options) override {
    return inner_->List(prefix, options);
  }
  Status DeleteMany(const std::vector<std::string>& keys) override {
    return inner_->DeleteMany(keys);
  }
  Result<storage::ObjectInfo> Copy(std::string_view src, std::string_view dst) override {
    return inner_->Copy(src, dst);
  }
  std::string Describe() const override { return inner_->Describe(); }

  storage::Store& inner() { return *inner_; }
  void FailReads(bool fail) { fail_reads_ = fail; }
  void ResetCounts() { gets = 0, bytes_read = 0, puts = 0; }

  std::atomic<uint64_t> gets{0}, bytes_read{0}, puts{0};

 private:
  std::shared_ptr<storage::Store> inner_;
  std::atomic<bool> fail_reads_{false};
};

}  // namespace atl::engine
