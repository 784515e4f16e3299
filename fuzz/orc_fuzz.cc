// libFuzzer target: arbitrary bytes as an ORC file. The reader must return rows or an
// error, never crash, hang, leak or allocate without bound. Built and run by
// scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string>

#include "atoll/formats/orc/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  atl::orc::ReaderOptions options;
  options.max_tail_bytes = 1 << 20;
  options.max_stripe_bytes = 4 << 20;
  options.max_decompressed_stripe_bytes = 32 << 20;
  options.max_batch_elements = 1 << 18;
  options.max_batch_bytes = 8 << 20;
  options.batch_rows = 256;
  auto reader = atl::orc::Reader::OpenBuffer(std::string(reinterpret_cast<const char*>(data), size),
                                             "fuzz.orc", options);
  if (!reader.ok()) return 0;
  std::unique_ptr<atl::orc::ColumnVector> batch;
  for (int i = 0; i < 100000; ++i) {
    auto more = (*reader)->NextBatch(&batch);
    if (!more.ok() || !*more) break;
  }
  return 0;
}
