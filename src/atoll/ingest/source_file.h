// The files ingestion takes and sets aside: a source in the version that was listed (its
// size and etag), and a file moved to the rejected zone with its reason (rejects.h).
#pragma once

#include <cstdint>
#include <string>

namespace atl::lake {

// A file of prepare/ or load/ in one version (source_check.h).
struct SourceFile {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

struct RejectedFile {
  SourceFile source;
  std::string rejected_key;  // where the file now is; its reason is rejected_key + ".error.json"
  std::string stage;         // "fetch", "decompress", "read", "convert"
  std::string reason;
};

}  // namespace atl::lake
