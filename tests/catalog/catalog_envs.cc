// The catalog environments of the behaviour suite (catalog_behaviour.h).
#include <unistd.h>

#include <atomic>
#include <random>

#include "atoll/catalog/in_bucket_catalog.h"
#include "atoll/catalog/memory_catalog.h"
#include "atoll/catalog/postgres_catalog.h"
#include "atoll/catalog/sqlite_catalog.h"
#include "atoll/storage/local_store.h"
#include "atoll/storage/memory_store.h"
#include "catalog/catalog_behaviour.h"
#include "testing/testing.h"

namespace atl::catalog::testing {
namespace {

using iceberg::Catalog;

// One MemoryCatalog: every Open() hands out a view of it.
class MemoryEnv final : public CatalogEnv {
 public:
  Result<std::unique_ptr<Catalog>> Open() override {
    return std::unique_ptr<Catalog>(new Forwarding(catalog_));
  }

 private:
  // Forwards to the shared catalog (Open returns owning pointers).
  class Forwarding final : public Catalog {
   public:
    explicit Forwarding(std::shared_ptr<Catalog> inner) : inner_(std::move(inner)) {}
    std::string name() const override { return inner_->name(); }
    Status CreateNamespace(const iceberg::Namespace& ns,
                           const std::map<std::string, std::string>& p) override {
      return inner_->CreateNamespace(ns, p);
    }
    Result<std::vector<iceberg::Namespace>> ListNamespaces(
        const iceberg::Namespace& parent) override {
      return inner_->ListNamespaces(parent);
    }
    Result<std::map<std::string, std::string>> LoadNamespaceProperties(
        const iceberg::Namespace& ns) override {
      return inner_->LoadNamespaceProperties(ns);
    }
    Status UpdateNamespaceProperties(const iceberg::Namespace& ns,
                                     const std::map<std::string, std::string>& u,
                                     const std::set<std::string>& r) override {
      return inner_->UpdateNamespaceProperties(ns, u, r);
    }
    Status DropNamespace(const iceberg::Namespace& ns) override {
      return inner_->DropNamespace(ns);
    }
    Result<std::vector<iceberg::TableIdentifier>> ListTables(
        const iceberg::Namespace& ns) override {
      return inner_->ListTables(ns);
    }
    Result<std::string> DefaultTableLocation(const iceberg::TableIdentifier& id) override {
      return inner_->DefaultTableLocation(id);
    }
    Result<std::string> LoadMetadataLocation(const iceberg::TableIdentifier& id) override {
      return inner_->LoadMetadataLocation(id);
    }
    Status CreateTable(const iceberg::TableIdentifier& id, const std::string& m) override {
      return inner_->CreateTable(id, m);
    }
    Status SwapMetadataLocation(const iceberg::TableIdentifier& id, const std::string& e,
                                const std::string& n) override {
      return inner_->SwapMetadataLocation(id, e, n);
    }
    Status DropTable(const iceberg::TableIdentifier& id) override { return inner_->DropTable(id); }
    Status RenameTable(const iceberg::TableIdentifier& f,
                       const iceberg::TableIdentifier& t) override {
      return inner_->RenameTable(f, t);
    }
    Result<std::vector<iceberg::TableIdentifier>> ListViews(const iceberg::Namespace& ns) override {
      return inner_->ListViews(ns);
    }
    Result<std::string> LoadViewMetadataLocation(const iceberg::TableIdentifier& id) override {
      return inner_->LoadViewMetadataLocation(id);
    }
    Status CreateView(const iceberg::TableIdentifier& id, const std::string& m) override {
      return inner_->CreateView(id, m);
    }
    Status SwapViewMetadataLocation(const iceberg::TableIdentifier& id, const std::string& e,
                                    const std::string& n) override {
      return inner_->SwapViewMetadataLocation(id, e, n);
    }
    Status DropView(const iceberg::TableIdentifier& id) override { return inner_->DropView(id); }

   private:
    std::shared_ptr<Catalog> inner_;
  };
  std::shared_ptr<Catalog> catalog_ = std::make_shared<catalog::MemoryCatalog>("mem://wh");
};

class InBucketMemoryEnv final : public CatalogEnv {
 public:
  Result<std::unique_ptr<Catalog>> Open() override {
    ATOLL_ASSIGN_OR_RETURN(auto catalog, catalog::InBucketCatalog::Open(store_, "lakes/sales"));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }

 private:
  std::shared_ptr<storage::Store> store_ = std::make_shared<storage::MemoryStore>("wh");
};

class InBucketLocalEnv final : public CatalogEnv {
 public:
  Result<std::unique_ptr<Catalog>> Open() override {
    ATOLL_ASSIGN_OR_RETURN(std::shared_ptr<storage::Store> store,
                           storage::LocalStore::Open(dir_.path()));
    ATOLL_ASSIGN_OR_RETURN(auto catalog, catalog::InBucketCatalog::Open(store, ""));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }
  bool SupportsFork() const override { return true; }

 private:
  ::atl::testing::TempDir dir_;
};

class SqliteEnv final : public CatalogEnv {
 public:
  Result<std::unique_ptr<Catalog>> Open() override {
    SqlCatalogOptions options;
    options.warehouse_uri = "file:///data/wh";
    ATOLL_ASSIGN_OR_RETURN(auto catalog, OpenSqliteCatalog(dir_.Join("catalog.db"), options));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }
  bool SupportsFork() const override { return true; }

 private:
  ::atl::testing::TempDir dir_;
};

class PostgresEnv final : public CatalogEnv {
 public:
  explicit PostgresEnv(std::string uri) : uri_(std::move(uri)) {}
  Result<std::unique_ptr<Catalog>> Open() override {
    SqlCatalogOptions options;
    options.name = name_;
    options.warehouse_uri = "s3://wh";
    ATOLL_ASSIGN_OR_RETURN(auto catalog, OpenPostgresCatalog(uri_, options));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }
  bool SupportsFork() const override { return true; }

 private:
  static std::string UniqueName() {
    static std::atomic<int> counter{0};
    static const uint32_t run = std::random_device{}();
    return "suite-" + std::to_string(::getpid()) + "-" + std::to_string(run % 100000) + "-" +
           std::to_string(counter++);
  }
  std::string uri_;
  std::string name_ = UniqueName();
};

template <typename Env>
CatalogCase Case(std::string name) {
  return CatalogCase{std::move(name), [](std::string*) -> std::unique_ptr<CatalogEnv> {
                       return std::make_unique<Env>();
                     }};
}

}  // namespace

CatalogCase MemoryCase() { return Case<MemoryEnv>("Memory"); }
CatalogCase InBucketMemoryStoreCase() { return Case<InBucketMemoryEnv>("InBucketMemoryStore"); }
CatalogCase InBucketLocalStoreCase() { return Case<InBucketLocalEnv>("InBucketLocalStore"); }
CatalogCase SqliteCase() { return Case<SqliteEnv>("Sqlite"); }
CatalogCase PostgresCase() {
  return CatalogCase{
      "Postgres", [](std::string* skip) -> std::unique_ptr<CatalogEnv> {
        auto uri = ::atl::testing::Env("ATOLL_TEST_POSTGRES_URI");
        if (!uri) {
          *skip =
              "ATOLL_TEST_POSTGRES_URI is not set (scripts/test.sh starts PostgreSQL with "
              "scripts/servers/postgres.sh)";
          return nullptr;
        }
        return std::make_unique<PostgresEnv>(*uri);
      }};
}

}  // namespace atl::catalog::testing
