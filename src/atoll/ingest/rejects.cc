#include "atoll/ingest/rejects.h"

#include <nlohmann/json.hpp>

#include "atoll/engine/memory_limit.h"

namespace atl::lake {

namespace {

// Whether `source` still holds the version given (kNotFound when gone).
Result<bool> SameVersion(storage::Store& store, const storage::ObjectInfo& source) {
  ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo now, store.Head(source.key));
  return now.size == source.size && now.etag == source.etag;
}

}  // namespace

Result<bool> MoveToRejected(storage::Store& store, const RejectRequest& r) {
  if (!r.source.etag.empty()) {
    Result<bool> same = SameVersion(store, r.source);
    if (!same.ok() && same.status().code() == StatusCode::kNotFound) return false;
    ATOLL_RETURN_NOT_OK(same.status());
    if (!*same) return false;
  }
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
  if (!r.source.etag.empty()) {
    // Replaced while it was being moved: the new version stays, and so does no trace of
    // the rejection.
    Result<bool> same = SameVersion(store, r.source);
    if (!same.ok() && same.status().code() != StatusCode::kNotFound) return same.status();
    if (!same.ok() || !*same) {
      ATOLL_RETURN_NOT_OK(store.DeleteMany({r.rejected_key, r.rejected_key + ".error.json"}));
      return false;
    }
  }
  ATOLL_RETURN_NOT_OK_CTX(storage::Delete(store, r.source.key), StrCat("deleting ", r.source.key));
  return true;
}

Result<std::vector<storage::ObjectInfo>> SetAsideUnusable(const Lake& lake,
                                                          const TableFolder& folder, int64_t now_ms,
                                                          std::vector<RejectedFile>* rejected,
                                                          std::vector<UnusableFile>* skipped) {
  std::vector<storage::ObjectInfo> usable;
  for (const storage::ObjectInfo& file : folder.files) {
    KeyProblem problem = CheckSourceKey(file.key);
    if (folder.problem.empty() && problem.reason.empty()) {
      usable.push_back(file);
      continue;
    }
    const std::string& reason = folder.problem.empty() ? problem.reason : folder.problem;
    if (!problem.movable) {
      skipped->push_back({PrintableName(file.key), reason});
      continue;
    }
    RejectRequest r;
    r.source = file;
    r.rejected_key = StrCat(lake.settings().zones.rejected, "/", file.key);
    r.stage = "name";
    r.reason = reason;
    r.time_ms = now_ms;
    ATOLL_ASSIGN_OR_RETURN(bool moved, MoveToRejected(lake.store(), r));
    if (!moved) continue;  // taken by another process meanwhile
    RejectedFile out;
    out.source = {PrintableName(file.key), file.size, file.etag};
    out.rejected_key = PrintableName(r.rejected_key);
    out.stage = r.stage;
    out.reason = reason;
    rejected->push_back(std::move(out));
  }
  return usable;
}

std::string MemoryLimitReason(std::string_view memory_limit, const Status& st) {
  return StrCat("loading it needs more memory than the lake's limit of ", memory_limit,
                " (prepare.memory_limit); raise the setting to load it (DuckDB: ",
                engine::MemoryLimitDetail(st), ")");
}

}  // namespace atl::lake
