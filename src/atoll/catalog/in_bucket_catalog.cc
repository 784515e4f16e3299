#include "atoll/catalog/in_bucket_catalog.h"

#include <algorithm>

#include "atoll/common/clock.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/storage/prefix_store.h"
#include "atoll/storage/probe.h"

namespace atl::catalog {

using iceberg::Json;
namespace json = iceberg::json;
using iceberg::Namespace;
using iceberg::NamespaceToString;
using iceberg::TableIdentifier;
using iceberg::ValidateIdentifier;
using iceberg::ValidateNamespace;

using storage::PutCondition;
using storage::PutOptions;

struct InBucketCatalog::Pointer {
  std::string metadata_location;
  std::optional<std::string> previous_metadata_location;
  int64_t updated_ms = 0;
  std::optional<std::string> renamed_to;  // set while (or after an interrupted) rename
};

namespace {

constexpr std::string_view kNamespaceObject = "_namespace.json";
constexpr std::string_view kReservedTableName = "_namespace";
// A view's pointer: "<view>.view.json" (a table name holds no '.', so it never is a table's).
constexpr std::string_view kViewSuffix = ".view.json";

// A read has no effect, so "may have taken effect" means nothing for it: such errors are
// plain transient failures.
Status ReadError(const Status& st) {
  if (st.code() == StatusCode::kUnknownOutcome)
    return Status(StatusCode::kUnavailable, st.message());
  return st;
}

std::string NamespaceDir(const Namespace& ns) {
  return StrCat(InBucketCatalog::kCatalogDir, NamespaceToString(ns), "/");
}

Status CheckNamespace(const Namespace& ns) {
  if (ns.empty())
    return InvalidArgument("the in-bucket catalog needs a namespace of at least one level");
  return ValidateNamespace(ns);
}

Status CheckTable(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  if (id.ns.empty()) {
    return InvalidArgument("table '", id.name,
                           "' has no namespace (the in-bucket catalog needs one)");
  }
  if (id.name == kReservedTableName) {
    return InvalidArgument("table name '", kReservedTableName,
                           "' is reserved by the in-bucket catalog");
  }
  return Status::OK();
}

Status CheckPropertyChanges(const std::map<std::string, std::string>& updates,
                            const std::set<std::string>& removals) {
  for (const auto& key : removals) {
    if (updates.count(key))
      return InvalidArgument("property '", key, "' is both updated and removed");
  }
  for (const auto& [key, value] : updates) {
    if (key.empty()) return InvalidArgument("empty namespace property key");
  }
  return Status::OK();
}

std::string EncodePointer(const std::string& location, const std::optional<std::string>& previous,
                          const std::optional<std::string>& renamed_to = std::nullopt) {
  Json j = Json::object();
  j["metadata-location"] = location;
  j["previous-metadata-location"] = previous ? Json(*previous) : Json(nullptr);
  j["updated-ms"] = SystemNowMs();
  if (renamed_to) j["renamed-to"] = *renamed_to;
  return json::Dump(j);
}

std::string EncodeNamespace(const std::map<std::string, std::string>& properties) {
  Json j = Json::object();
  j["properties"] = Json(properties);
  return json::Dump(j);
}

Result<std::map<std::string, std::string>> DecodeNamespace(const std::string& text,
                                                           const std::string& key) {
  ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(text, key));
  if (!j.is_object()) return Corruption(key, ": not a JSON object");
  auto props = json::StringMap(j, "properties", key);
  if (!props.ok()) return Corruption(props.status().message());
  return std::move(props).value();
}

PutOptions Condition(PutCondition condition, std::string etag = {}) {
  PutOptions o;
  o.condition = condition;
  o.if_match = std::move(etag);
  o.content_type = "application/json";
  return o;
}

}  // namespace

std::string InBucketCatalog::PointerKey(const TableIdentifier& id) {
  return StrCat(NamespaceDir(id.ns), id.name, ".json");
}

std::string InBucketCatalog::ViewPointerKey(const TableIdentifier& id) {
  return StrCat(NamespaceDir(id.ns), id.name, kViewSuffix);
}

std::string InBucketCatalog::NamespaceKey(const Namespace& ns) {
  return StrCat(NamespaceDir(ns), kNamespaceObject);
}

