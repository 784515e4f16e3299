// MemoryCatalog: a Catalog held in process memory, for tests and single-process use.
//
// Tables, views and namespaces live in maps guarded by one mutex; nothing is persisted (the
// metadata files themselves are written by the caller through FileIO, see commit.h).
// DefaultTableLocation is <warehouse>/<ns levels>/<name>.
//
// For tests of the commit protocol, InjectSwapFault makes the next swaps fail with a
// chosen code, optionally AFTER applying the swap (a time-out after the request reached
// the server: kUnknownOutcome with the pointer moved).
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "atoll/iceberg/catalog.h"

namespace atl::catalog {

class MemoryCatalog final : public iceberg::Catalog {
 public:
  // `warehouse` is the root location of default table locations ("mem://wh", "/data/wh").
  explicit MemoryCatalog(std::string warehouse, std::string name = "default");

  std::string name() const override { return name_; }

  Status CreateNamespace(const iceberg::Namespace& ns,
                         const std::map<std::string, std::string>& properties) override;
  Result<std::vector<iceberg::Namespace>> ListNamespaces(const iceberg::Namespace& parent) override;
  Result<std::map<std::string, std::string>> LoadNamespaceProperties(
      const iceberg::Namespace& ns) override;
  Status UpdateNamespaceProperties(const iceberg::Namespace& ns,
                                   const std::map<std::string, std::string>& updates,
                                   const std::set<std::string>& removals) override;
  Status DropNamespace(const iceberg::Namespace& ns) override;

  Result<std::vector<iceberg::TableIdentifier>> ListTables(const iceberg::Namespace& ns) override;
  Result<std::string> DefaultTableLocation(const iceberg::TableIdentifier& id) override;
  Result<std::string> LoadMetadataLocation(const iceberg::TableIdentifier& id) override;
  Status CreateTable(const iceberg::TableIdentifier& id,
                     const std::string& metadata_location) override;
  Status SwapMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                              const std::string& next) override;
  Status DropTable(const iceberg::TableIdentifier& id) override;
  Status RenameTable(const iceberg::TableIdentifier& from,
                     const iceberg::TableIdentifier& to) override;

  Result<std::vector<iceberg::TableIdentifier>> ListViews(const iceberg::Namespace& ns) override;
  Result<std::string> LoadViewMetadataLocation(const iceberg::TableIdentifier& id) override;
  Status CreateView(const iceberg::TableIdentifier& id,
                    const std::string& metadata_location) override;
  Status SwapViewMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                                  const std::string& next) override;
  Status DropView(const iceberg::TableIdentifier& id) override;

  // Test hook: the next `count` calls of SwapMetadataLocation fail with `code`. With
  // `apply_first`, each of them performs the swap (when the pointer matched) before
  // failing. count 0 clears the fault.
  void InjectSwapFault(StatusCode code, bool apply_first, int count = 1);
  // Swap calls made so far (failed or not).
  int swap_calls() const;

 private:
  const std::string warehouse_;
  const std::string name_;
  mutable std::mutex mu_;
  std::map<iceberg::Namespace, std::map<std::string, std::string>> namespaces_;  // guarded by mu_
  std::map<iceberg::TableIdentifier, std::string> tables_;                       // guarded by mu_
  std::map<iceberg::TableIdentifier, std::string> views_;                        // guarded by mu_
  StatusCode fault_code_ = StatusCode::kOk;                                      // guarded by mu_
  bool fault_apply_first_ = false;                                               // guarded by mu_
  int fault_count_ = 0;                                                          // guarded by mu_
  int swap_calls_ = 0;                                                           // guarded by mu_
};

}  // namespace atl::catalog
