#include "atoll/stream/offsets.h"

#include <charconv>
#include <set>
#include <unordered_map>

namespace atl::stream {

namespace {

// Splits "topic:partition=value;..." calling on_entry(tp, value text) for each entry.
template <typename F>
Status ParseEntries(std::string_view text, F on_entry) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = text.substr(pos, end - pos);
    pos = end + 1;
    if (entry.empty()) continue;
    const size_t eq = entry.rfind('=');
    const size_t colon = entry.rfind(':', eq);
    if (eq == std::string_view::npos || colon == std::string_view::npos || colon == 0) {
      return Corruption("stream offsets entry '", entry, "' is not topic:partition=offset");
    }
    TopicPartition tp;
    tp.topic = std::string(entry.substr(0, colon));
    const std::string_view part = entry.substr(colon + 1, eq - colon - 1);
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), tp.partition);
    if (ec != std::errc() || p != part.data() + part.size() || tp.partition < 0) {
      return Corruption("stream offsets entry '", entry, "' has a bad partition");
    }
    ATOLL_RETURN_NOT_OK(on_entry(std::move(tp), entry.substr(eq + 1)));
  }
  return Status::OK();
}

Result<int64_t> ParseOffset(std::string_view text) {
  int64_t value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size() || value < 0) {
    return Corruption("stream offset '", text, "' is not a number");
  }
  return value;
}

}  // namespace

std::string TopicPartition::ToString() const { return StrCat(topic, "/", partition); }

std::string FormatOffsets(const OffsetMap& offsets) {
  std::string out;
  for (const auto& [tp, offset] : offsets) {
    out += StrCat(out.empty() ? "" : ";", tp.topic, ":", tp.partition, "=", offset);
  }
  return out;
}

std::string FormatFrom(const FromMap& from) {
  std::string out;
  for (const auto& [tp, offset] : from) {
    out += StrCat(out.empty() ? "" : ";", tp.topic, ":", tp.partition, "=",
                  offset ? std::to_string(*offset) : std::string("-"));
  }
  return out;
}

Result<OffsetMap> ParseOffsets(std::string_view text) {
  OffsetMap out;
  ATOLL_RETURN_NOT_OK(ParseEntries(text, [&out](TopicPartition tp, std::string_view v) {
    ATOLL_ASSIGN_OR_RETURN(int64_t offset, ParseOffset(v));
    out[std::move(tp)] = offset;
    return Status::OK();
  }));
  return out;
}

Result<FromMap> ParseFrom(std::string_view text) {
  FromMap out;
  ATOLL_RETURN_NOT_OK(ParseEntries(text, [&out](TopicPartition tp, std::string_view v) {
    if (v == "-") {
      out[std::move(tp)] = std::nullopt;
      return Status::OK();
    }
    ATOLL_ASSIGN_OR_RETURN(int64_t offset, ParseOffset(v));
    out[std::move(tp)] = offset;
    return Status::OK();
  }));
  return out;
}

Result<OffsetMap> TableOffsets(const iceberg::TableMetadata& metadata) {
  OffsetMap out;
  if (!metadata.current_snapshot_id) return out;
  std::unordered_map<int64_t, const iceberg::Snapshot*> by_id;
  for (const iceberg::Snapshot& s : metadata.snapshots) by_id[s.snapshot_id] = &s;
  std::set<int64_t> seen;  // a malformed parent chain must not loop
  std::optional<int64_t> id = metadata.current_snapshot_id;
  while (id && seen.insert(*id).second) {
    auto it = by_id.find(*id);
    if (it == by_id.end()) break;  // expired: older offsets are gone with it
    const iceberg::Snapshot& snap = *it->second;
    auto offsets = snap.summary.find(std::string(kOffsetsKey));
    if (offsets != snap.summary.end()) {
      ATOLL_ASSIGN_OR_RETURN_CTX(OffsetMap these, ParseOffsets(offsets->second),
                                 StrCat("reading snapshot ", snap.snapshot_id));
      for (auto& [tp, offset] : these) out.emplace(tp, offset);  // newer entries win
    }
    id = snap.parent_snapshot_id;
  }
  return out;
}

Status CheckFrom(const iceberg::TableMetadata& metadata, const FromMap& from) {
  ATOLL_ASSIGN_OR_RETURN(OffsetMap committed, TableOffsets(metadata));
  for (const auto& [tp, offset] : from) {
    auto it = committed.find(tp);
    const std::optional<int64_t> now =
        it == committed.end() ? std::nullopt : std::optional<int64_t>(it->second);
    if (now != offset) {
      return AlreadyExists("partition ", tp.ToString(), " was committed up to ",
                           now ? std::to_string(*now) : std::string("nothing"),
                           " by another commit; this batch starts at ",
                           offset ? std::to_string(*offset) : std::string("the beginning"));
    }
  }
  return Status::OK();
}

bool HasCommit(const iceberg::TableMetadata& metadata, std::string_view id) {
  for (const iceberg::Snapshot& s : metadata.snapshots) {
    auto it = s.summary.find(std::string(kCommitIdKey));
    if (it != s.summary.end() && it->second == id) return true;
  }
  return false;
}

}  // namespace atl::stream
