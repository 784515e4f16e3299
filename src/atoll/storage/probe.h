// Probe: finds out how a store answers conditional writes, before a lake trusts it
// with commits (the in-bucket catalog's compare-and-swap needs them honoured).
//
// ProbeConditionalWrites(store, scratch_prefix) works on one uniquely named object
// "<scratch_prefix>/atoll-probe-<random>":
//   1. Put with kIfAbsent (creates it);
//   2. Put with kIfAbsent again: an honouring store answers kAlreadyExists;
//   3. Put with kIfMatch and an etag that cannot be current: an honouring store
//      answers kPreconditionFailed;
//   4. deletes the object (a failure to delete is ignored: the probe already has its
//      answer, and a leftover probe object under the scratch prefix is harmless).
// Classification:
//   - kNotSupported from any step -> kRefused (the store says it cannot);
//   - step 2 or 3 succeeds        -> kIgnored (the store accepts the condition and
//                                    silently overwrites: unsafe for commits);
//   - both rejected as above      -> kHonoured.
// Any other error (network, permission, ...) is returned with context; the answer is
// then unknown. The probe writes a few bytes and may be run at any time; concurrent
// probes use distinct keys.
#pragma once

#include <string>
#include <string_view>

#include "atoll/storage/store.h"

namespace atl::storage {

enum class ConditionalWriteSupport { kHonoured, kRefused, kIgnored };

Result<ConditionalWriteSupport> ProbeConditionalWrites(Store& store,
                                                       std::string_view scratch_prefix);

// One sentence for a person, e.g. in `atoll doctor` output or an error message.
std::string_view DescribeConditionalWriteSupport(ConditionalWriteSupport support);

// "honoured", "refused" or "ignored".
std::string_view ConditionalWriteSupportName(ConditionalWriteSupport support);

}  // namespace atl::storage
