// Shared helpers of the trail tests: sample records and a store wrapper that refuses
// conditional writes (as Swift does).
#pragma once

#include <memory>
#include <string>

#include "atoll/storage/store.h"
#include "atoll/trail/record.h"

namespace atl::trail::testing {

inline Record SampleRecord(uint64_t i, const std::string& metadata_location = "") {
  Record r;
  r.kind = static_cast<RecordKind>(1 + i % kMaxRecordKind);
  r.time_ms = 1795334175000 + static_cast<int64_t>(i);
  r.command = "atoll test " + std::to_string(i);
  r.user = "tester";
  r.host = "host-" + std::to_string(i % 3);
  r.table = "stg.db.t" + std::to_string(i % 5);
  r.snapshot_before = static_cast<int64_t>(i);
  r.snapshot_after = static_cast<int64_t>(i + 1);
  r.files_added = {{"stg/db/t/data/f" + std::to_string(i) + ".parquet", 1000 + i, "sha256:00"}};
  r.fields = {{"i", std::to_string(i)}};
  r.metadata_location = metadata_location;
  return r;
}

// Forwards everything, but answers conditional puts with kNotSupported.
class RefusingStore final : public storage::Store {
 public:
  explicit RefusingStore(std::shared_ptr<storage::Store> inner) : inner_(std::move(inner)) {}
  Result<std::string> Get(std::string_view key, storage::ByteRange range) override {
    return inner_->Get(key, range);
  }
  Result<storage::ObjectInfo> Head(std::string_view key) override { return inner_->Head(key); }
  Result<storage::ObjectInfo> Put(std::string_view key, const storage::Body& body,
                                  const storage::PutOptions& options) override {
    if (options.condition != storage::PutCondition::kNone)
      return NotSupported("conditional writes refused");
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

 private:
  std::shared_ptr<storage::Store> inner_;
};

}  // namespace atl::trail::testing