Result<std::unique_ptr<InBucketCatalog>> InBucketCatalog::Open(
    std::shared_ptr<storage::Store> store, std::string_view prefix,
    InBucketCatalogOptions options) {
  if (!store) return InvalidArgument("in-bucket catalog: no store");
  std::shared_ptr<storage::Store> root = store;
  if (!prefix.empty()) {
    ATOLL_ASSIGN_OR_RETURN_CTX(auto view, storage::PrefixStore::Make(store, prefix),
                               "in-bucket catalog: warehouse prefix");
    root = std::move(view);
  }
  if (options.warehouse_uri.empty()) options.warehouse_uri = root->Describe();
  while (options.warehouse_uri.size() > 1 && options.warehouse_uri.back() == '/')
    options.warehouse_uri.pop_back();
  if (options.probe) {
    ATOLL_ASSIGN_OR_RETURN_CTX(
        auto support, storage::ProbeConditionalWrites(*root, StrCat(kCatalogDir, ".probe")),
        StrCat("opening the in-bucket catalog in ", root->Describe()));
    switch (support) {
      case storage::ConditionalWriteSupport::kHonoured:
        break;
      case storage::ConditionalWriteSupport::kIgnored:
        return NotSupported(
            root->Describe(),
            ": this store ignores conditional writes; the in-bucket catalog needs them to "
            "commit safely (concurrent commits could overwrite each other): use a SQLite or "
            "PostgreSQL catalog for this lake (sqlite:///path/catalog.db or "
            "postgresql://user@host:port/db)");
      case storage::ConditionalWriteSupport::kRefused:
        return NotSupported(
            root->Describe(),
            ": this store refuses conditional writes; the in-bucket catalog needs them to "
            "commit: use a SQLite or PostgreSQL catalog for this lake "
            "(sqlite:///path/catalog.db or postgresql://user@host:port/db)");
    }
  }
  return std::unique_ptr<InBucketCatalog>(new InBucketCatalog(std::move(root), std::move(options)));
}

// --- namespaces -------------------------------------------------------------------------

Result<bool> InBucketCatalog::AnyKeyUnder(const std::string& prefix) {
  storage::ListOptions lo;
  lo.max_keys = 1;
  auto page = store_->List(prefix, lo);
  if (!page.ok()) return ReadError(page.status()).WithContext(StrCat("listing ", prefix));
  return !page->objects.empty();
}

Result<bool> InBucketCatalog::NamespaceExists(const Namespace& ns) {
  const std::string key = NamespaceKey(ns);
  auto head = store_->Head(key);
  if (head.ok()) return true;
  if (head.status().code() != StatusCode::kNotFound)
    return ReadError(head.status()).WithContext(StrCat("reading ", key));
  ATOLL_ASSIGN_OR_RETURN(bool tables, AnyKeyUnder(NamespaceDir(ns)));
  if (tables) return true;
  return AnyKeyUnder(StrCat(kCatalogDir, NamespaceToString(ns), "."));
}

Status InBucketCatalog::CreateNamespace(const Namespace& ns,
                                        const std::map<std::string, std::string>& properties) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  ATOLL_RETURN_NOT_OK(CheckPropertyChanges(properties, {}));
  ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
  if (exists) return AlreadyExists("namespace '", NamespaceToString(ns), "' already exists");
  const std::string key = NamespaceKey(ns);
  auto put = storage::PutString(*store_, key, EncodeNamespace(properties),
                                Condition(PutCondition::kIfAbsent));
  if (put.ok()) return Status::OK();
  if (put.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("namespace '", NamespaceToString(ns), "' already exists");
  }
  return put.status().WithContext(StrCat("creating namespace '", NamespaceToString(ns), "'"));
}

Result<std::vector<Namespace>> InBucketCatalog::ListNamespaces(const Namespace& parent) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(parent));
  std::string prefix(kCatalogDir);
  if (!parent.empty()) prefix += NamespaceToString(parent) + ".";
  std::set<Namespace> found;
  storage::ListOptions lo;
  lo.delimiter = "/";
  do {
    auto page = store_->List(prefix, lo);
    if (!page.ok())
      return ReadError(page.status()).WithContext(StrCat("listing namespaces under ", prefix));
    for (const std::string& dir : page->common_prefixes) {
      // "_catalog/a.b/" -> ["a", "b"]; folders that are not namespaces (".probe") are skipped.
      std::string_view joined(dir);
      joined.remove_prefix(kCatalogDir.size());
      if (joined.empty() || joined.back() != '/') continue;
      joined.remove_suffix(1);
      Namespace levels;
      size_t start = 0;
      while (true) {
        const size_t dot = joined.find('.', start);
        levels.emplace_back(
            joined.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
      }
      if (!ValidateNamespace(levels).ok() || levels.size() <= parent.size()) continue;
      if (!std::equal(parent.begin(), parent.end(), levels.begin())) continue;
      levels.resize(parent.size() + 1);
      found.insert(std::move(levels));
    }
    lo.continuation_token = page->next_token;
  } while (!lo.continuation_token.empty());
  if (!parent.empty() && found.empty()) {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(parent));
    if (!exists) return NotFound("namespace '", NamespaceToString(parent), "' does not exist");
  }
  return std::vector<Namespace>(found.begin(), found.end());
}

