// Decoders of one stripe's columns: a tree of ColumnReaders mirroring the type tree,
// each reading its PRESENT/DATA/LENGTH/SECONDARY/DICTIONARY streams and filling a
// ColumnVector batch by batch.
//
// The StripeData (decompressed streams, encodings, writer time zone) must outlive the
// readers made from it. Errors are kCorruption naming the column and stream; unknown
// column encodings are kNotSupported.
//
// Thread safety: a reader tree is used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/orc/metadata.h"
#include "atoll/formats/orc/rle.h"
#include "atoll/formats/orc/schema.h"
#include "atoll/formats/orc/timezone.h"
#include "atoll/formats/orc/vector.h"

namespace atl::orc {

struct StripeData {
  // (column, StreamKind) -> decompressed bytes, pointing into `raw` (uncompressed files)
  // or into `owned`.
  std::map<std::pair<uint32_t, uint32_t>, std::string_view> streams;
  std::string raw;                                  // the stripe's stored bytes
  std::vector<std::unique_ptr<std::string>> owned;  // decompressed streams
  std::vector<EncodingProto> encodings;             // by column id
  std::shared_ptr<const TimeZone> writer_timezone;
  // Format 1.9999 ("UNSTABLE-PRE-2.0", the ORCv2 draft): decimals of precision <= 18 are
  // stored as RLE v2 signed integers in DATA with the scale of the type (no SECONDARY),
  // whatever their encoding says, as ORC's Java and C++ readers decide by file version.
  bool decimal_as_long = false;
  size_t max_batch_bytes = size_t{1} << 30;   // refuse batches whose strings exceed this
  uint64_t max_elements = uint64_t{1} << 26;  // refuse list/map batches with more elements
};

class ColumnReader {
 public:
  virtual ~ColumnReader() = default;
  // Decodes `n` rows into `out` (its previous contents are replaced). Rows where
  // `parent_valid` (nullable) is 0 are null and consume nothing from the streams.
  virtual Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) = 0;
};

Result<std::unique_ptr<ColumnReader>> MakeColumnReader(const Type& type, const StripeData& stripe);

}  // namespace atl::orc
