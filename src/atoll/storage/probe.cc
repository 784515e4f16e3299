#include "atoll/storage/probe.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace atl::storage {

namespace {

std::string ProbeKey(std::string_view scratch_prefix) {
  std::random_device rd;
  const uint64_t nonce =
      (uint64_t{rd()} << 32) ^ rd() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  char name[40];
  std::snprintf(name, sizeof name, "atoll-probe-%016llx", static_cast<unsigned long long>(nonce));
  std::string key(scratch_prefix);
  if (!key.empty() && key.back() != '/') key += '/';
  return key + name;
}

// What one conditional write told us.
enum class Answer { kRejected, kAccepted, kNotSupported };

// Maps the outcome of a conditional write that must be rejected with `expected`.
Result<Answer> Judge(const Result<ObjectInfo>& r, StatusCode expected, std::string_view step) {
  if (r.ok()) return Answer::kAccepted;
  if (r.status().code() == expected) return Answer::kRejected;
  if (r.status().code() == StatusCode::kNotSupported) return Answer::kNotSupported;
  return r.status().WithContext(StrCat("probing conditional writes (", step, ")"));
}

}  // namespace

Result<ConditionalWriteSupport> ProbeConditionalWrites(Store& store,
                                                       std::string_view scratch_prefix) {
  const std::string key = ProbeKey(scratch_prefix);
  PutOptions if_absent;
  if_absent.condition = PutCondition::kIfAbsent;
  auto created = PutString(store, key, "atoll conditional write probe 1", if_absent);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kNotSupported)
      return ConditionalWriteSupport::kRefused;
    return created.status().WithContext(
        StrCat("probing conditional writes (create-if-absent of ", key, ")"));
  }

  auto classify = [&]() -> Result<ConditionalWriteSupport> {
    ATOLL_ASSIGN_OR_RETURN(
        Answer again, Judge(PutString(store, key, "atoll conditional write probe 2", if_absent),
                            StatusCode::kAlreadyExists, "second create-if-absent"));
    PutOptions wrong_etag;
    wrong_etag.condition = PutCondition::kIfMatch;
    wrong_etag.if_match = "atoll-probe-not-the-etag";
    ATOLL_ASSIGN_OR_RETURN(
        Answer mismatch, Judge(PutString(store, key, "atoll conditional write probe 3", wrong_etag),
                               StatusCode::kPreconditionFailed, "if-match with a wrong etag"));
    if (again == Answer::kNotSupported || mismatch == Answer::kNotSupported)
      return ConditionalWriteSupport::kRefused;
    if (again == Answer::kAccepted || mismatch == Answer::kAccepted)
      return ConditionalWriteSupport::kIgnored;
    return ConditionalWriteSupport::kHonoured;
  };
  Result<ConditionalWriteSupport> answer = classify();
  (void)Delete(store, key);  // see the header: a leftover probe object is harmless
  return answer;
}

std::string_view DescribeConditionalWriteSupport(ConditionalWriteSupport support) {
  switch (support) {
    case ConditionalWriteSupport::kHonoured:
      return "The store enforces conditional writes (create-if-absent and if-match), so tables can "
             "be "
             "committed safely in the bucket itself.";
    case ConditionalWriteSupport::kRefused:
      return "The store refuses conditional writes as not supported, so commits in the bucket are "
             "not "
             "possible; use a SQLite or PostgreSQL catalog for this lake.";
    case ConditionalWriteSupport::kIgnored:
      return "The store accepts conditional writes but silently ignores their conditions, so "
             "concurrent "
             "commits could overwrite each other; use a SQLite or PostgreSQL catalog for this "
             "lake.";
  }
  return "Unknown conditional write support.";
}

std::string_view ConditionalWriteSupportName(ConditionalWriteSupport support) {
  switch (support) {
    case ConditionalWriteSupport::kHonoured:
      return "honoured";
    case ConditionalWriteSupport::kRefused:
      return "refused";
    case ConditionalWriteSupport::kIgnored:
      return "ignored";
  }
  return "unknown";
}

}  // namespace atl::storage
