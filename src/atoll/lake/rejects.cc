#include "atoll/lake/rejects.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace atl::lake {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoTimeMs(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

Result<bool> MoveToRejected(storage::Store& store, const RejectRequest& r) {
  Result<storage::ObjectInfo> copied = store.Copy(r.source.key, r.rejected_key);
  if (!copied.ok()) {
    if (copied.status().code() == StatusCode::kNotFound) return false;
    return copied.status().WithContext(StrCat("moving ", r.source.key, " to ", r.rejected_key));
  }
  nlohmann::json doc = {{"reason", r.reason},           {"stage", r.stage},
                        {"time", IsoTimeMs(r.time_ms)}, {"source_key", r.source.key},
                        {"size", r.source.size},        {"etag", r.source.etag}};
  storage::PutOptions put;
  put.content_type = "application/json";
  ATOLL_RETURN_NOT_OK_CTX(
      storage::PutString(store, r.rejected_key + ".error.json",
                         doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                         put)
          .status(),
      StrCat("writing the reason for ", r.rejected_key));
  ATOLL_RETURN_NOT_OK_CTX(storage::Delete(store, r.source.key), StrCat("deleting ", r.source.key));
  return true;
}

}  // namespace atl::lake
