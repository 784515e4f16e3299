#include "atoll/catalog/memory_catalog.h"

#include "atoll/iceberg/file_io.h"

namespace atl::catalog {

using iceberg::JoinLocation;
using iceberg::Namespace;
using iceberg::NamespaceToString;
using iceberg::TableIdentifier;
using iceberg::ValidateIdentifier;
using iceberg::ValidateNamespace;
namespace {

bool IsPrefix(const Namespace& parent, const Namespace& child) {
  if (child.size() < parent.size()) return false;
  for (size_t i = 0; i < parent.size(); ++i) {
    if (parent[i] != child[i]) return false;
  }
  return true;
}

}  // namespace

MemoryCatalog::MemoryCatalog(std::string warehouse, std::string name)
    : warehouse_(std::move(warehouse)), name_(std::move(name)) {}

Status MemoryCatalog::CreateNamespace(const Namespace& ns,
                                      const std::map<std::string, std::string>& properties) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(ns));
  if (ns.empty()) return InvalidArgument("cannot create the empty namespace");
  std::lock_guard<std::mutex> lock(mu_);
  if (!namespaces_.emplace(ns, properties).second)
    return AlreadyExists("namespace '", NamespaceToString(ns), "' exists");
  return Status::OK();
}

Result<std::vector<Namespace>> MemoryCatalog::ListNamespaces(const Namespace& parent) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(parent));
  std::lock_guard<std::mutex> lock(mu_);
  if (!parent.empty() && namespaces_.count(parent) == 0) {
    return NotFound("namespace '", NamespaceToString(parent), "' does not exist");
  }
  std::vector<Namespace> out;
  for (const auto& [ns, props] : namespaces_) {
    if (ns.size() == parent.size() + 1 && IsPrefix(parent, ns)) out.push_back(ns);
  }
  return out;
}

Result<std::map<std::string, std::string>> MemoryCatalog::LoadNamespaceProperties(
    const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(ns));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end())
    return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  return it->second;
}

Status MemoryCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                                const std::map<std::string, std::string>& updates,
                                                const std::set<std::string>& removals) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(ns));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end())
    return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  for (const std::string& key : removals) it->second.erase(key);
  for (const auto& [k, v] : updates) it->second[k] = v;
  return Status::OK();
}

Status MemoryCatalog::DropNamespace(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(ns));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end())
    return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  for (const auto& [other, props] : namespaces_) {
    if (other.size() > ns.size() && IsPrefix(ns, other)) {
      return PreconditionFailed("namespace '", NamespaceToString(ns), "' still holds namespace '",
                                NamespaceToString(other), "'");
    }
  }
  for (const auto& [id, location] : tables_) {
    if (id.ns == ns)
      return PreconditionFailed("namespace '", NamespaceToString(ns), "' still holds table '",
                                id.ToString(), "'");
  }
  for (const auto& [id, location] : views_) {
    if (id.ns == ns)
      return PreconditionFailed("namespace '", NamespaceToString(ns), "' still holds view '",
                                id.ToString(), "'");
  }
  namespaces_.erase(it);
  return Status::OK();
}

Result<std::vector<TableIdentifier>> MemoryCatalog::ListTables(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(ns));
  std::lock_guard<std::mutex> lock(mu_);
  if (!ns.empty() && namespaces_.count(ns) == 0)
    return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  std::vector<TableIdentifier> out;
  for (const auto& [id, location] : tables_) {
    if (id.ns == ns) out.push_back(id);
  }
  return out;
}

Result<std::string> MemoryCatalog::DefaultTableLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::string location = warehouse_;
  for (const std::string& level : id.ns) location = JoinLocation(location, level);
  return JoinLocation(location, id.name);
}

Result<std::string> MemoryCatalog::LoadMetadataLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(id);
  if (it == tables_.end()) return NotFound("table '", id.ToString(), "' does not exist");
  return it->second;
}

