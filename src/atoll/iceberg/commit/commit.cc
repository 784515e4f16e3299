#include "atoll/iceberg/commit/commit.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <thread>

#include "atoll/common/clock.h"
#include "atoll/common/retry.h"

namespace atl::iceberg {
namespace {

// Per thread, reseeded in a forked child: a child must not repeat its parent's (or a
// sibling's) sequence, or two processes would write metadata files of the same name.
uint64_t RandomU64() {
  thread_local std::mt19937_64 rng;
  thread_local pid_t seeded_for = 0;
  if (seeded_for != ::getpid()) {
    seeded_for = ::getpid();
    std::random_device rd;
    rng.seed(
        (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
        (static_cast<uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 1) ^
        static_cast<uint64_t>(seeded_for));
  }
  return rng();
}

Result<int64_t> ParseMillis(const std::map<std::string, std::string>& props, const std::string& key,
                            int64_t fallback) {
  auto it = props.find(key);
  if (it == props.end()) return fallback;
  const std::string& text = it->second;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0) {
    return InvalidArgument("table property ", key, " = '", text, "' is not a non-negative integer");
  }
  return static_cast<int64_t>(v);
}

// Writes idempotently: the same bytes to the same fresh key may be repeated after a
// transient error or an unknown outcome.
Status WriteOnce(const FileIO& io, const std::string& location, const std::string& bytes) {
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.base_delay = std::chrono::milliseconds(20);
  policy.max_delay = std::chrono::milliseconds(500);
  return Retry(policy, [&]() { return io.Write(location, bytes).status(); });
}

// Reads the table's pointer, retrying transient errors.
Result<std::string> LoadPointer(Catalog& catalog, const TableIdentifier& id) {
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.base_delay = std::chrono::milliseconds(20);
  policy.max_delay = std::chrono::milliseconds(500);
  return Retry(policy, [&]() { return catalog.LoadMetadataLocation(id); });
}

Result<TableMetadata> ReadMetadata(const FileIO& io, const std::string& location) {
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.base_delay = std::chrono::milliseconds(20);
  policy.max_delay = std::chrono::milliseconds(500);
  ATOLL_ASSIGN_OR_RETURN(std::string text, Retry(policy, [&]() { return io.Read(location); }));
  return TableMetadata::Parse(text, location);
}

std::string IdText(const TableIdentifier& id) {
  std::string out;
  for (const std::string& level : id.ns) out += level + ".";
  return out + id.name;
}

}  // namespace

Status WriteNewFile(const FileIO& io, const std::string& location, std::string bytes) {
  return WriteOnce(io, location, bytes);
}

std::string RandomUuid() {
  uint64_t hi = RandomU64(), lo = RandomU64();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // variant 10
  char buf[40];
  using ull = unsigned long long;
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<ull>(hi >> 32),
                static_cast<ull>((hi >> 16) & 0xFFFF), static_cast<ull>(hi & 0xFFFF),
                static_cast<ull>(lo >> 48), static_cast<ull>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

CommitEnv CommitEnv::WithDefaults() const {
  CommitEnv env = *this;
  if (!env.now_ms) {
    env.now_ms = SystemNowMs;
  }
  if (!env.new_uuid) env.new_uuid = RandomUuid;
  if (!env.new_snapshot_id) {
    env.new_snapshot_id = [] {
      int64_t id = 0;
      // Below 2^53 so that readers holding ids as IEEE doubles (JavaScript) keep them exact.
      while (id == 0) id = static_cast<int64_t>(RandomU64() & ((1ull << 53) - 1));
      return id;
    };
  }
  if (!env.sleep) env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  return env;
}

Result<CommitRetryOptions> CommitRetryOptions::FromProperties(
    const std::map<std::string, std::string>& props) {
  CommitRetryOptions o;
  ATOLL_ASSIGN_OR_RETURN(int64_t retries,
                         ParseMillis(props, "commit.retry.num-retries", o.num_retries));
  ATOLL_ASSIGN_OR_RETURN(int64_t min_wait,
                         ParseMillis(props, "commit.retry.min-wait-ms", o.min_wait.count()));
  ATOLL_ASSIGN_OR_RETURN(int64_t max_wait,
                         ParseMillis(props, "commit.retry.max-wait-ms", o.max_wait.count()));
  ATOLL_ASSIGN_OR_RETURN(
      int64_t total, ParseMillis(props, "commit.retry.total-timeout-ms", o.total_timeout.count()));
  o.num_retries = static_cast<int>(std::min<int64_t>(retries, 1000));
  o.min_wait = std::chrono::milliseconds(min_wait);
  o.max_wait = std::chrono::milliseconds(std::max(max_wait, min_wait));
  o.total_timeout = std::chrono::milliseconds(total);
  return o;
}

std::optional<int64_t> MetadataFileVersion(std::string_view location) {
  size_t slash = location.rfind('/');
  std::string_view name = slash == std::string_view::npos ? location : location.substr(slash + 1);
  if (!name.empty() && name.front() == 'v') name.remove_prefix(1);
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits > 18) return std::nullopt;
  if (digits < name.size() && name[digits] != '-' && name[digits] != '.') return std::nullopt;
  return std::stoll(std::string(name.substr(0, digits)));
}

std::string MetadataFileLocation(const std::string& table_location, int64_t version,
                                 const std::string& uuid) {
  char num[32];
  std::snprintf(num, sizeof num, "%05" PRId64, version);
  return JoinLocation(table_location,
                      "metadata/" + std::string(num) + "-" + uuid + ".metadata.json");
}

void WrittenFiles::Add(const std::string& location) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.insert(location);
}

