#include "atoll/ingest/landing_check.h"

#include <algorithm>
#include <filesystem>

#include "atoll/storage/local_store.h"

namespace atl::lake {

namespace {

namespace fs = std::filesystem;

bool LeftAlone(std::string_view key) {
  const size_t slash = key.find('/');
  return slash == std::string_view::npos || IsHiddenPath(key.substr(slash + 1));
}

// Symbolic links under `<root>/<zone>`, as keys.
void FindSymlinks(const std::string& root, const std::string& zone,
                  std::vector<IgnoredLandingFile>* out) {
  const fs::path base = fs::path(root) / zone;
  std::error_code ec;
  fs::recursive_directory_iterator it(base, fs::directory_options::skip_permission_denied, ec);
  if (ec) return;  // no prepare folder: nothing waits
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code type_ec;
    if (!it->is_symlink(type_ec)) continue;
    const std::string key = fs::path(it->path()).lexically_relative(root).string();
    if (LeftAlone(key)) continue;
    out->push_back({key, "a symbolic link: links are not followed; put the file itself there"});
  }
}

}  // namespace

Result<std::vector<IgnoredLandingFile>> FindIgnoredLandingFiles(const Lake& lake) {
  const std::string& zone = lake.settings().zones.prepare;
  const std::string prefix = zone + "/";
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects,
                             storage::ListAll(lake.store(), prefix), StrCat("listing ", prefix));
  std::vector<IgnoredLandingFile> out;
  for (const storage::ObjectInfo& o : objects) {
    if (LeftAlone(o.key)) continue;
    const std::string_view rest = std::string_view(o.key).substr(prefix.size());
    const size_t a = rest.find('/');
    const size_t b = a == std::string_view::npos ? a : rest.find('/', a + 1);
    if (b != std::string_view::npos) continue;  // inside prepare/<db>/<table>/
    out.push_back({o.key, StrCat("not in a table folder: files go into ", zone, "/<db>/<table>/")});
  }
  if (const auto* local = dynamic_cast<const storage::LocalStore*>(&lake.store())) {
    FindSymlinks(local->root(), zone, &out);
  }
  std::sort(out.begin(), out.end(),
            [](const IgnoredLandingFile& x, const IgnoredLandingFile& y) { return x.key < y.key; });
  return out;
}

}  // namespace atl::lake
