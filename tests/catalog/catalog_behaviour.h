// The behaviour every Catalog must show, as one value-parameterized suite that each
// implementation instantiates (memory, in-bucket over memory and local stores, SQLite,
// PostgreSQL), and a race of eight processes for the catalogs shared between processes.
//
// A CatalogEnv stands for one fresh, empty catalog per test: Open() may be called several
// times (also in forked child processes, when SupportsFork()) and every catalog it returns
// sees the same state.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "atoll/iceberg/catalog.h"

namespace atl::catalog::testing {

class CatalogEnv {
 public:
  virtual ~CatalogEnv() = default;
  virtual Result<std::unique_ptr<iceberg::Catalog>> Open() = 0;
  // True when Open() works in a child process made by fork() (the state is shared
  // through a file, a directory or a server, not process memory).
  virtual bool SupportsFork() const { return false; }
};

struct CatalogCase {
  std::string name;  // gtest parameter name
  // A fresh environment, or nullptr with `skip` set (the test then skips, or fails when
  // servers are required).
  std::function<std::unique_ptr<CatalogEnv>(std::string* skip)> make;
};

// The suite's fixture: env_ is the fresh environment, catalog_ one catalog opened on it.
class CatalogBehaviour : public ::testing::TestWithParam<CatalogCase> {
 protected:
  void SetUp() override;
  std::unique_ptr<CatalogEnv> env_;
  std::unique_ptr<iceberg::Catalog> catalog_;
};

// The multi-process race (catalog_multiprocess.cc), for catalogs whose env SupportsFork().
class CatalogMultiProcess : public CatalogBehaviour {};

inline std::string CaseName(const ::testing::TestParamInfo<CatalogCase>& info) {
  return info.param.name;
}

// The environments (catalog_envs.cc).
CatalogCase MemoryCase();
CatalogCase InBucketMemoryStoreCase();
CatalogCase InBucketLocalStoreCase();
CatalogCase SqliteCase();
// Skips without ATOLL_TEST_POSTGRES_URI; each env uses its own catalog name.
CatalogCase PostgresCase();

}  // namespace atl::catalog::testing
