#include "atoll/iceberg/manifest/manifest_merge.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include "atoll/common/parallel.h"
#include "atoll/iceberg/manifest/manifest_encoder.h"

namespace atl::iceberg {
namespace {

Result<int64_t> ParseInt(const std::map<std::string, std::string>& props, const std::string& key,
                         int64_t fallback) {
  auto it = props.find(key);
  if (it == props.end()) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || v <= 0) {
    return InvalidArgument("table property ", key, " = '", it->second,
                           "' is not a positive integer");
  }
  return static_cast<int64_t>(v);
}

// A rough size of one entry in a manifest, to cut added files into manifests of about the
// target size without writing them twice.
int64_t EstimatedEntryBytes(const DataFile& f) {
  int64_t n = 64 + static_cast<int64_t>(f.file_path.size() + f.file_format.size()) +
              12 * static_cast<int64_t>(f.partition.size());
  n += 12 * static_cast<int64_t>(f.column_sizes.size() + f.value_counts.size() +
                                 f.null_value_counts.size() + f.nan_value_counts.size());
  for (const auto& [id, b] : f.lower_bounds) n += 6 + static_cast<int64_t>(b.size());
  for (const auto& [id, b] : f.upper_bounds) n += 6 + static_cast<int64_t>(b.size());
  n += 9 * static_cast<int64_t>(f.split_offsets.size());
  return n;
}

bool IsFloating(const TypePtr& t) {
  return t->id() == TypeId::kFloat || t->id() == TypeId::kDouble;
}

bool IsNaN(const Literal& v) {
  if (v.type()->id() == TypeId::kFloat) return std::isnan(v.float_value());
  if (v.type()->id() == TypeId::kDouble) return std::isnan(v.double_value());
  return false;
}

// Partition field summaries of the entries (all statuses, as Java does).
template <typename PartitionOf>
Result<std::vector<FieldSummary>> Summaries(size_t count, PartitionOf partition_of, size_t fields) {
  std::vector<FieldSummary> out(fields);
  if (fields == 0) return out;
  std::vector<std::optional<Literal>> lo(fields), hi(fields);
  for (size_t k = 0; k < count; ++k) {
    const std::vector<Literal>& p = partition_of(k);
    for (size_t i = 0; i < fields && i < p.size(); ++i) {
      const Literal& v = p[i];
      if (IsFloating(v.type()) && !out[i].contains_nan) out[i].contains_nan = false;
      if (v.is_null()) {
        out[i].contains_null = true;
        continue;
      }
      if (IsNaN(v)) {
        out[i].contains_nan = true;
        continue;
      }
      if (!lo[i]) {
        lo[i] = v;
        hi[i] = v;
        continue;
      }
      ATOLL_ASSIGN_OR_RETURN(int c_lo, CompareLiterals(v, *lo[i]));
      if (c_lo < 0) lo[i] = v;
      ATOLL_ASSIGN_OR_RETURN(int c_hi, CompareLiterals(v, *hi[i]));
      if (c_hi > 0) hi[i] = v;
    }
  }
  for (size_t i = 0; i < fields; ++i) {
    if (lo[i]) {
      ATOLL_ASSIGN_OR_RETURN(out[i].lower_bound, LiteralToBytes(*lo[i]));
      ATOLL_ASSIGN_OR_RETURN(out[i].upper_bound, LiteralToBytes(*hi[i]));
    }
  }
  return out;
}

// The schema to write a manifest of `spec` with: the current one, else the newest under
// which the spec is valid (a spec may name columns dropped since).
const Schema* SchemaFor(const TableMetadata& m, const PartitionSpec& spec) {
  const Schema* current = m.CurrentSchema();
  if (current && spec.PartitionType(*current).ok()) return current;
  for (auto it = m.schemas.rbegin(); it != m.schemas.rend(); ++it) {
    if (spec.PartitionType(*it).ok()) return &*it;
  }
  return current;
}

// Packs items from the end into bins of at most `target` total weight (a bin holds at
// least one item), returned in the original order.
std::vector<std::vector<size_t>> PackEnd(const std::vector<size_t>& items,
                                         const std::vector<ManifestFile>& all, int64_t target) {
  std::vector<std::vector<size_t>> bins;
  std::vector<size_t> bin;
  int64_t weight = 0;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    int64_t w = all[*it].manifest_length;
    if (!bin.empty() && weight + w > target) {
      std::reverse(bin.begin(), bin.end());
      bins.push_back(std::move(bin));
      bin.clear();
      weight = 0;
    }
    bin.push_back(*it);
    weight += w;
  }
  if (!bin.empty()) {
    std::reverse(bin.begin(), bin.end());
    bins.push_back(std::move(bin));
  }
  std::reverse(bins.begin(), bins.end());
  return bins;
}

ManifestEncodeOptions EncodeOptions(const ManifestWriteContext& ctx, ManifestContent content) {
  ManifestEncodeOptions o;
  o.content = content;
  o.format_version = ctx.metadata->format_version >= 3 ? 3 : 2;
  return o;
}

}  // namespace