Result<std::map<std::string, std::string>> InBucketCatalog::LoadNamespaceProperties(
    const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  const std::string key = NamespaceKey(ns);
  auto text = store_->Get(key);
  if (text.ok()) return DecodeNamespace(*text, key);
  if (text.status().code() != StatusCode::kNotFound)
    return ReadError(text.status()).WithContext(StrCat("reading ", key));
  ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
  if (!exists) return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  return std::map<std::string, std::string>{};  // an implicit namespace has no properties
}

Status InBucketCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                                  const std::map<std::string, std::string>& updates,
                                                  const std::set<std::string>& removals) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  ATOLL_RETURN_NOT_OK(CheckPropertyChanges(updates, removals));
  const std::string key = NamespaceKey(ns);
  const std::string what =
      StrCat("updating the properties of namespace '", NamespaceToString(ns), "'");
  for (int attempt = 0; attempt < std::max(1, options_.max_property_update_attempts); ++attempt) {
    std::map<std::string, std::string> props;
    PutOptions condition = Condition(PutCondition::kIfAbsent);
    auto head = store_->Head(key);
    if (head.ok()) {
      auto text = store_->Get(key);
      if (text.status().code() == StatusCode::kNotFound) continue;  // dropped meanwhile: look again
      if (!text.ok()) return ReadError(text.status()).WithContext(what);
      ATOLL_ASSIGN_OR_RETURN(props, DecodeNamespace(*text, key));
      condition = Condition(PutCondition::kIfMatch, head->etag);
    } else if (head.status().code() == StatusCode::kNotFound) {
      ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
      if (!exists) return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
    } else {
      return ReadError(head.status()).WithContext(what);
    }
    for (const auto& key_removed : removals) props.erase(key_removed);
    for (const auto& [k, v] : updates) props[k] = v;
    auto put = storage::PutString(*store_, key, EncodeNamespace(props), condition);
    if (put.ok()) return Status::OK();
    const StatusCode code = put.status().code();
    if (code == StatusCode::kPreconditionFailed || code == StatusCode::kAlreadyExists ||
        code == StatusCode::kNotFound) {
      continue;  // lost a race with another update, a create or a drop: start over
    }
    return put.status().WithContext(what);
  }
  return CommitConflict(what, ": gave up after ", options_.max_property_update_attempts,
                        " attempts lost to concurrent updates");
}

Status InBucketCatalog::DropNamespace(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  const std::string name = NamespaceToString(ns);
  ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
  if (!exists) return NotFound("namespace '", name, "' does not exist");
  storage::ListOptions lo;
  lo.max_keys = 2;
  lo.delimiter = "/";
  auto page = store_->List(NamespaceDir(ns), lo);
  if (!page.ok())
    return ReadError(page.status()).WithContext(StrCat("dropping namespace '", name, "'"));
  const std::string own = NamespaceKey(ns);
  for (const auto& object : page->objects) {
    if (object.key != own)
      return PreconditionFailed("namespace '", name, "' still holds tables or views");
  }
  ATOLL_ASSIGN_OR_RETURN(bool children, AnyKeyUnder(StrCat(kCatalogDir, name, ".")));
  if (children) return PreconditionFailed("namespace '", name, "' still holds namespaces");
  return storage::Delete(*store_, own).WithContext(StrCat("dropping namespace '", name, "'"));
}

// --- tables -----------------------------------------------------------------------------

