#include "atoll/storage/open_store.h"

#include <cctype>
#include <filesystem>
#include <system_error>

#include "atoll/common/local_fs.h"
#include "atoll/storage/local_store.h"
#include "atoll/storage/prefix_store.h"
#include "atoll/storage/s3/s3_store.h"

namespace atl::storage {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAcceptedForms =
    "use a local path, file:///absolute/path or s3://bucket/key";

// A parsed URI: either a local path or an S3 bucket and key.
struct ParsedUri {
  bool is_s3 = false;
  std::string path;    // local
  std::string bucket;  // s3
  std::string key;     // s3, without leading '/'; may end with '/'
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view uri) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return InvalidArgument("malformed percent-escape in '", uri, "'");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool ValidBucketName(std::string_view b) {
  for (char c : b) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
      return false;
  }
  return !b.empty() && b.size() <= 255;
}

Result<ParsedUri> ParseUri(std::string_view uri) {
  if (uri.empty()) return InvalidArgument("empty location (", kAcceptedForms, ")");
  ParsedUri out;
  size_t sep = uri.find("://");
  bool has_scheme =
      sep != std::string_view::npos && sep > 0 && std::isalpha(static_cast<unsigned char>(uri[0]));
  for (size_t i = 0; has_scheme && i < sep; ++i) {
    char c = uri[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      has_scheme = false;
  }
  if (!has_scheme) {
    out.path = std::string(uri);
    return out;
  }
  std::string scheme(uri.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = uri.substr(sep + 3);
  if (scheme == "file") {
    if (rest.empty() || rest[0] != '/') {
      return InvalidArgument("file URI '", uri,
                             "' has a host or a relative path; write file:///absolute/path");
    }
    ATOLL_ASSIGN_OR_RETURN(out.path, PercentDecode(rest, uri));
    return out;
  }
  if (scheme == "s3") {
    size_t slash = rest.find('/');
    out.is_s3 = true;
    out.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) out.key = std::string(rest.substr(slash + 1));
    if (out.bucket.empty())
      return InvalidArgument("missing bucket name in '", uri, "' (write s3://bucket/key)");
    if (!ValidBucketName(out.bucket)) {
      return InvalidArgument("'", out.bucket, "' in '", uri, "' is not a valid bucket name");
    }
    return out;
  }
  return InvalidArgument("unsupported scheme '", scheme, "' in '", uri, "' (", kAcceptedForms, ")");
}

Result<std::unique_ptr<Store>> OpenS3(const std::string& bucket) {
  ATOLL_ASSIGN_OR_RETURN(S3Config config, S3Config::FromEnvironment(bucket));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<S3Store> store, S3Store::Open(std::move(config)));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenLocal(const fs::path& dir, bool create_if_missing) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store,
                         LocalStore::Open(dir.string(), create_if_missing));
  return std::unique_ptr<Store>(std::move(store));
}

// The absolute, normalised form of a local path, without a trailing '/' (except "/").
Result<fs::path> AbsolutePath(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(fs::path(path), ec);
  if (ec) return ErrorCodeToStatus(ec, StrCat("resolving local path '", path, "'"));
  abs = abs.lexically_normal();
  std::string s = abs.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

Result<Location> ResolveLocal(const std::string& path, std::string_view uri, LocationUse use) {
  ATOLL_ASSIGN_OR_RETURN(fs::path abs, AbsolutePath(path));
  const bool create = use == LocationUse::kWrite;
  Location loc;
  loc.uri = std::string(uri);
  std::error_code ec;
  const bool trailing_slash = !path.empty() && path.back() == '/';
  if (trailing_slash || fs::is_directory(abs, ec) || abs == abs.root_path()) {
    loc.is_directory = true;
    ATOLL_ASSIGN_OR_RETURN(auto store, OpenLocal(abs, create));
    loc.store = std::move(store);
    return loc;
  }
  loc.key = abs.filename().string();
  ATOLL_RETURN_NOT_OK(ValidateKey(loc.key));
  ATOLL_ASSIGN_OR_RETURN(auto store, OpenLocal(abs.parent_path(), create));
  loc.store = std::move(store);
  return loc;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view root_uri, bool create_if_missing) {
  ATOLL_ASSIGN_OR_RETURN(ParsedUri parsed, ParseUri(root_uri));
  if (!parsed.is_s3) {
    ATOLL_ASSIGN_OR_RETURN(fs::path abs, AbsolutePath(parsed.path));
    return OpenLocal(abs, create_if_missing).WithContext(StrCat("opening ", root_uri));
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<Store> bucket,
                         OpenS3(parsed.bucket).WithContext(StrCat("opening ", root_uri)));
  std::string prefix = parsed.key;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (prefix.empty()) return bucket;
  ATOLL_ASSIGN_OR_RETURN(
      std::unique_ptr<PrefixStore> view,
      PrefixStore::Make(std::move(bucket), prefix).WithContext(StrCat("opening ", root_uri)));
  return std::unique_ptr<Store>(std::move(view));
}

Result<Location> ResolveLocation(std::string_view uri, LocationUse use) {
  ATOLL_ASSIGN_OR_RETURN(ParsedUri parsed, ParseUri(uri));
  if (!parsed.is_s3) {
    Result<Location> loc = ResolveLocal(parsed.path, uri, use);
    if (!loc.ok() && loc.status().code() == StatusCode::kNotFound) {
      return NotFound("no such file or directory: ", uri);
    }
    return std::move(loc).WithContext(StrCat("opening ", uri));
  }
  Location loc;
  loc.uri = std::string(uri);
  std::string key = parsed.key;
  loc.is_directory = key.empty() || key.back() == '/';
  if (!key.empty() && key.back() == '/') key.pop_back();
  if (!key.empty()) {
    Status st = ValidateKey(key);
    if (!st.ok()) return st.WithContext(StrCat("location '", uri, "'"));
  }
  loc.key = std::move(key);
  ATOLL_ASSIGN_OR_RETURN(auto store, OpenS3(parsed.bucket).WithContext(StrCat("opening ", uri)));
  loc.store = std::move(store);
  return loc;
}

}  // namespace atl::storage