Result<ManifestMergeOptions> ManifestMergeOptions::FromProperties(
    const std::map<std::string, std::string>& props) {
  ManifestMergeOptions o;
  if (auto it = props.find("commit.manifest-merge.enabled"); it != props.end()) {
    if (it->second != "true" && it->second != "false") {
      return InvalidArgument("table property commit.manifest-merge.enabled = '", it->second,
                             "' is not true or false");
    }
    o.enabled = it->second == "true";
  }
  ATOLL_ASSIGN_OR_RETURN(o.target_size_bytes,
                         ParseInt(props, "commit.manifest.target-size-bytes", o.target_size_bytes));
  ATOLL_ASSIGN_OR_RETURN(int64_t min_count, ParseInt(props, "commit.manifest.min-count-to-merge",
                                                     o.min_count_to_merge));
  o.min_count_to_merge = static_cast<int>(std::min<int64_t>(min_count, 1 << 30));
  return o;
}

Result<ManifestFile> WriteManifestFile(const ManifestWriteContext& ctx, int32_t spec_id,
                                       const std::vector<ManifestEntry>& entries,
                                       ManifestContent content) {
  const PartitionSpec* spec = ctx.metadata->SpecById(spec_id);
  if (spec == nullptr) return InvalidArgument("partition spec ", spec_id, " does not exist");
  const Schema* schema = SchemaFor(*ctx.metadata, *spec);
  if (schema == nullptr) return Internal("the table has no schema");
  ATOLL_ASSIGN_OR_RETURN(std::string bytes,
                         EncodeManifest(*schema, *spec, entries, EncodeOptions(ctx, content)));
  ManifestFile mf;
  mf.manifest_path = JoinLocation(ctx.metadata_dir, ctx.new_uuid() + "-m0.avro");
  mf.manifest_length = static_cast<int64_t>(bytes.size());
  mf.partition_spec_id = spec_id;
  mf.content = content;
  mf.sequence_number = ctx.sequence_number;
  mf.added_snapshot_id = ctx.snapshot_id;
  int32_t added = 0, existing = 0, deleted = 0;
  int64_t added_rows = 0, existing_rows = 0, deleted_rows = 0;
  std::optional<int64_t> min_seq;
  for (const ManifestEntry& e : entries) {
    int64_t rows = e.data_file.record_count;
    switch (e.status) {
      case EntryStatus::kAdded:
        ++added, added_rows += rows;
        break;
      case EntryStatus::kExisting:
        ++existing, existing_rows += rows;
        break;
      case EntryStatus::kDeleted:
        ++deleted, deleted_rows += rows;
        break;
    }
    if (e.is_live()) {
      int64_t seq = e.sequence_number.value_or(ctx.sequence_number);
      min_seq = min_seq ? std::min(*min_seq, seq) : seq;
    }
  }
  mf.min_sequence_number = min_seq.value_or(ctx.sequence_number);
  mf.added_files_count = added;
  mf.existing_files_count = existing;
  mf.deleted_files_count = deleted;
  mf.added_rows_count = added_rows;
  mf.existing_rows_count = existing_rows;
  mf.deleted_rows_count = deleted_rows;
  ATOLL_ASSIGN_OR_RETURN(mf.partitions, Summaries(
                                            entries.size(),
                                            [&](size_t k) -> const std::vector<Literal>& {
                                              return entries[k].data_file.partition;
                                            },
                                            spec->fields.size()));
  if (ctx.written) ctx.written->Add(mf.manifest_path);
  ATOLL_RETURN_NOT_OK(WriteNewFile(*ctx.io, mf.manifest_path, std::move(bytes)));
  return mf;
}