Result<std::vector<TableIdentifier>> InBucketCatalog::ListTables(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  const std::string dir = NamespaceDir(ns);
  std::vector<TableIdentifier> tables;
  bool has_namespace_object = false;
  storage::ListOptions lo;
  lo.delimiter = "/";
  do {
    auto page = store_->List(dir, lo);
    if (!page.ok()) return ReadError(page.status()).WithContext(StrCat("listing tables in ", dir));
    for (const auto& object : page->objects) {
      std::string_view name(object.key);
      name.remove_prefix(dir.size());
      if (name == kNamespaceObject) {
        has_namespace_object = true;
        continue;
      }
      if (name.size() <= 5 || name.substr(name.size() - 5) != ".json") continue;
      name.remove_suffix(5);
      TableIdentifier id{ns, std::string(name)};
      if (CheckTable(id).ok()) tables.push_back(std::move(id));
    }
    lo.continuation_token = page->next_token;
  } while (!lo.continuation_token.empty());
  if (tables.empty() && !has_namespace_object) {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  }
  std::sort(tables.begin(), tables.end());
  return tables;
}

Result<std::string> InBucketCatalog::DefaultTableLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  std::string location = options_.warehouse_uri;
  for (const auto& level : id.ns) location += "/" + level;
  return location + "/" + id.name;
}

Result<std::pair<InBucketCatalog::Pointer, std::string>> InBucketCatalog::ReadPointer(
    const TableIdentifier& id, bool view) {
  const std::string key = view ? ViewPointerKey(id) : PointerKey(id);
  auto not_found = [&] {
    return NotFound(view ? "view '" : "table '", id.ToString(), "' does not exist");
  };
  // Head before Get: the etag is then never newer than the content read.
  auto head = store_->Head(key);
  if (!head.ok()) {
    if (head.status().code() == StatusCode::kNotFound) return not_found();
    return ReadError(head.status()).WithContext(StrCat("reading ", key));
  }
  auto text = store_->Get(key);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return not_found();
    return ReadError(text.status()).WithContext(StrCat("reading ", key));
  }
  ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(*text, key));
  Pointer p;
  auto location = json::String(j, "metadata-location", key);
  if (!location.ok()) return Corruption(location.status().message());
  p.metadata_location = std::move(location).value();
  auto previous = json::OptString(j, "previous-metadata-location", key);
  if (!previous.ok()) return Corruption(previous.status().message());
  p.previous_metadata_location = std::move(previous).value();
  auto updated = json::OptInt64(j, "updated-ms", key);
  if (!updated.ok()) return Corruption(updated.status().message());
  p.updated_ms = updated->value_or(0);
  auto renamed = json::OptString(j, "renamed-to", key);
  if (!renamed.ok()) return Corruption(renamed.status().message());
  p.renamed_to = std::move(renamed).value();
  return std::make_pair(std::move(p), head->etag);
}

Result<std::string> InBucketCatalog::LoadMetadataLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  ATOLL_ASSIGN_OR_RETURN(auto pointer, ReadPointer(id));
  if (pointer.first.renamed_to) {
    return NotFound("table '", id.ToString(), "' does not exist (renamed to '",
                    *pointer.first.renamed_to, "')");
  }
  return pointer.first.metadata_location;
}

Status InBucketCatalog::CreateTable(const TableIdentifier& id,
                                    const std::string& metadata_location) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (metadata_location.empty())
    return InvalidArgument("empty metadata location for table '", id.ToString(), "'");
  ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(id.ns));
  if (!exists) return NotFound("namespace '", NamespaceToString(id.ns), "' does not exist");
  ATOLL_ASSIGN_OR_RETURN(bool view, KeyExists(ViewPointerKey(id)));
  if (view) return AlreadyExists("a view named '", id.ToString(), "' exists");
  auto put =
      storage::PutString(*store_, PointerKey(id), EncodePointer(metadata_location, std::nullopt),
                         Condition(PutCondition::kIfAbsent));
  if (put.ok()) return Status::OK();
  if (put.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("table '", id.ToString(), "' already exists");
  }
  return put.status().WithContext(StrCat("creating table '", id.ToString(), "'"));
}

// Replaces the pointer at `key` read with `etag` by `pointer`: the one conditional put of
// a table's or view's commit. kCommitConflict when another commit changed it since it was
// read; kNotFound when it was dropped meanwhile; kUnknownOutcome and kUnavailable pass.
Status InBucketCatalog::SwapPointer(const std::string& key, const std::string& pointer,
                                    const std::string& etag, const std::string& what,
                                    const std::string& name) {
  auto put = storage::PutString(*store_, key, pointer, Condition(PutCondition::kIfMatch, etag));
  if (put.ok()) return Status::OK();
  switch (put.status().code()) {
    case StatusCode::kPreconditionFailed:
      return CommitConflict(what, ": the pointer changed since it was read (",
                            put.status().message(), ")");
    case StatusCode::kNotFound:
      return NotFound(name, " was dropped during the commit");
    default:
      return put.status().WithContext(what);
  }
}

