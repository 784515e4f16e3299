#include "atoll/lake/lake.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "atoll/storage/local_store.h"
#include "atoll/storage/open_store.h"

namespace atl::lake {

namespace {

// The first setting (as a JSON pointer, in document order) whose value differs, with both values.
std::string FirstDifference(const Settings& stored, const Settings& wanted) {
  auto a = nlohmann::ordered_json::parse(SettingsToJson(stored)).flatten();
  auto b = nlohmann::ordered_json::parse(SettingsToJson(wanted)).flatten();
  for (auto it = b.begin(); it != b.end(); ++it) {
    auto other = a.find(it.key());
    if (other == a.end()) return StrCat(it.key(), " is not set in the stored settings");
    if (*other != it.value())
      return StrCat(it.key(), " is ", other->dump(), ", not ", it.value().dump());
  }
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (b.find(it.key()) == b.end()) return StrCat(it.key(), " is set in the stored settings only");
  }
  return "the documents differ";
}

// Put with a condition, falling back to an unconditional write on stores that cannot do it.
Result<storage::ObjectInfo> PutSettings(storage::Store& store, const std::string& text,
                                        storage::PutOptions options) {
  options.content_type = "application/json";
  Result<storage::ObjectInfo> r = storage::PutString(store, kSettingsKey, text, options);
  if (!r.ok() && r.status().code() == StatusCode::kNotSupported) {
    storage::PutOptions plain;
    plain.content_type = "application/json";
    return storage::PutString(store, kSettingsKey, text, plain);
  }
  return r;
}

}  // namespace

std::string_view InitOutcomeName(InitOutcome outcome) {
  switch (outcome) {
    case InitOutcome::kCreated:
      return "created";
    case InitOutcome::kUnchanged:
      return "unchanged";
    case InitOutcome::kReplaced:
      return "replaced";
  }
  return "?";
}

namespace {

// The settings part of InitLake.
Result<InitOutcome> WriteSettings(storage::Store& store, const Settings& settings,
                                  const InitOptions& options) {
  const std::string text = SettingsToJson(settings);
  Result<storage::ObjectInfo> head = store.Head(kSettingsKey);
  if (!head.ok() && head.status().code() != StatusCode::kNotFound) {
    return head.status().WithContext(StrCat("reading ", store.Describe(), "/", kSettingsKey));
  }
  if (!head.ok()) {
    storage::PutOptions put;
    put.condition = storage::PutCondition::kIfAbsent;
    Result<storage::ObjectInfo> r = PutSettings(store, text, put);
    if (r.ok()) return InitOutcome::kCreated;
    if (r.status().code() != StatusCode::kAlreadyExists) {
      return r.status().WithContext(StrCat("writing ", store.Describe(), "/", kSettingsKey));
    }
    // Somebody else initialised it meanwhile: compare with theirs below.
    ATOLL_ASSIGN_OR_RETURN(head, store.Head(kSettingsKey));
  }
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string stored_text, store.Get(kSettingsKey),
                             StrCat("reading ", store.Describe(), "/", kSettingsKey));
  Result<Settings> stored = ParseSettings(stored_text);
  if (stored.ok() && *stored == settings) return InitOutcome::kUnchanged;
  if (!options.force) {
    if (!stored.ok()) {
      return AlreadyExists(store.Describe(), " holds unreadable lake settings (",
                           stored.status().message(), "); use --force to replace them");
    }
    return AlreadyExists(store.Describe(), " is already an atoll lake with other settings (",
                         FirstDifference(*stored, settings), "); use --force to replace them");
  }
  storage::PutOptions put;
  put.condition = storage::PutCondition::kIfMatch;
  put.if_match = head->etag;
  Result<storage::ObjectInfo> r = PutSettings(store, text, put);
  if (!r.ok())
    return r.status().WithContext(StrCat("replacing ", store.Describe(), "/", kSettingsKey));
  return InitOutcome::kReplaced;
}

}  // namespace

Status KeepFolder(storage::Store& store, std::string_view folder) {
  auto* local = dynamic_cast<storage::LocalStore*>(&store);
  if (local == nullptr) return Status::OK();
  return local->KeepDirectory(folder).WithContext(StrCat("keeping folder ", folder));
}

Status KeepTableFolders(storage::Store& store, std::string_view zone,
                        const std::vector<TableFolder>& folders) {
  ATOLL_RETURN_NOT_OK(KeepFolder(store, zone));
  for (const TableFolder& f : folders) {
    if (!CheckSourceKey(StrCat(zone, "/", f.db, "/", f.table)).reason.empty()) continue;
    ATOLL_RETURN_NOT_OK(KeepFolder(store, StrCat(zone, "/", f.db, "/", f.table)));
  }
  return Status::OK();
}

Result<InitOutcome> InitLake(storage::Store& store, const Settings& settings,
                             const InitOptions& options) {
  ATOLL_RETURN_NOT_OK(settings.Validate());
  ATOLL_ASSIGN_OR_RETURN(InitOutcome outcome, WriteSettings(store, settings, options));
  for (const auto& [key, folder] : ZoneList(settings.zones)) {
    ATOLL_RETURN_NOT_OK(KeepFolder(store, *folder));
  }
  return outcome;
}

Lake::Lake(std::shared_ptr<storage::Store> store, Settings settings)
    : store_(std::move(store)), settings_(std::move(settings)) {
  root_uri_ = store_->Describe();
  if (root_uri_.starts_with("file://")) root_uri_.erase(0, 7);
  while (root_uri_.size() > 1 && root_uri_.back() == '/') root_uri_.pop_back();
}