Result<std::vector<ManifestFile>> WriteAddedManifests(const ManifestWriteContext& ctx,
                                                      int32_t spec_id,
                                                      const std::vector<DataFile>& files,
                                                      int64_t target_size_bytes,
                                                      ManifestContent content) {
  // Cut into chunks of about the target size.
  std::vector<std::pair<size_t, size_t>> chunks;  // [begin, end)
  size_t begin = 0;
  int64_t bytes = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    int64_t b = EstimatedEntryBytes(files[i]);
    if (i > begin && bytes + b > target_size_bytes) {
      chunks.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += b;
  }
  if (begin < files.size()) chunks.emplace_back(begin, files.size());
  std::vector<ManifestFile> out(chunks.size());
  ATOLL_RETURN_NOT_OK(ParallelFor(chunks.size(), ctx.parallelism, [&](size_t c) -> Status {
    const DataFile* first = files.data() + chunks[c].first;
    const size_t n = chunks[c].second - chunks[c].first;
    const PartitionSpec* spec = ctx.metadata->SpecById(spec_id);
    if (spec == nullptr) return InvalidArgument("partition spec ", spec_id, " does not exist");
    const Schema* schema = SchemaFor(*ctx.metadata, *spec);
    if (schema == nullptr) return Internal("the table has no schema");
    ATOLL_ASSIGN_OR_RETURN(std::string bytes,
                           EncodeAddedManifest(*schema, *spec, first, n, ctx.snapshot_id,
                                               EncodeOptions(ctx, content)));
    ManifestFile& mf = out[c];
    mf.manifest_path = JoinLocation(ctx.metadata_dir, ctx.new_uuid() + "-m0.avro");
    mf.manifest_length = static_cast<int64_t>(bytes.size());
    mf.partition_spec_id = spec_id;
    mf.content = content;
    mf.sequence_number = mf.min_sequence_number = ctx.sequence_number;
    mf.added_snapshot_id = ctx.snapshot_id;
    int64_t rows = 0;
    for (size_t i = 0; i < n; ++i) rows += first[i].record_count;
    mf.added_files_count = static_cast<int32_t>(n);
    mf.existing_files_count = mf.deleted_files_count = 0;
    mf.added_rows_count = rows;
    mf.existing_rows_count = mf.deleted_rows_count = 0;
    ATOLL_ASSIGN_OR_RETURN(
        mf.partitions,
        Summaries(
            n, [&](size_t k) -> const std::vector<Literal>& { return first[k].partition; },
            spec->fields.size()));
    if (ctx.written) ctx.written->Add(mf.manifest_path);
    return WriteNewFile(*ctx.io, mf.manifest_path, std::move(bytes));
  }));
  return out;
}

Result<Manifest> ReadManifestFile(const FileIO& io, const ManifestFile& file) {
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(file.manifest_path));
  return ReadManifest(bytes, file.manifest_path, &file);
}

Result<std::vector<ManifestFile>> MergeManifests(const ManifestWriteContext& ctx,
                                                 const std::vector<ManifestFile>& manifests,
                                                 size_t new_manifest_count,
                                                 const ManifestMergeOptions& options) {
  (void)new_manifest_count;  // the new manifests are first; the rules only need the order
  if (!options.enabled) return manifests;
  // Groups by (content, spec), in order of first appearance; data groups first.
  using Key = std::pair<ManifestContent, int32_t>;
  std::vector<Key> order;
  std::map<Key, std::vector<size_t>> groups;
  for (ManifestContent content : {ManifestContent::kData, ManifestContent::kDeletes}) {
    for (size_t i = 0; i < manifests.size(); ++i) {
      if (manifests[i].content != content) continue;
      Key key{content, manifests[i].partition_spec_id};
      auto [it, fresh] = groups.try_emplace(key);
      if (fresh) order.push_back(key);
      it->second.push_back(i);
    }
  }
  struct Output {
    std::optional<size_t> keep;  // an unmerged manifest
    std::vector<size_t> merge;   // or a bin to merge
    Key key;
    ManifestFile merged;
  };
  std::vector<Output> outputs;
  for (const Key& key : order) {
    const std::vector<size_t>& group = groups[key];
    for (std::vector<size_t>& bin : PackEnd(group, manifests, options.target_size_bytes)) {
      bool holds_first = std::find(bin.begin(), bin.end(), group.front()) != bin.end();
      if (bin.size() == 1 ||
          (holds_first && static_cast<int>(bin.size()) < options.min_count_to_merge)) {
        for (size_t i : bin) outputs.push_back(Output{i, {}, key, {}});
      } else {
        outputs.push_back(Output{std::nullopt, std::move(bin), key, {}});
      }
    }
  }
  std::vector<size_t> to_merge;
  for (size_t o = 0; o < outputs.size(); ++o) {
    if (!outputs[o].keep) to_merge.push_back(o);
  }
  ATOLL_RETURN_NOT_OK(ParallelFor(to_merge.size(), ctx.parallelism, [&](size_t k) -> Status {
    Output& out = outputs[to_merge[k]];
    std::vector<ManifestEntry> entries;
    for (size_t i : out.merge) {
      ATOLL_ASSIGN_OR_RETURN(Manifest m, ReadManifestFile(*ctx.io, manifests[i]));
      for (ManifestEntry& e : m.entries) {
        bool ours = e.snapshot_id == ctx.snapshot_id;
        if (e.status == EntryStatus::kDeleted) {
          if (ours) entries.push_back(std::move(e));  // deleted by this snapshot
          continue;
        }
        if (!(e.status == EntryStatus::kAdded && ours)) e.status = EntryStatus::kExisting;
        entries.push_back(std::move(e));
      }
    }
    ATOLL_ASSIGN_OR_RETURN(out.merged,
                           WriteManifestFile(ctx, out.key.second, entries, out.key.first));
    return Status::OK();
  }));
  std::vector<ManifestFile> result;
  for (Output& out : outputs)
    result.push_back(out.keep ? manifests[*out.keep] : std::move(out.merged));
  return result;
}

}  // namespace atl::iceberg
