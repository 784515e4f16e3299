// Reader of Apache ORC files (format versions 0.11, 0.12 and 1.9999), atoll's own
// implementation of the ORC specification.
//
//   ATOLL_ASSIGN_OR_RETURN(auto reader, orc::Reader::OpenFile("/data/part-0.orc"));
//   reader->schema().ToString();   // "struct<id:bigint,name:string>"
//   std::unique_ptr<orc::ColumnVector> batch;
//   while (true) {
//     ATOLL_ASSIGN_OR_RETURN(bool more, reader->NextBatch(&batch));
//     if (!more) break;
//     ... batch->size rows, batch->children[i] per struct field ...
//   }
//
// The reader reads the file tail (postscript, footer) when opened, then one stripe at a
// time through its RandomAccessSource, so memory stays bounded by one stripe (its stored
// bytes plus its decompressed streams) and one batch.
//
// Compression: NONE, ZLIB, SNAPPY, LZO, LZ4, ZSTD. Encodings: byte/boolean RLE, integer
// RLE v1 and v2, DIRECT(_V2) and DICTIONARY(_V2) strings, DECIMAL_64, and the decimal64 of
// format 1.9999 (the ORCv2 draft: decimals of precision <= 18 as RLE v2 integers without a
// SECONDARY stream). Types: every ORC type; see vector.h for how each is represented.
//
// Row counts: the stripes' own counts are read. A footer whose numberOfRows is 0 or
// absent while its stripes hold rows is read like ORC's Java and C++ readers read it;
// a footer that names another non-zero count than the stripes' sum is kCorruption.
//
// Errors: every length, offset and count read from the file is checked; malformed files
// give kCorruption with a message "reading ORC file <name>: <what is wrong>"; unknown
// compression kinds, encodings, type kinds or format versions give kNotSupported; a
// failing source passes its error through. Sizes beyond the ReaderOptions limits (a
// decompression bomb, an absurd footer) are kCorruption. After an error from NextBatch
// the reader must not be used further.
//
// Timestamps: ORC stores them relative to 2015-01-01 00:00:00 in the writer's time zone,
// named in each stripe footer. Files without one (format 0.11) use
// ReaderOptions::default_timezone, as ORC's own readers use their local zone.
//
// Thread safety: a Reader is used by one thread at a time; distinct Readers are
// independent. The schema stays valid for the Reader's lifetime.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/orc/metadata.h"
#include "atoll/formats/orc/schema.h"
#include "atoll/formats/orc/timezone.h"
#include "atoll/formats/orc/vector.h"

namespace atl::storage {
class Store;
}

namespace atl::orc {

// Random access to the bytes of one file.
struct RandomAccessSource {
  std::string name;  // for error messages (a path or key)
  uint64_t size = 0;
  // Returns the `length` bytes at `offset` (never asked beyond `size`). Returning fewer
  // bytes is reported as a truncated file.
  std::function<Result<std::string>(uint64_t offset, uint64_t length)> read;
};

// The local file `path` as a source named `name` (for error messages): positioned reads
// on one descriptor, closed with the last copy of the source. kNotFound/kIOError when the
// file cannot be opened.
Result<RandomAccessSource> LocalFileSource(const std::string& path, const std::string& name);

struct ReaderOptions {
  size_t batch_rows = 1024;  // rows per NextBatch (at most)
  uint64_t max_tail_bytes = uint64_t{64}
                            << 20;  // footer/metadata/stripe footer, stored or decompressed
  uint64_t max_stripe_bytes = uint64_t{1} << 30;               // stored bytes of one stripe
  uint64_t max_decompressed_stripe_bytes = uint64_t{2} << 30;  // all streams of one stripe
  uint64_t max_compression_block = uint64_t{64} << 20;         // postscript compressionBlockSize
  uint64_t max_batch_elements = uint64_t{1} << 26;             // list/map elements in one batch
  size_t max_batch_bytes = size_t{1} << 30;  // string bytes in one column of a batch
  std::string default_timezone = "UTC";      // when a stripe names no writer zone
  std::string zoneinfo_dir = "/usr/share/zoneinfo";
  uint32_t hive11_decimal_scale = 6;  // scale of decimals without precision (Hive 0.11)
  // A zero-length file reads as zero rows of an empty struct (Hive writes such files
  // for empty buckets) instead of failing with kCorruption.
  bool zero_length_is_empty = true;
};

class Reader {
 public:
  static Result<std::unique_ptr<Reader>> Open(RandomAccessSource source,
                                              ReaderOptions options = {});
  // Reads from memory; the reader keeps its own copy of `bytes`.
  static Result<std::unique_ptr<Reader>> OpenBuffer(std::string bytes, std::string name,
                                                    ReaderOptions options = {});
  // Reads a local file with positioned reads (kNotFound/kIOError when it cannot be opened).
  static Result<std::unique_ptr<Reader>> OpenFile(const std::string& path,
                                                  ReaderOptions options = {});
  // Reads `key` of `store` with ranged GETs (Head first for the size). `store` must
  // outlive the reader.
  static Result<std::unique_ptr<Reader>> OpenStore(storage::Store& store, std::string key,
                                                   ReaderOptions options = {});

  ~Reader();

  const std::string& name() const { return source_.name; }
  const Type& schema() const { return *schema_; }
  // The footer's numberOfRows, or the stripes' sum when the footer says 0 or nothing.
  uint64_t num_rows() const { return footer_.num_rows; }
  size_t num_stripes() const { return footer_.stripes.size(); }
  const StripeInfo& stripe(size_t i) const { return footer_.stripes[i]; }
  CompressionKind compression() const { return compression_; }
  uint64_t compression_block_size() const { return postscript_.compression_block_size; }
  // "0.11", "0.12" or "1.9999" (from the postscript; "0.11" when absent).
  const std::string& format_version() const { return format_version_; }
  uint32_t writer_version() const { return postscript_.writer_version; }
  // 0 ORC Java, 1 ORC C++, 2 Presto, ...; -1 when unspecified.
  int64_t writer() const { return footer_.writer; }
  uint32_t row_index_stride() const { return footer_.row_index_stride; }
  // The user metadata key/value pairs of the footer.
  const std::vector<std::pair<std::string, std::string>>& user_metadata() const {
    return footer_.user_metadata;
  }

  // The next batch of at most options.batch_rows rows, crossing stripe boundaries as
  // needed. Returns false (leaving *out untouched) after the last row. `*out` is reused
  // when non-null.
  Result<bool> NextBatch(std::unique_ptr<ColumnVector>* out);
  // Makes the next NextBatch start at the first row of stripe `index` (kInvalidArgument
  // when out of range).
  Status SeekToStripe(size_t index);

 private:
  Reader(RandomAccessSource source, ReaderOptions options);
  Status ReadTail();
  Status LoadStripe(size_t index);
  Result<std::string> ReadRange(uint64_t offset, uint64_t length, std::string_view what);
  Status Fail(Status st) const;

  struct StripeState;
  RandomAccessSource source_;
  ReaderOptions options_;
  PostScript postscript_;
  FooterProto footer_;
  CompressionKind compression_ = CompressionKind::kNone;
  std::string format_version_ = "0.11";
  std::unique_ptr<Type> schema_;
  std::map<std::string, std::shared_ptr<const TimeZone>> zones_;
  size_t next_stripe_ = 0;
  std::unique_ptr<StripeState> stripe_;
};

}  // namespace atl::orc