Status MemoryCatalog::CreateTable(const TableIdentifier& id, const std::string& metadata_location) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  if (!id.ns.empty() && namespaces_.count(id.ns) == 0) {
    return NotFound("namespace '", NamespaceToString(id.ns), "' does not exist");
  }
  if (views_.count(id)) return AlreadyExists("a view named '", id.ToString(), "' exists");
  if (!tables_.emplace(id, metadata_location).second)
    return AlreadyExists("table '", id.ToString(), "' exists");
  return Status::OK();
}

Status MemoryCatalog::SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                                           const std::string& next) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  ++swap_calls_;
  bool inject = fault_count_ > 0;
  if (inject) --fault_count_;
  if (inject && !fault_apply_first_) {
    return Status(fault_code_, "injected swap fault for table '" + id.ToString() + "'");
  }
  auto it = tables_.find(id);
  if (it == tables_.end()) return NotFound("table '", id.ToString(), "' does not exist");
  if (it->second != expected) {
    return CommitConflict("table '", id.ToString(), "' was changed concurrently: its metadata is '",
                          it->second, "', not '", expected, "'");
  }
  it->second = next;
  if (inject)
    return Status(fault_code_,
                  "injected swap fault (after the swap) for table '" + id.ToString() + "'");
  return Status::OK();
}

Status MemoryCatalog::DropTable(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  if (tables_.erase(id) == 0) return NotFound("table '", id.ToString(), "' does not exist");
  return Status::OK();
}

Status MemoryCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(from));
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(from);
  if (it == tables_.end()) return NotFound("table '", from.ToString(), "' does not exist");
  if (tables_.count(to)) return AlreadyExists("table '", to.ToString(), "' exists");
  if (views_.count(to)) return AlreadyExists("a view named '", to.ToString(), "' exists");
  if (!to.ns.empty() && namespaces_.count(to.ns) == 0) {
    return NotFound("namespace '", NamespaceToString(to.ns), "' does not exist");
  }
  std::string location = it->second;
  tables_.erase(it);
  tables_.emplace(to, std::move(location));
  return Status::OK();
}

// --- views ------------------------------------------------------------------------------

Result<std::vector<TableIdentifier>> MemoryCatalog::ListViews(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(ValidateNamespace(ns));
  std::lock_guard<std::mutex> lock(mu_);
  if (!ns.empty() && namespaces_.count(ns) == 0)
    return NotFound("namespace '", NamespaceToString(ns), "' does not exist");
  std::vector<TableIdentifier> out;
  for (const auto& [id, location] : views_) {
    if (id.ns == ns) out.push_back(id);
  }
  return out;
}

Result<std::string> MemoryCatalog::LoadViewMetadataLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(id);
  if (it == views_.end()) return NotFound("view '", id.ToString(), "' does not exist");
  return it->second;
}

Status MemoryCatalog::CreateView(const TableIdentifier& id, const std::string& metadata_location) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  if (!id.ns.empty() && namespaces_.count(id.ns) == 0) {
    return NotFound("namespace '", NamespaceToString(id.ns), "' does not exist");
  }
  if (tables_.count(id)) return AlreadyExists("a table named '", id.ToString(), "' exists");
  if (!views_.emplace(id, metadata_location).second)
    return AlreadyExists("view '", id.ToString(), "' exists");
  return Status::OK();
}

Status MemoryCatalog::SwapViewMetadataLocation(const TableIdentifier& id,
                                               const std::string& expected,
                                               const std::string& next) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(id);
  if (it == views_.end()) return NotFound("view '", id.ToString(), "' does not exist");
  if (it->second != expected) {
    return CommitConflict("view '", id.ToString(), "' was changed concurrently: its metadata is '",
                          it->second, "', not '", expected, "'");
  }
  it->second = next;
  return Status::OK();
}

Status MemoryCatalog::DropView(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(ValidateIdentifier(id));
  std::lock_guard<std::mutex> lock(mu_);
  if (views_.erase(id) == 0) return NotFound("view '", id.ToString(), "' does not exist");
  return Status::OK();
}

void MemoryCatalog::InjectSwapFault(StatusCode code, bool apply_first, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_code_ = code;
  fault_apply_first_ = apply_first;
  fault_count_ = count;
}

int MemoryCatalog::swap_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return swap_calls_;
}

}  // namespace atl::catalog
