#include "atoll/records/file_refs.h"

#include <algorithm>

#include "atoll/trail/hash.h"

namespace atl::lake {

namespace {

using trail::FileRef;

constexpr char kSha256Prefix[] = "sha256:";

}  // namespace

std::string BytesChecksum(std::string_view bytes) {
  return StrCat(kSha256Prefix, trail::ToHex(trail::Sha256(bytes)));
}

Result<FileRef> FileChecksum(const iceberg::FileIO& io, const std::string& location) {
  ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo info, io.Head(location));
  trail::Sha256Stream sha;
  for (uint64_t offset = 0; offset < info.size;) {
    const uint64_t want = std::min<uint64_t>(kChecksumChunk, info.size - offset);
    ATOLL_ASSIGN_OR_RETURN(std::string chunk, io.ReadRange(location, offset, want));
    if (chunk.size() != want) {
      return Corruption(location, " changed size while it was hashed (", info.size,
                        " bytes expected)");
    }
    sha.Update(chunk);
    offset += want;
  }
  return FileRef{location, info.size, StrCat(kSha256Prefix, trail::ToHex(sha.Finish()))};
}

std::string EncodeFileLines(const std::vector<FileRef>& files) {
  std::string out;
  for (const FileRef& f : files) out += StrCat(f.checksum, " ", f.size, " ", f.location, "\n");
  return out;
}

Result<std::vector<FileRef>> DecodeFileLines(std::string_view text) {
  std::vector<FileRef> out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) return Corruption("file list: the last line has no newline");
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    std::string_view digits = b == std::string_view::npos ? "" : line.substr(a + 1, b - a - 1);
    if (digits.empty() || digits.size() > 19 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos || b + 1 >= line.size()) {
      return Corruption("file list: line '", line, "' is not '<checksum> <size> <location>'");
    }
    out.push_back({std::string(line.substr(b + 1)), std::stoull(std::string(digits)),
                   std::string(line.substr(0, a))});
  }
  return out;
}

}  // namespace atl::lake