Status InBucketCatalog::SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                                             const std::string& next) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (next.empty())
    return InvalidArgument("empty metadata location for table '", id.ToString(), "'");
  const std::string what = StrCat("committing table '", id.ToString(), "'");
  ATOLL_ASSIGN_OR_RETURN(auto pointer, ReadPointer(id));
  const auto& [current, etag] = pointer;
  if (current.renamed_to) {
    return NotFound("table '", id.ToString(), "' does not exist (renamed to '", *current.renamed_to,
                    "')");
  }
  if (current.metadata_location != expected) {
    return CommitConflict(what, ": the table's metadata is ", current.metadata_location, ", not ",
                          expected);
  }
  return SwapPointer(PointerKey(id), EncodePointer(next, expected), etag, what,
                     StrCat("table '", id.ToString(), "'"));
}

Status InBucketCatalog::DropTable(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  const std::string key = PointerKey(id);
  auto head = store_->Head(key);
  if (!head.ok()) {
    if (head.status().code() == StatusCode::kNotFound)
      return NotFound("table '", id.ToString(), "' does not exist");
    return ReadError(head.status()).WithContext(StrCat("dropping table '", id.ToString(), "'"));
  }
  return storage::Delete(*store_, key).WithContext(StrCat("dropping table '", id.ToString(), "'"));
}

Status InBucketCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  ATOLL_RETURN_NOT_OK(CheckTable(from));
  ATOLL_RETURN_NOT_OK(CheckTable(to));
  const std::string what =
      StrCat("renaming table '", from.ToString(), "' to '", to.ToString(), "'");
  if (from == to) {
    ATOLL_ASSIGN_OR_RETURN(auto pointer, ReadPointer(from));
    if (pointer.first.renamed_to) return NotFound("table '", from.ToString(), "' does not exist");
    return Status::OK();
  }
  ATOLL_ASSIGN_OR_RETURN(auto pointer, ReadPointer(from));
  auto& [source, etag] = pointer;
  const std::string target_name = to.ToString();
  const bool resuming = source.renamed_to.has_value();
  if (resuming && *source.renamed_to != target_name) {
    return NotFound("table '", from.ToString(), "' does not exist (renamed to '",
                    *source.renamed_to, "')");
  }
  ATOLL_ASSIGN_OR_RETURN(bool ns_exists, NamespaceExists(to.ns));
  if (!ns_exists) return NotFound("namespace '", NamespaceToString(to.ns), "' does not exist");
  const std::string target_key = PointerKey(to);
  if (!resuming) {
    ATOLL_ASSIGN_OR_RETURN(bool view, KeyExists(ViewPointerKey(to)));
    if (view) return AlreadyExists("a view named '", target_name, "' exists");
    auto head = store_->Head(target_key);
    if (head.ok()) return AlreadyExists("table '", target_name, "' already exists");
    if (head.status().code() != StatusCode::kNotFound)
      return ReadError(head.status()).WithContext(what);
    // Mark the source as moving: concurrent swaps of it now fail with kCommitConflict.
    auto mark = storage::PutString(
        *store_, PointerKey(from),
        EncodePointer(source.metadata_location, source.previous_metadata_location, target_name),
        Condition(PutCondition::kIfMatch, etag));
    if (!mark.ok()) {
      if (mark.status().code() == StatusCode::kPreconditionFailed) {
        return CommitConflict(what, ": the table was committed meanwhile; retry");
      }
      if (mark.status().code() == StatusCode::kNotFound)
        return NotFound("table '", from.ToString(), "' does not exist");
      return mark.status().WithContext(what);
    }
    etag = mark->etag;
  }
  auto created =
      storage::PutString(*store_, target_key,
                         EncodePointer(source.metadata_location, source.previous_metadata_location),
                         Condition(PutCondition::kIfAbsent));
  if (!created.ok()) {
    const bool exists = created.status().code() == StatusCode::kAlreadyExists;
    if (exists && resuming) {
      // An earlier attempt may have created the target already; finish only if it is ours.
      auto target = ReadPointer(to);
      if (!target.ok() || target->first.metadata_location != source.metadata_location) {
        return AlreadyExists("table '", target_name, "' already exists");
      }
    } else {
      if (!resuming && created.status().code() != StatusCode::kUnknownOutcome) {
        // Undo the mark (best effort: a failure leaves a mark that repeating the rename resolves).
        (void)storage::PutString(
            *store_, PointerKey(from),
            EncodePointer(source.metadata_location, source.previous_metadata_location),
            Condition(PutCondition::kIfMatch, etag));
      }
      if (exists) return AlreadyExists("table '", target_name, "' already exists");
      return created.status().WithContext(what);
    }
  }
  return storage::Delete(*store_, PointerKey(from)).WithContext(what);
}

