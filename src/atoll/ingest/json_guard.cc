#include "atoll/ingest/json_guard.h"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

namespace atl::lake {

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Status JsonScanner::DepthExceeded() const {
  return InvalidArgument("JSON nested more than ", limits_.max_depth, " levels deep (at byte ",
                         offset_, "; the limit is prepare.max_json_depth)");
}

Status JsonScanner::DocumentTooLong() const {
  return InvalidArgument(layout_ == JsonLayout::kLines ? "an NDJSON line" : "a JSON document",
                         " is longer than the limit of ", limits_.max_document_bytes,
                         " bytes (prepare.max_line_bytes), starting at byte ", document_start_);
}

Status JsonScanner::Feed(std::string_view bytes) {
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  for (size_t i = 0; i < bytes.size(); ++i, ++offset_) {
    const char c = bytes[i];
    if (offset_ < kBom.size() && c == kBom[offset_]) continue;
    if (!IsJsonSpace(c)) saw_content_ = true;
    // Where a document starts or ends (kAuto), at depth DocumentDepth().
    bool starts = false;
    bool ends = false;
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
    } else {
      switch (c) {
        case '"':
          in_string_ = true;
          starts = true;
          break;
        case '[':
        case '{':
          if (c == '[' && depth_ == 0 && layout_ == JsonLayout::kAuto && !in_document_) {
            top_array_ = true;  // its elements are the documents
          } else {
            starts = true;
          }
          if (++depth_ > limits_.max_depth) return DepthExceeded();
          break;
        case ']':
        case '}':
          if (depth_ > 0) --depth_;
          if (top_array_ && depth_ == 0) {
            top_array_ = false;
            in_document_ = false;  // the last element ended with its array
          } else {
            ends = depth_ == DocumentDepth();
          }
          break;
        case ',':
          ends = depth_ == DocumentDepth();
          break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
          ends = depth_ == 0 && !top_array_;  // after a top-level scalar
          break;
        default:
          starts = true;  // a number, true, false, null (or junk for DuckDB to report)
          break;
      }
    }
    if (layout_ == JsonLayout::kLines) {
      if (c == '\n') {
        document_start_ = offset_ + 1;
      } else if (offset_ - document_start_ + 1 > limits_.max_document_bytes) {
        return DocumentTooLong();
      }
      continue;
    }
    if (starts && !in_document_ && depth_ - (c == '[' || c == '{' ? 1 : 0) == DocumentDepth()) {
      in_document_ = true;
      document_start_ = offset_;
    }
    if (in_document_ && offset_ - document_start_ + 1 > limits_.max_document_bytes) {
      return DocumentTooLong();
    }
    if (ends) in_document_ = false;
  }
  return Status::OK();
}

Status CheckJsonFile(const std::string& path, JsonLayout layout, const JsonLimits& limits) {
  struct Closer {
    void operator()(FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<FILE, Closer> f(std::fopen(path.c_str(), "rb"));
  if (!f) return ErrnoToStatus(errno, StrCat("opening ", path));
  JsonScanner scanner(layout, limits);
  std::vector<char> buf(size_t{1} << 20);
  while (true) {
    size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n > 0) ATOLL_RETURN_NOT_OK(scanner.Feed(std::string_view(buf.data(), n)));
    if (n < buf.size()) {
      if (std::ferror(f.get())) return ErrnoToStatus(errno, StrCat("reading ", path));
      break;
    }
  }
  if (!scanner.saw_content()) return InvalidArgument("the file holds only whitespace (no JSON)");
  return Status::OK();
}

}  // namespace atl::lake
