// atoll cp: copies an object, or every object under a prefix, between locations.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "atoll/cli/command.h"
#include "atoll/cli/io_progress.h"
#include "atoll/common/progress.h"
#include "atoll/storage/open_store.h"
#include "atoll/storage/transfer.h"

namespace atl::cli {

namespace {

using storage::CopyItem;
using storage::Location;

std::string_view BaseName(std::string_view key) {
  size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

// The one item of a non-recursive copy (dst_key left empty): SRC must be an object.
Result<CopyItem> PlanSingle(const Location& src) {
  const std::string hint = "use --recursive (-r) to copy what it holds";
  if (src.is_directory) return InvalidArgument(src.uri, " is a directory; ", hint);
  Result<storage::ObjectInfo> info = src.store->Head(src.key);
  if (!info.ok()) {
    if (info.status().code() != StatusCode::kNotFound) return info.status().WithContext(src.uri);
    storage::ListOptions one;
    one.max_keys = 1;
    Result<storage::ListPage> page = src.store->List(src.DirPrefix(), one);
    if (page.ok() && !page->objects.empty())
      return InvalidArgument(src.uri, " is a directory; ", hint);
    return NotFound("no such object: ", src.uri);
  }
  CopyItem item;
  item.src_key = src.key;
  item.size = info->size;
  return item;
}

Status RunCp(const ParsedArgs& args, Io& io) {
  const std::string& src_uri = args.positional()[0];
  const std::string& dst_uri = args.positional()[1];
  const bool recursive = args.Has("recursive");
  storage::TransferOptions options;
  options.parallel = static_cast<int>(args.Int("parallel", options.parallel));
  ATOLL_ASSIGN_OR_RETURN(Location src,
                         storage::ResolveLocation(src_uri, storage::LocationUse::kRead));
  // What to copy is found before DST is resolved, which creates missing local directories.
  std::vector<CopyItem> items;
  if (recursive) {
    ATOLL_ASSIGN_OR_RETURN(items,
                           storage::PlanPrefixCopy(*src.store, src.DirPrefix(), "", options.retry));
    if (items.empty() && !src.key.empty())
      return NotFound("nothing to copy: no objects under ", src_uri);
  } else {
    ATOLL_ASSIGN_OR_RETURN(CopyItem item, PlanSingle(src));
    items.push_back(std::move(item));
  }
  ProgressBar bar = ProgressBar::ForStderr("copying");
  uint64_t bytes_total = 0;
  for (const CopyItem& item : items) bytes_total += item.size;
  IoProgress io_progress(bar, bytes_total);  // bytes inside each object as they move
  options.on_progress = [&io_progress](const ProgressCounts& counts) {
    io_progress.SetObjects(counts.objects_done, counts.objects_total, counts.bytes_done);
  };
  // A local DST directory that another process removes while we copy (an ingest run
  // prunes the empty folders of prepare/ and load/) ends the store rooted in it: resolving
  // DST again creates it again. Copies overwrite, so a repeated attempt is harmless.
  const bool local_dst = !dst_uri.starts_with("s3://");
  Result<storage::TransferSummary> summary = Internal("not copied");
  for (int attempt = 1;; ++attempt) {
    ATOLL_ASSIGN_OR_RETURN(Location dst,
                           storage::ResolveLocation(dst_uri, storage::LocationUse::kWrite));
    std::vector<CopyItem> planned = items;
    for (CopyItem& item : planned) {
      if (recursive) {
        item.dst_key = dst.Child(item.dst_key);
      } else {
        item.dst_key = dst.is_directory ? dst.Child(BaseName(src.key)) : dst.key;
      }
    }
    summary = storage::CopyObjects(*src.store, *dst.store, planned, options);
    if (summary.ok() || !local_dst || attempt == 3 ||
        summary.status().code() != StatusCode::kNotFound) {
      break;
    }
  }
  bar.Finish();
  if (!summary.ok()) return summary.status();

  if (args.Has("json")) {
    nlohmann::json doc = {{"source", src_uri},           {"destination", dst_uri},
                          {"objects", summary->objects}, {"bytes", summary->bytes},
                          {"seconds", summary->seconds}, {"retries", summary->retries}};
    io.out << doc.dump(2) << "\n";
    return Status::OK();
  }
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.2f", summary->seconds);
  io.out << "copied " << summary->objects << (summary->objects == 1 ? " object (" : " objects (")
         << FormatBytes(summary->bytes) << ") from " << src_uri << " to " << dst_uri << " in "
         << seconds << " s";
  if (summary->seconds > 0 && summary->bytes > 0) {
    io.out << " (" << FormatBytes(static_cast<uint64_t>(summary->bytes / summary->seconds))
           << "/s)";
  }
  if (summary->retries > 0) io.out << ", " << summary->retries << " retried calls";
  io.out << "\n";
  return Status::OK();
}

}  // namespace

CommandSpec CpCommand() {
  return {
      .name = "cp",
      .summary = "Copy objects between local paths and s3:// buckets",
      .arguments = "SRC DST",
      .description =
          "Copies the object SRC to DST. When DST ends with '/' or is an existing directory,\n"
          "the object keeps its name inside it. With --recursive, every object under the\n"
          "prefix SRC is copied to DST followed by the rest of its key (like 'aws s3 cp\n"
          "--recursive': 'atoll cp -r data s3://b/raw' copies data/x/y to s3://b/raw/x/y).\n"
          "Large files travel in parallel parts (S3 multipart uploads, ranged downloads);\n"
          "each object is retried on transient errors and checked after writing.\n"
          "A progress bar is shown on stderr when it is a terminal.\n",
      .options = {{"recursive", 'r', OptionKind::kFlag, "", "Copy every object under SRC"},
                  {"parallel", 'p', OptionKind::kInt, "N", "Objects copied at once (default 8)", 1,
                   256},
                  {"json", 0, OptionKind::kFlag, "", "Print the summary as one JSON document"}},
      .min_positional = 2,
      .max_positional = 2,
      .run = RunCp,
  };
}

}  // namespace atl::cli
