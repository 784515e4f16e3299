#include "atoll/iceberg/scan/table_folder.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "atoll/formats/avro/codec.h"
#include "atoll/iceberg/scan/puffin.h"

namespace atl::iceberg {
namespace {

constexpr size_t kMaxMetadataBytes = size_t{1} << 30;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

// The name without its metadata suffix ("v3" of "v3.gz.metadata.json"), or nullopt.
std::optional<std::string_view> MetadataStem(std::string_view name) {
  for (std::string_view suffix : {".gz.metadata.json", ".metadata.json.gz", ".metadata.json"}) {
    if (name.ends_with(suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return std::nullopt;
}

bool IsGzipName(std::string_view name) {
  return name.ends_with(".gz.metadata.json") || name.ends_with(".metadata.json.gz");
}

std::string_view BaseName(std::string_view location) {
  size_t slash = location.find_last_of('/');
  return slash == std::string_view::npos ? location : location.substr(slash + 1);
}

std::string_view Parent(std::string_view location) {
  size_t slash = location.find_last_of('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return location.substr(0, 1);
  return location.substr(0, slash);
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string WithoutFileScheme(std::string_view s) {
  if (s.starts_with("file://")) s.remove_prefix(7);
  std::string out(s);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

struct MetadataFile {
  std::string name;
  std::string location;
  int64_t mtime_ms = 0;
};

// Picks the metadata file of a table folder. `files` are the direct children of metadata/.
Result<std::string> ChooseMetadataFile(const FileIO& io, const std::string& root,
                                       const std::string& dir,
                                       const std::vector<MetadataFile>& files) {
  std::map<int64_t, std::vector<const MetadataFile*>> by_version;
  std::map<std::string, const MetadataFile*> by_name;
  const MetadataFile* hint_file = nullptr;
  for (const MetadataFile& f : files) {
    by_name[f.name] = &f;
    if (f.name == "version-hint.text" || (f.name == "version-hint.txt" && hint_file == nullptr))
      hint_file = &f;
    if (std::optional<int64_t> v = MetadataFileNameVersion(f.name)) by_version[*v].push_back(&f);
  }
  // Among files of one version, prefer v<N>.metadata.json, then the newest.
  auto pick = [](const std::vector<const MetadataFile*>& same) {
    const MetadataFile* best = same.front();
    for (const MetadataFile* f : same) {
      bool f_plain = f->name[0] == 'v';
      bool b_plain = best->name[0] == 'v';
      if (f_plain != b_plain ? f_plain
                             : (f->mtime_ms != best->mtime_ms ? f->mtime_ms > best->mtime_ms
                                                              : f->name > best->name)) {
        best = f;
      }
    }
    return best->location;
  };
  if (hint_file != nullptr) {
    ATOLL_ASSIGN_OR_RETURN(std::string text, io.Read(hint_file->location));
    std::string hint = Trimmed(text);
    if (AllDigits(hint) && hint.size() < 19) {
      int64_t n = std::stoll(hint);
      if (by_version.count(n)) {
        while (by_version.count(n + 1)) ++n;
        return pick(by_version[n]);
      }
    } else if (!hint.empty()) {
      if (by_name.count(hint)) return by_name[hint]->location;
      if (by_name.count(hint + ".metadata.json")) return by_name[hint + ".metadata.json"]->location;
    }
    // An empty or stale hint: fall back to the highest version.
  }
  if (by_version.empty()) {
    return NotFound("no Iceberg table at '", root, "': '", dir,
                    "' has no metadata file (v<N>.metadata.json or <NNNNN>-<uuid>.metadata.json)");
  }
  return pick(by_version.rbegin()->second);
}

}  // namespace

std::optional<int64_t> MetadataFileNameVersion(std::string_view name) {
  std::optional<std::string_view> stem = MetadataStem(name);
  if (!stem) return std::nullopt;
  std::string_view digits;
  if (!stem->empty() && (*stem)[0] == 'v' && AllDigits(stem->substr(1))) {
    digits = stem->substr(1);
  } else {
    size_t dash = stem->find('-');
    if (dash == std::string_view::npos || !AllDigits(stem->substr(0, dash)) ||
        !IsUuid(stem->substr(dash + 1))) {
      return std::nullopt;
    }
    digits = stem->substr(0, dash);
  }
  if (digits.size() > 18) return std::nullopt;
  return std::stoll(std::string(digits));
}

Result<std::string> GunzipBytes(std::string_view b, std::string_view name) {
  auto corrupt = [&](std::string_view what) {
    return Corruption("gzip file '", name, "': ", what);
  };
  if (b.size() < 18 || static_cast<uint8_t>(b[0]) != 0x1f || static_cast<uint8_t>(b[1]) != 0x8b) {
    return corrupt("not gzip data");
  }
  if (b[2] != 8) return corrupt("unknown compression method");
  const uint8_t flags = static_cast<uint8_t>(b[3]);
  size_t p = 10;
  auto need = [&](size_t n) { return b.size() >= 8 && p + n <= b.size() - 8; };
  if (flags & 4) {  // FEXTRA
    if (!need(2)) return corrupt("truncated header");
    size_t xlen = static_cast<uint8_t>(b[p]) | static_cast<uint8_t>(b[p + 1]) << 8;
    p += 2;
    if (!need(xlen)) return corrupt("truncated header");
    p += xlen;
  }
  for (uint8_t bit : {uint8_t{8}, uint8_t{16}}) {  // FNAME, FCOMMENT: zero-terminated
    if (flags & bit) {
      size_t end = b.find('\0', p);
      if (end == std::string_view::npos || end >= b.size() - 8) return corrupt("truncated header");
      p = end + 1;
    }
  }
  if (flags & 2) p += 2;  // FHCRC
  if (p > b.size() - 8) return corrupt("truncated header");
  std::string out;
  Status s = avro::Decompress(avro::Codec::kDeflate, b.substr(p, b.size() - 8 - p),
                              kMaxMetadataBytes, &out);
  if (!s.ok()) return corrupt(s.message());
  auto le32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
           static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
           static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
  };
  if (le32(b.size() - 8) != Crc32(out)) return corrupt("CRC-32 mismatch");
  if (le32(b.size() - 4) != static_cast<uint32_t>(out.size())) return corrupt("length mismatch");
  return out;
}

Result<FolderTable> LoadTableFromLocation(FileIO& io, std::string_view location_in) {
  std::string location(location_in);
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  if (location.empty()) return InvalidArgument("empty table location");

  FolderTable table;
  std::string root;
  if (MetadataStem(BaseName(location)) || location.ends_with(".json")) {
    table.metadata_location = location;
    std::string dir(Parent(location));
    root = BaseName(dir) == "metadata" ? std::string(Parent(dir)) : dir;
  } else {
    root = location;
    std::string dir = JoinLocation(root, "metadata");
    Result<std::vector<storage::ObjectInfo>> listed = io.List(dir);
    if (!listed.ok() && listed.status().code() != StatusCode::kNotFound) {
      return listed.status().WithContext("looking for a table at '" + root + "'");
    }
    std::vector<MetadataFile> files;
    if (listed.ok()) {
      const std::string prefix = dir + "/";
      for (const storage::ObjectInfo& o : *listed) {
        if (!o.key.starts_with(prefix)) continue;
        std::string name = o.key.substr(prefix.size());
        if (name.find('/') != std::string::npos) continue;
        files.push_back({std::move(name), o.key, o.mtime_ms});
      }
    }
    if (files.empty() && BaseName(root) == "metadata") {  // the metadata folder itself was given
      return LoadTableFromLocation(io, Parent(root));
    }
    if (files.empty()) {
      return NotFound("no Iceberg table at '", root, "': no metadata files under '", dir, "'");
    }
    ATOLL_ASSIGN_OR_RETURN(table.metadata_location, ChooseMetadataFile(io, root, dir, files));
  }

  ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(table.metadata_location));
  if (IsGzipName(table.metadata_location) ||
      (bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f &&
       static_cast<uint8_t>(bytes[1]) == 0x8b)) {
    ATOLL_ASSIGN_OR_RETURN(bytes, GunzipBytes(bytes, table.metadata_location));
  }
  Result<TableMetadata> md = TableMetadata::Parse(bytes, table.metadata_location);
  if (!md.ok()) {
    const Status& s = md.status();
    if (s.code() == StatusCode::kInvalidArgument) {
      return Corruption("'", table.metadata_location,
                        "' is not valid Iceberg table metadata: ", s.message());
    }
    return s.WithContext("loading table at '" + root + "'");
  }
  table.metadata = std::move(md).value();

  // Copied tables: make the writer's locations resolve under the folder.
  const std::string recorded = WithoutFileScheme(table.metadata.location);
  if (!root.empty() && recorded != WithoutFileScheme(root)) {
    if (!table.metadata.location.empty() && table.metadata.location != "/") {
      std::string from = table.metadata.location;
      while (from.size() > 1 && from.back() == '/') from.pop_back();
      io.Remap(from, root);
    }
    std::string_view name = BaseName(root);
    if (!name.empty() && name != "." && name != "..") io.RemapFolder(std::string(name), root);
  }
  return table;
}

}  // namespace atl::iceberg
