// atoll ls: lists the objects (and, unless recursive, the sub-directories) of a location.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "atoll/cli/command.h"
#include "atoll/storage/open_store.h"

namespace atl::cli {

namespace {

using storage::Location;
using storage::ObjectInfo;

struct Listing {
  std::vector<ObjectInfo> objects;    // keys relative to the listed location
  std::vector<std::string> prefixes;  // relative, ending with '/'
};

// "2024-05-01T12:00:00Z" (iso) or "2024-05-01 12:00:00"; "-" when unknown.
std::string FormatTime(int64_t mtime_ms, bool iso) {
  if (mtime_ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(mtime_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// Every object (and common prefix, with a delimiter) under `prefix`, names made relative.
Result<Listing> ListUnder(storage::Store& store, const std::string& prefix, bool recursive) {
  Listing out;
  storage::ListOptions options;
  if (!recursive) options.delimiter = "/";
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(storage::ListPage page, store.List(prefix, options));
    for (auto& o : page.objects) {
      o.key = o.key.substr(prefix.size());
      if (!o.key.empty()) out.objects.push_back(std::move(o));  // skip the folder marker itself
    }
    for (auto& p : page.common_prefixes) out.prefixes.push_back(p.substr(prefix.size()));
    if (page.next_token.empty() || page.next_token == options.continuation_token) break;
    options.continuation_token = std::move(page.next_token);
  }
  return out;
}

Result<Listing> ListLocation(const Location& loc, bool recursive) {
  if (!loc.is_directory) {
    // An object, else a prefix ("directory") of that name.
    Result<ObjectInfo> info = loc.store->Head(loc.key);
    if (info.ok()) {
      Listing one;
      ObjectInfo object = *info;
      size_t slash = object.key.rfind('/');
      object.key = slash == std::string::npos ? object.key : object.key.substr(slash + 1);
      one.objects.push_back(std::move(object));
      return one;
    }
    if (info.status().code() != StatusCode::kNotFound) return info.status().WithContext(loc.uri);
  }
  ATOLL_ASSIGN_OR_RETURN(
      Listing listing,
      ListUnder(*loc.store, loc.DirPrefix(), recursive).WithContext(StrCat("listing ", loc.uri)));
  // A bucket or an existing local directory may be empty; a prefix with nothing under it
  // does not exist.
  if (listing.objects.empty() && listing.prefixes.empty() && !loc.key.empty()) {
    return NotFound("no such object or directory: ", loc.uri);
  }
  return listing;
}

Status RunLs(const ParsedArgs& args, Io& io) {
  const std::string& uri = args.positional()[0];
  const bool recursive = args.Has("recursive");
  ATOLL_ASSIGN_OR_RETURN(Location loc, storage::ResolveLocation(uri, storage::LocationUse::kRead));
  ATOLL_ASSIGN_OR_RETURN(Listing listing, ListLocation(loc, recursive));

  uint64_t total_bytes = 0;
  for (const auto& o : listing.objects) total_bytes += o.size;
  if (args.Has("json")) {
    nlohmann::json objects = nlohmann::json::array();
    for (const auto& o : listing.objects) {
      objects.push_back({{"name", o.key},
                         {"size", o.size},
                         {"mtime", FormatTime(o.mtime_ms, true)},
                         {"etag", o.etag}});
    }
    nlohmann::json doc = {{"location", uri},
                          {"objects", objects},
                          {"prefixes", listing.prefixes},
                          {"total_objects", listing.objects.size()},
                          {"total_bytes", total_bytes}};
    io.out << doc.dump(2) << "\n";
    return Status::OK();
  }
  // Directories first (as 'aws s3 ls' does), then objects: time, size, name.
  uint64_t largest = 0;
  for (const auto& o : listing.objects) largest = std::max(largest, o.size);
  const int width = std::max<int>(10, static_cast<int>(std::to_string(largest).size()));
  char line[64];
  for (const auto& p : listing.prefixes) {
    std::snprintf(line, sizeof(line), "%19s  %*s  ", "", width, "DIR");
    io.out << line << p << "\n";
  }
  for (const auto& o : listing.objects) {
    std::snprintf(line, sizeof(line), "%19s  %*llu  ", FormatTime(o.mtime_ms, false).c_str(), width,
                  static_cast<unsigned long long>(o.size));
    io.out << line << o.key << "\n";
  }
  return Status::OK();
}

}  // namespace

CommandSpec LsCommand() {
  return {
      .name = "ls",
      .summary = "List objects under a local path or s3:// location",
      .arguments = "URI",
      .description =
          "Lists the object URI, or what is inside the directory (prefix) URI: one line per\n"
          "object with its modification time (UTC), size in bytes and name relative to URI;\n"
          "sub-directories are shown as DIR unless --recursive lists every object below.\n"
          "A location that holds nothing and is not a bucket or a directory is an error.\n",
      .options = {{"recursive", 'r', OptionKind::kFlag, "", "List every object below URI"},
                  {"json", 0, OptionKind::kFlag, "", "Print one JSON document on stdout"}},
      .min_positional = 1,
      .max_positional = 1,
      .run = RunLs,
  };
}

}  // namespace atl::cli
