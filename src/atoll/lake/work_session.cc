#include "atoll/lake/work_session.h"

#include "atoll/common/local_fs.h"
#include "atoll/engine/serve_stores.h"

namespace atl::lake {

Result<std::unique_ptr<WorkSession>> WorkSession::Open(const Lake& lake,
                                                       const std::string& work_dir, int threads,
                                                       std::string_view name) {
  auto s = std::unique_ptr<WorkSession>(new WorkSession());
  if (work_dir.empty()) {
    ATOLL_ASSIGN_OR_RETURN(s->scratch_, ScratchDir::Create(name));
    s->dir_ = s->scratch_.path();
  } else {
    ATOLL_RETURN_NOT_OK(CreateDirectories(work_dir));
    s->dir_ = work_dir;
  }
  engine::EngineOptions eo;
  eo.threads = threads;
  eo.memory_limit = lake.settings().prepare.memory_limit;
  eo.temp_directory = s->dir_ + "/duckdb";
  eo.upload_buffer_directory = s->dir_;
  ATOLL_ASSIGN_OR_RETURN(s->engine_, engine::Engine::Open(eo));
  ATOLL_RETURN_NOT_OK(engine::ServeStoresOf(*s->engine_, lake.root_uri(), lake.shared_store()));
  return s;
}

WorkSession::~WorkSession() {
  engine_.reset();  // before its directory goes (scratch_ is destroyed after this body)
}

}  // namespace atl::lake
