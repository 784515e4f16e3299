#include "atoll/trail/verify.h"

#include <algorithm>
#include <map>
#include <optional>

#include "atoll/trail/record.h"
#include "atoll/trail/segment.h"

namespace atl::trail {
namespace {

std::string Range(uint64_t first, uint64_t last) {
  return first == last ? StrCat("record ", first) : StrCat("records ", first, "..", last);
}

class Reporter {
 public:
  Reporter(VerifyReport& report, size_t max) : report_(report), max_(max) {}
  template <typename... Args>
  void Add(const Args&... args) {
    ++report_.problem_count;
    if (report_.problems.size() < max_) report_.problems.push_back(StrCat(args...));
  }

 private:
  VerifyReport& report_;
  size_t max_;
};

struct CheckpointEntry {
  Checkpoint checkpoint;
  bool valid = false;  // signature and chain good; root still to be compared
};

// What the verifier knows from outside the bucket (a pinned key, a checkpoint seen
// before) against what the bucket holds now.
void CheckExpectations(const VerifyInput& in, const VerifyOptions& options, VerifyReport& report,
                       Reporter& problems) {
  if (in.verifier != nullptr)
    report.key = StrCat(in.verifier->algorithm(), " ", in.verifier->key_id());
  if (!options.known_key.empty() && report.key != options.known_key) {
    problems.Add("checkpoints are checked with key ", report.key.empty() ? "(none)" : report.key,
                 ", but key ", options.known_key,
                 " signed the checkpoint seen before (the bucket's public key was replaced)");
  }
  if (options.require_checkpoint && report.records > 0 && report.latest_checkpoint == 0) {
    problems.Add("no valid checkpoint covers the ", report.records,
                 " records, but a public key is pinned (checkpoints deleted?)");
  }
  if (options.known_checkpoint_size > report.latest_checkpoint) {
    problems.Add("a checkpoint of ", options.known_checkpoint_size,
                 " records was seen before, but the latest valid checkpoint covers ",
                 report.latest_checkpoint, " (checkpoints deleted or the log truncated)");
  }
}

}  // namespace

std::string NumberedKey(std::string_view folder, uint64_t n, std::string_view suffix) {
  char digits[21];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(n));
  return StrCat(folder, digits, suffix);
}