std::set<std::string> WrittenFiles::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

Result<std::string> WriteFirstMetadataFile(const FileIO& io, const TableMetadata& metadata,
                                           const CommitEnv& env) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, metadata.ToJsonString());
  std::string location = MetadataFileLocation(metadata.location, 0, env.new_uuid());
  ATOLL_RETURN_NOT_OK(WriteOnce(io, location, text));
  return location;
}

void WriteVersionHint(const FileIO& io, const std::string& table_location,
                      const std::string& metadata_location) {
  std::string_view name = metadata_location;
  if (size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  constexpr std::string_view kSuffix = ".metadata.json";
  if (name.size() > kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix) {
    name.remove_suffix(kSuffix.size());
  }
  (void)io.Write(JoinLocation(table_location, "metadata/version-hint.text"), std::string(name));
}

Result<CommitOutcome> CommitWithRetries(Catalog& catalog, const FileIO& io,
                                        const TableIdentifier& id, TableMetadata base,
                                        std::string base_location, const CommitEnv& env_in,
                                        const AttemptFn& attempt_fn) {
  const CommitEnv env = env_in.WithDefaults();
  WrittenFiles written;
  // After a definite failure: nothing this commit wrote is referenced.
  auto fail = [&](Status error) -> Status {
    std::set<std::string> files = written.All();
    (void)io.Delete(std::vector<std::string>(files.begin(), files.end()));
    return error;
  };
  const int64_t started_ms = env.now_ms();
  for (int attempt = 1;; ++attempt) {
    ATOLL_ASSIGN_OR_RETURN(CommitRetryOptions retry,
                           CommitRetryOptions::FromProperties(base.properties));
    Result<AttemptResult> applied = attempt_fn(base, base_location, attempt, &written);
    if (!applied.ok()) return fail(applied.status());
    TableMetadata next = std::move(applied->metadata);

    int64_t version = MetadataFileVersion(base_location)
                          .value_or(static_cast<int64_t>(base.metadata_log.size())) +
                      1;
    std::string location = MetadataFileLocation(next.location, version, env.new_uuid());
    Result<std::string> text = next.ToJsonString();
    if (!text.ok()) return fail(text.status());
    written.Add(location);
    Status st = WriteOnce(io, location, *text);
    if (!st.ok()) return fail(st.WithContext("writing the new metadata file"));

    st = catalog.SwapMetadataLocation(id, base_location, location);
    if (st.code() == StatusCode::kUnknownOutcome) {
      // Did it land? The pointer is ours, or a later commit lists ours in its metadata log.
      Result<std::string> now = LoadPointer(catalog, id);
      if (now.ok() && *now == location) st = Status::OK();
      if (now.ok() && *now != location && *now != base_location) {
        Result<TableMetadata> current = ReadMetadata(io, *now);
        if (current.ok()) {
          for (const MetadataLogEntry& e : current->metadata_log) {
            if (e.metadata_file == location) st = Status::OK();
          }
        }
      }
      if (!st.ok()) {
        return UnknownOutcome("the commit to table '", IdText(id),
                              "' may or may not have taken effect (", st.message(),
                              "); its files are kept: ", location);
      }
    }
    if (st.ok()) {
      std::set<std::string> keep = applied->referenced;
      keep.insert(location);
      std::vector<std::string> unused;
      for (const std::string& f : written.All()) {
        if (!keep.count(f)) unused.push_back(f);
      }
      if (!unused.empty()) (void)io.Delete(unused);
      WriteVersionHint(io, next.location, location);
      return CommitOutcome{std::move(next), location, attempt};
    }
    if (st.code() != StatusCode::kCommitConflict && st.code() != StatusCode::kUnavailable) {
      return fail(st.WithContext("committing to table '" + IdText(id) + "'"));
    }
    // Certainly not applied: this metadata file is garbage.
    (void)io.Delete({location});
    int64_t elapsed = env.now_ms() - started_ms;
    if (attempt > std::max(retry.num_retries, env.min_retries) ||
        elapsed > retry.total_timeout.count()) {
      return fail(st.WithContext(
          StrCat("committing to table '", IdText(id), "' failed after ", attempt, " attempts")));
    }
    if (env.on_retry) env.on_retry(attempt, st);
    RetryPolicy policy;
    policy.base_delay = retry.min_wait;
    policy.max_delay = retry.max_wait;
    env.sleep(BackoffDelay(policy, attempt));
    // Refresh the base.
    Result<std::string> now = LoadPointer(catalog, id);
    if (!now.ok()) return fail(now.status().WithContext("reloading table '" + IdText(id) + "'"));
    if (*now != base_location) {
      Result<TableMetadata> fresh = ReadMetadata(io, *now);
      if (!fresh.ok())
        return fail(fresh.status().WithContext("reloading table '" + IdText(id) + "'"));
      base = std::move(*fresh);
      base_location = *now;
    }
  }
}

}  // namespace atl::iceberg
