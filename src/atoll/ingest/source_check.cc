#include "atoll/ingest/source_check.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "atoll/storage/local_store.h"

namespace atl::lake {

namespace {

enum class Version { kSame, kChanged, kGone };

// The version state of each source, from one Head each (several at a time: a commit may
// have thousands of sources on a remote store).
// With `probe_open`, a local file that someone else holds open counts as changed.
Result<std::vector<Version>> Compare(storage::Store& store, const std::vector<SourceFile>& sources,
                                     bool probe_open) {
  std::vector<Version> out(sources.size(), Version::kSame);
  auto* local = probe_open ? dynamic_cast<storage::LocalStore*>(&store) : nullptr;
  std::vector<Status> errors(sources.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < sources.size(); i = next++) {
      Result<storage::ObjectInfo> head = store.Head(sources[i].key);
      if (!head.ok()) {
        if (head.status().code() == StatusCode::kNotFound) {
          out[i] = Version::kGone;
        } else {
          errors[i] = head.status().WithContext(StrCat("checking ", sources[i].key));
        }
      } else if (head->size != sources[i].size || head->etag != sources[i].etag) {
        out[i] = Version::kChanged;
      } else if (local != nullptr) {
        // Same version, but a writer may still hold the file open between two writes.
        Result<std::optional<bool>> busy = local->OpenElsewhere(sources[i].key);
        if (busy.ok() && busy->value_or(false)) out[i] = Version::kChanged;
      }
    }
  };
  const size_t threads = std::min<size_t>(8, (sources.size() + 15) / 16);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (Status& st : errors) ATOLL_RETURN_NOT_OK(st);
  return out;
}

}  // namespace

Result<std::vector<SourceFile>> ChangedSources(storage::Store& store,
                                               const std::vector<SourceFile>& sources) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Version> versions, Compare(store, sources, true));
  std::vector<SourceFile> out;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (versions[i] != Version::kSame) out.push_back(sources[i]);
  }
  return out;
}

Result<std::vector<SourceFile>> DeleteUnchanged(storage::Store& store,
                                                const std::vector<SourceFile>& sources,
                                                size_t* deleted) {
  // No open-file probe here: after a commit the file was idle when it was checked, and
  // leaving a committed, unchanged file in place would let another process commit it
  // again (its ledger entry is settled). A reader holding it open does not matter.
  ATOLL_ASSIGN_OR_RETURN(std::vector<Version> versions, Compare(store, sources, false));
  std::vector<std::string> keys;
  std::vector<SourceFile> changed;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (versions[i] == Version::kSame) keys.push_back(sources[i].key);
    if (versions[i] == Version::kChanged) changed.push_back(sources[i]);
  }
  if (!keys.empty()) ATOLL_RETURN_NOT_OK(store.DeleteMany(keys));
  if (deleted != nullptr) *deleted = keys.size();
  return changed;
}

std::string GlobReason(std::string_view key) {
  const size_t at = key.find_first_of("*?[]{}");
  if (at == std::string_view::npos) return "";
  return StrCat("the file name holds the glob character '", key.substr(at, 1),
                "', which DuckDB would read as a pattern of other files; rename the file");
}

}  // namespace atl::lake