std::optional<uint64_t> ParseNumberedKey(std::string_view key, std::string_view folder,
                                         std::string_view suffix) {
  if (key.size() != folder.size() + 20 + suffix.size()) return std::nullopt;
  if (key.substr(0, folder.size()) != folder || key.substr(folder.size() + 20) != suffix)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : key.substr(folder.size(), 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string VerifyReport::Summary() const {
  std::string s =
      StrCat(ok() ? "trail OK: " : "trail NOT OK: ", records, " records in ", objects, " objects, ",
             checkpoints_valid, " of ", checkpoints, " checkpoints valid");
  if (latest_checkpoint > 0) s += StrCat(" (latest covers ", latest_checkpoint, " records)");
  s += StrCat(", ", metadata_checked, " metadata files checked, root ", ToHex(root));
  if (!ok()) s += StrCat("; ", problem_count, " problems");
  return s;
}

Result<VerifyReport> VerifyLog(const VerifyInput& in, const VerifyOptions& options) {
  VerifyReport report;
  Reporter problems(report, options.max_problems);
  for (const auto& p : in.key_problems) problems.Add(p);
  const std::string records_folder = in.prefix + "/records/";
  const std::string checkpoints_folder = in.prefix + "/checkpoints/";

  // 1. Checkpoints: parse, signature, chain.
  ATOLL_ASSIGN_OR_RETURN(auto checkpoint_objects, storage::ListAll(*in.store, checkpoints_folder));
  std::map<uint64_t, CheckpointEntry> checkpoints;
  for (const auto& obj : checkpoint_objects) {
    auto size = ParseNumberedKey(obj.key, checkpoints_folder, ".ckpt");
    if (!size) {
      problems.Add("unexpected object ", obj.key, " among the checkpoints");
      continue;
    }
    ++report.checkpoints;
    auto text = in.store->Get(obj.key);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;  // deleted while listing
      return text.status().WithContext(StrCat("reading ", obj.key));
    }
    std::string_view signed_part;
    auto parsed = ParseCheckpoint(*text, &signed_part);
    if (!parsed.ok()) {
      problems.Add("checkpoint ", *size, ": ", parsed.status().message());
      continue;
    }
    CheckpointEntry entry{std::move(*parsed), false};
    const Checkpoint& c = entry.checkpoint;
    if (c.size != *size) {
      problems.Add("checkpoint ", *size, ": says it covers ", c.size, " records");
    } else if (in.verifier == nullptr) {
      problems.Add("checkpoint ", *size, ": no key to check its signature");
    } else if (c.algorithm != in.verifier->algorithm() || c.key_id != in.verifier->key_id()) {
      problems.Add("checkpoint ", *size, " signed by ", c.algorithm, " key ", c.key_id,
                   ", expected ", in.verifier->algorithm(), " key ", in.verifier->key_id());
    } else if (!in.verifier->Verify(signed_part, c.signature).ok()) {
      problems.Add("checkpoint ", *size, " signature invalid");
    } else {
      entry.valid = true;
    }
    checkpoints.emplace(*size, std::move(entry));
  }
  uint64_t prev_valid = 0;
  for (auto& [size, entry] : checkpoints) {
    if (!entry.valid) continue;
    uint64_t previous = entry.checkpoint.previous;
    if (previous != prev_valid) {
      if (previous > prev_valid) {
        problems.Add("checkpoint ", size, " names previous checkpoint ", previous,
                     ", which is missing or invalid");
      } else {
        problems.Add("checkpoint ", size, " names previous checkpoint ", previous,
                     " but checkpoint ", prev_valid, " lies between");
      }
    }
    prev_valid = size;
  }

  // 2. Records, in key order; recompute leaves and the tree, compare with checkpoints.
  ATOLL_ASSIGN_OR_RETURN(auto record_objects, storage::ListAll(*in.store, records_folder));
  MerkleFrontier frontier;
  std::optional<uint64_t> broken_at;  // the tree is unusable from this record on
  uint64_t expected = 0;
  bool have_expected = true;  // false after an unreadable object, until the next key
  uint64_t last_good_checkpoint = 0;
  auto next_checkpoint = checkpoints.begin();
  auto compare_checkpoints = [&]() {
    while (next_checkpoint != checkpoints.end() && next_checkpoint->first <= frontier.size()) {
      auto& [size, entry] = *next_checkpoint;
      if (entry.valid && size == frontier.size() && !broken_at) {
        Hash root = frontier.Root();
        if (root == entry.checkpoint.root) {
          ++report.checkpoints_valid;
          report.latest_checkpoint = size;
          report.latest_checkpoint_root = root;
          last_good_checkpoint = size;
        } else {
          problems.Add("checkpoint ", size, ": root of records 0..", size - 1,
                       " differs from the signed root (a record in ", last_good_checkpoint, "..",
                       size - 1, " changed; computed ", ToHex(root), ", signed ",
                       ToHex(entry.checkpoint.root), ")");
        }
      } else if (entry.valid && size != frontier.size() && !broken_at) {
        problems.Add("checkpoint ", size, ": does not fall on a record-object boundary");
      }
      ++next_checkpoint;
    }
  };
  compare_checkpoints();  // a checkpoint of the empty log
  auto mark_broken = [&](uint64_t at) {
    if (!broken_at) broken_at = at;
  };

  for (size_t oi = 0; oi < record_objects.size(); ++oi) {
    const auto& obj = record_objects[oi];
    auto first = ParseNumberedKey(obj.key, records_folder, ".rec");
    if (!first) {
      problems.Add("unexpected object ", obj.key, " among the records");
      continue;
    }
    if (!have_expected) {
      expected = *first;  // resynchronise after an unreadable object
      have_expected = true;
    } else if (*first > expected) {
      problems.Add(Range(expected, *first - 1), " missing");
      mark_broken(expected);
    } else if (*first < expected) {
      problems.Add("record object ", obj.key, " starts at record ", *first, " but records up to ",
                   expected - 1, " came before it (overlap or reordering)");
      mark_broken(*first);
    }
    auto bytes = in.store->Get(obj.key);
    if (!bytes.ok()) {
      if (bytes.status().code() != StatusCode::kNotFound)
        return bytes.status().WithContext(StrCat("reading ", obj.key));
      problems.Add("record object ", obj.key, " vanished while verifying");
      mark_broken(*first);
      have_expected = false;
      continue;
    }
    ++report.objects;
    auto view = ParseSegment(*bytes);
    if (!view.ok()) {
      problems.Add("record object ", obj.key, " (from record ", *first,
                   "): ", view.status().message());
      mark_broken(*first);
      have_expected = false;
      continue;
    }
    if (view->first_sequence != *first) {
      problems.Add("record object ", obj.key, " holds records from ", view->first_sequence,
                   ", not ", *first, " (moved or reordered)");
      mark_broken(*first);
    }
    if (!broken_at && in.object_starts_out != nullptr) in.object_starts_out->push_back(*first);
    for (size_t i = 0; i < view->records.size(); ++i) {
      uint64_t seq = *first + i;
      std::string_view bytes_i = view->records[i];
      Hash leaf = LeafHash(bytes_i);
      if (leaf != view->leaf_hashes[i]) {
        problems.Add("record ", seq, ": leaf hash differs from the one stored in its object");
      }
      auto record = DecodeRecord(bytes_i);
      if (!record.ok()) {
        problems.Add("record ", seq, ": ", record.status().message());
      } else {
        if (record->sequence != seq) {
          problems.Add("record ", seq, ": carries sequence number ", record->sequence);
        }
        if (options.metadata_hasher && record->metadata_sha256 &&
            !record->metadata_location.empty()) {
          ++report.metadata_checked;
          auto now = options.metadata_hasher(record->metadata_location);
          if (!now.ok()) {
            if (now.status().code() == StatusCode::kNotFound) {
              problems.Add("metadata file ", record->metadata_location, " (record ", seq,
                           "): missing");
            } else {
              problems.Add("metadata file ", record->metadata_location, " (record ", seq,
                           "): cannot be read: ", now.status().ToString());
            }
          } else if (*now != *record->metadata_sha256) {
            problems.Add("metadata file ", record->metadata_location, " (record ", seq,
                         "): sha256 differs (recorded ", ToHex(*record->metadata_sha256), ", now ",
                         ToHex(*now), ")");
          }
        }
      }
      ++report.records;
      if (!broken_at) {
        frontier.AppendLeafHash(leaf);
        if (in.tree_out != nullptr) in.tree_out->AppendLeafHash(leaf);
      }
    }
    if (!broken_at) {
      compare_checkpoints();
      if (options.known_checkpoint_root && frontier.size() == options.known_checkpoint_size &&
          frontier.Root() != *options.known_checkpoint_root) {
        problems.Add("records 0..", frontier.size() - 1, " no longer hash to the root ",
                     ToHex(*options.known_checkpoint_root),
                     " of the checkpoint seen before (the log was rewritten and re-signed)");
      }
    }
    expected = *first + view->records.size();
  }

  // 3. What the checkpoints promise beyond what was read.
  uint64_t end = broken_at ? *broken_at : frontier.size();
  for (; next_checkpoint != checkpoints.end(); ++next_checkpoint) {
    auto& [size, entry] = *next_checkpoint;
    if (!entry.valid) continue;
    if (broken_at) {
      problems.Add("checkpoint ", size, " not checked: the log is broken from record ", *broken_at);
    } else {
      problems.Add("log truncated: checkpoint ", size, " covers ", size, " records but only ", end,
                   " exist (", Range(end, size - 1), " missing)");
    }
  }
  if (!broken_at && options.min_size > end) {
    problems.Add("log truncated: ", options.min_size, " records expected, only ", end, " exist");
  }
  CheckExpectations(in, options, report, problems);
  report.root = frontier.Root();
  return report;
}

}  // namespace atl::trail