// --- views ------------------------------------------------------------------------------

Result<bool> InBucketCatalog::KeyExists(const std::string& key) {
  auto head = store_->Head(key);
  if (head.ok()) return true;
  if (head.status().code() == StatusCode::kNotFound) return false;
  return ReadError(head.status()).WithContext(StrCat("reading ", key));
}

Result<std::vector<TableIdentifier>> InBucketCatalog::ListViews(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  const std::string dir = NamespaceDir(ns);
  std::vector<TableIdentifier> views;
  storage::ListOptions lo;
  lo.delimiter = "/";
  do {
    auto page = store_->List(dir, lo);
    if (!page.ok()) return ReadError(page.status()).WithContext(StrCat("listing views in ", dir));
    for (const auto& object : page->objects) {
      std::string_view name(object.key);
      name.remove_prefix(dir.size());
      if (!name.ends_with(kViewSuffix)) continue;
      name.remove_suffix(kViewSuffix.size());
      TableIdentifier id{ns, std::string(name)};
      if (CheckTable(id).ok()) views.push_back(std::move(id));
    }
    lo.continuation_token = page->next_token;
  } while (!lo.continuation_token.empty());
  if (views.empty()) {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  }
  std::sort(views.begin(), views.end());
  return views;
}

Result<std::string> InBucketCatalog::LoadViewMetadataLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  ATOLL_ASSIGN_OR_RETURN(auto pointer, ReadPointer(id, /*view=*/true));
  return pointer.first.metadata_location;
}

Status InBucketCatalog::CreateView(const TableIdentifier& id,
                                   const std::string& metadata_location) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (metadata_location.empty())
    return InvalidArgument("empty metadata location for view '", id.ToString(), "'");
  ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(id.ns));
  if (!exists) return NotFound("namespace '", NamespaceToString(id.ns), "' does not exist");
  ATOLL_ASSIGN_OR_RETURN(bool table, KeyExists(PointerKey(id)));
  if (table) return AlreadyExists("a table named '", id.ToString(), "' exists");
  auto put = storage::PutString(*store_, ViewPointerKey(id),
                                EncodePointer(metadata_location, std::nullopt),
                                Condition(PutCondition::kIfAbsent));
  if (put.ok()) return Status::OK();
  if (put.status().code() == StatusCode::kAlreadyExists)
    return AlreadyExists("view '", id.ToString(), "' already exists");
  return put.status().WithContext(StrCat("creating view '", id.ToString(), "'"));
}

Status InBucketCatalog::SwapViewMetadataLocation(const TableIdentifier& id,
                                                 const std::string& expected,
                                                 const std::string& next) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (next.empty())
    return InvalidArgument("empty metadata location for view '", id.ToString(), "'");
  const std::string what = StrCat("committing view '", id.ToString(), "'");
  ATOLL_ASSIGN_OR_RETURN(auto pointer, ReadPointer(id, /*view=*/true));
  const auto& [current, etag] = pointer;
  if (current.metadata_location != expected) {
    return CommitConflict(what, ": the view's metadata is ", current.metadata_location, ", not ",
                          expected);
  }
  return SwapPointer(ViewPointerKey(id), EncodePointer(next, expected), etag, what,
                     StrCat("view '", id.ToString(), "'"));
}

Status InBucketCatalog::DropView(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  const std::string key = ViewPointerKey(id);
  ATOLL_ASSIGN_OR_RETURN(bool exists, KeyExists(key));
  if (!exists) return NotFound("view '", id.ToString(), "' does not exist");
  return storage::Delete(*store_, key).WithContext(StrCat("dropping view '", id.ToString(), "'"));
}

}  // namespace atl::catalog
