// Names of namespaces and tables (declared in catalog.h), and the default answers of
// catalogs without views.
#include "atoll/iceberg/catalog.h"

namespace atl::iceberg {

namespace {

// kInvalidArgument naming `what` when `level` is empty or holds '.', '/' or a control character.
Status ValidateLevel(std::string_view level, std::string_view what) {
  if (level.empty()) return InvalidArgument(what, " is empty");
  for (unsigned char c : level) {
    if (c == '.' || c == '/') {
      return InvalidArgument(what, " '", level, "' contains '",
                             std::string(1, static_cast<char>(c)),
                             "' (not allowed in namespace levels and table names)");
    }
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument(what, " '", level, "' contains a control character");
    }
  }
  return Status::OK();
}

}  // namespace

std::string NamespaceToString(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i > 0) out += '.';
    out += ns[i];
  }
  return out;
}

Namespace SplitNamespace(std::string_view joined) {
  Namespace levels;
  size_t start = 0;
  while (true) {
    const size_t dot = joined.find('.', start);
    levels.emplace_back(joined.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return levels;
}

std::string TableIdentifier::ToString() const {
  if (ns.empty()) return name;
  return NamespaceToString(ns) + "." + name;
}

Result<TableIdentifier> TableIdentifier::Parse(std::string_view text, bool allow_empty_namespace) {
  if (text.empty()) return InvalidArgument("empty table identifier");
  std::vector<std::string> parts = SplitNamespace(text);
  TableIdentifier id;
  id.name = std::move(parts.back());
  parts.pop_back();
  id.ns = std::move(parts);
  if (id.ns.empty() && !allow_empty_namespace) {
    return InvalidArgument("table identifier '", text,
                           "' has no namespace (expected <namespace>.<table>)");
  }
  ATOLL_RETURN_NOT_OK_CTX(ValidateIdentifier(id), StrCat("table identifier '", text, "'"));
  return id;
}

Status ValidateNamespace(const Namespace& ns) {
  for (size_t i = 0; i < ns.size(); ++i) {
    ATOLL_RETURN_NOT_OK(ValidateLevel(ns[i], StrCat("namespace level ", i + 1)));
  }
  return Status::OK();
}

Status ValidateIdentifier(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(id.ns));
  return ValidateLevel(id.name, "table name");
}

// --- views: catalogs without them ----------------------------------------------------

namespace {
Status NoViews(const Catalog& catalog) {
  return NotSupported("catalog '", catalog.name(), "' does not keep views");
}
}  // namespace

Result<std::vector<TableIdentifier>> Catalog::ListViews(const Namespace&) { return NoViews(*this); }
Result<std::string> Catalog::LoadViewMetadataLocation(const TableIdentifier&) {
  return NoViews(*this);
}
Status Catalog::CreateView(const TableIdentifier&, const std::string&) { return NoViews(*this); }
Status Catalog::SwapViewMetadataLocation(const TableIdentifier&, const std::string&,
                                         const std::string&) {
  return NoViews(*this);
}
Status Catalog::DropView(const TableIdentifier&) { return NoViews(*this); }

}  // namespace atl::iceberg
