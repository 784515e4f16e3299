// Files of the prepare zone that no run will ever take, so that a run can say so instead
// of ignoring them in silence:
//   - files not inside a table folder: directly under `prepare/` or `prepare/<db>/`
//     (a table folder is `prepare/<db>/<table>/`; deeper sub-folders belong to the table);
//   - symbolic links, in a lake that is a local directory: the store lists only regular
//     files and never follows links (a link could make ingest read any file of the host).
// Names whose last segment starts with '.' or '_' are meant to be left alone and are not
// reported.
//
// Thread safety: reads only; may run concurrently with anything.
#pragma once

#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

struct IgnoredLandingFile {
  std::string key;     // "prepare/x.csv"
  std::string reason;  // "not in a table folder (prepare/<db>/<table>/)"
};

// The ignored files of `lake`'s prepare zone, sorted by key. Store errors are returned.
Result<std::vector<IgnoredLandingFile>> FindIgnoredLandingFiles(const Lake& lake);

}  // namespace atl::lake
