#include "atoll/lake/work_session.h"

#include <filesystem>

#include "atoll/storage/open_store.h"

namespace atl::lake {

namespace fs = std::filesystem;

Result<std::unique_ptr<WorkSession>> WorkSession::Open(const Lake& lake,
                                                       const std::string& work_dir, int threads,
                                                       std::string_view name) {
  auto s = std::unique_ptr<WorkSession>(new WorkSession());
  if (work_dir.empty()) {
    ATOLL_ASSIGN_OR_RETURN(s->scratch_, ScratchDir::Create(name));
    s->dir_ = s->scratch_.path();
  } else {
    std::error_code ec;
    fs::create_directories(work_dir, ec);
    if (ec) return IOError("creating ", work_dir, ": ", ec.message());
    s->dir_ = work_dir;
  }
  engine::EngineOptions eo;
  eo.threads = threads;
  eo.memory_limit = lake.settings().prepare.memory_limit;
  eo.temp_directory = s->dir_ + "/duckdb";
  eo.upload_buffer_directory = s->dir_;
  ATOLL_ASSIGN_OR_RETURN(s->engine_, engine::Engine::Open(eo));
  const std::string& root = lake.root_uri();
  size_t scheme_end = root.find("://");
  if (scheme_end != std::string::npos) {
    std::string scheme = root.substr(0, scheme_end + 3);
    std::shared_ptr<storage::Store> lake_store = lake.shared_store();
    ATOLL_RETURN_NOT_OK(s->engine_->RegisterStores(
        scheme,
        [scheme, root,
         lake_store](std::string_view bucket) -> Result<std::shared_ptr<storage::Store>> {
          if (StrCat(scheme, bucket) == root) return lake_store;
          ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store,
                                 storage::OpenStore(StrCat(scheme, bucket)));
          return std::shared_ptr<storage::Store>(std::move(store));
        }));
  }
  return s;
}

WorkSession::~WorkSession() {
  engine_.reset();  // before its directory goes (scratch_ is destroyed after this body)
}

}  // namespace atl::lake