Result<std::unique_ptr<Lake>> Lake::Open(std::string_view uri) {
  Result<std::unique_ptr<storage::Store>> store =
      storage::OpenStore(uri, /*create_if_missing=*/false);
  if (!store.ok() && store.status().code() == StatusCode::kNotFound) {
    return NotFound(uri, " is not an atoll lake (no such directory); run 'atoll init ", uri,
                    "' to make one");
  }
  ATOLL_RETURN_NOT_OK(store.status());
  Result<std::unique_ptr<Lake>> lake =
      Open(std::shared_ptr<storage::Store>(std::move(store).value()));
  if (!lake.ok() && lake.status().code() == StatusCode::kNotFound) {
    return NotFound(uri, " is not an atoll lake (no ", kSettingsKey, "); run 'atoll init ", uri,
                    "'");
  }
  return lake;
}

Result<std::unique_ptr<Lake>> Lake::Open(std::shared_ptr<storage::Store> store) {
  Result<std::string> text = store->Get(kSettingsKey);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFound(store->Describe(), " is not an atoll lake (no ", kSettingsKey,
                      "); run 'atoll init'");
    }
    return text.status().WithContext(StrCat("reading ", store->Describe(), "/", kSettingsKey));
  }
  ATOLL_ASSIGN_OR_RETURN_CTX(Settings settings, ParseSettings(*text),
                             StrCat(store->Describe(), "/", kSettingsKey));
  return std::unique_ptr<Lake>(new Lake(std::move(store), std::move(settings)));
}

Result<InitOutcome> Lake::Init(std::string_view uri, const Settings& settings,
                               const InitOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store,
                         storage::OpenStore(uri, /*create_if_missing=*/true));
  return InitLake(*store, settings, options);
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (1 to 4), or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace

std::string PrintableName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const size_t n = Utf8SequenceLength(name, i);
    const auto c = static_cast<unsigned char>(name[i]);
    if (n == 0 || c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      ++i;
    } else {
      out.append(name.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string TableNameProblem(std::string_view name) {
  if (name.empty()) return "is empty (an empty segment '//' in the key)";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%02x", c);
      return StrCat("contains a control character (byte 0x", hex, ")");
    }
  }
  if (!IsValidUtf8(name)) return "is not valid UTF-8";
  if (name.find('.') != std::string_view::npos) {
    return "contains a '.', the separator of table names (<zone>.<db>.<table>)";
  }
  if (name.size() > kMaxTableNameBytes) {
    return StrCat("is ", name.size(), " bytes long (at most ", kMaxTableNameBytes, ")");
  }
  return "";
}

std::string FolderNameProblem(std::string_view db, std::string_view table) {
  if (std::string p = TableNameProblem(db); !p.empty()) {
    return StrCat("the database folder name '", PrintableName(db), "' ", p);
  }
  // DuckDB keeps these schemas for itself in every catalog (any letter case).
  for (std::string_view reserved : {"information_schema", "pg_catalog"}) {
    if (db.size() == reserved.size() &&
        std::equal(db.begin(), db.end(), reserved.begin(), [](char a, char b) {
          return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
        })) {
      return StrCat("the database folder name '", db, "' is a schema name SQL reserves");
    }
  }
  if (std::string p = TableNameProblem(table); !p.empty()) {
    return StrCat("the table folder name '", PrintableName(table), "' ", p);
  }
  return "";
}

KeyProblem CheckSourceKey(std::string_view key) {
  KeyProblem out;
  Status valid = storage::ValidateKey(key);
  if (!valid.ok()) {
    out.reason =
        StrCat("the store cannot read, move or delete this key: ", PrintableName(valid.message()));
    out.movable = false;
  } else if (!IsValidUtf8(key)) {
    out.reason = "the file name is not valid UTF-8";
  }
  return out;
}

bool IsHiddenPath(std::string_view path) {
  if (path.empty() || path.back() == '/') return true;
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '.' || path[start] == '_') return true;
    const size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return false;
}

Result<std::vector<TableFolder>> ScanTableFolders(storage::Store& store, const std::string& zone) {
  const std::string prefix = zone + "/";
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects,
                             storage::ListAll(store, prefix), StrCat("listing ", prefix));
  std::map<std::pair<std::string, std::string>, TableFolder> folders;
  for (storage::ObjectInfo& o : objects) {
    std::string_view rest = std::string_view(o.key).substr(prefix.size());
    size_t a = rest.find('/');
    if (a == std::string_view::npos) continue;
    size_t b = rest.find('/', a + 1);
    if (b == std::string_view::npos || b + 1 >= rest.size()) continue;  // not inside a table folder
    if (IsHiddenPath(rest)) continue;
    std::pair<std::string, std::string> name(rest.substr(0, a), rest.substr(a + 1, b - a - 1));
    TableFolder& f = folders[name];
    f.files.push_back(std::move(o));
  }
  std::vector<TableFolder> out;
  for (auto& [name, f] : folders) {
    f.db = name.first;
    f.table = name.second;
    f.problem = FolderNameProblem(f.db, f.table);
    std::sort(
        f.files.begin(), f.files.end(),
        [](const storage::ObjectInfo& x, const storage::ObjectInfo& y) { return x.key < y.key; });
    out.push_back(std::move(f));
  }
  return out;
}

std::string Lake::TablePrefix(std::string_view zone, std::string_view db, std::string_view table) {
  return StrCat(zone, "/", db, "/", table, "/");
}

}  // namespace atl::lake
