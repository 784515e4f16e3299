// The protobuf messages of an ORC file tail and stripe footer (orc_proto.proto of the
// ORC specification), decoded into plain structs. Only the fields atoll uses are kept;
// column statistics, bloom filters and encryption are skipped.
//
// Parse* functions take one serialized (already decompressed) message and fail with
// kCorruption on malformed bytes. They check field shapes only; the reader checks the
// values (offsets, lengths, type tree) against the file.
//
// Thread safety: stateless functions; the structs are plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"

namespace atl::orc {

// The file-wide compression of streams, footer, metadata and stripe footers.
enum class CompressionKind : uint32_t {
  kNone = 0,
  kZlib = 1,
  kSnappy = 2,
  kLzo = 3,
  kLz4 = 4,
  kZstd = 5
};
std::string_view CompressionName(CompressionKind kind);  // "NONE", "ZLIB", ...

struct PostScript {
  uint64_t footer_length = 0;
  uint32_t compression = 0;                      // a CompressionKind value, unchecked
  uint64_t compression_block_size = 256 * 1024;  // the writers' default when absent
  std::vector<uint64_t> version;                 // e.g. {0, 12}
  uint64_t metadata_length = 0;
  uint32_t writer_version = 0;
  std::string magic;  // "ORC"
};

struct StripeInfo {
  uint64_t offset = 0;
  uint64_t index_length = 0;
  uint64_t data_length = 0;
  uint64_t footer_length = 0;
  uint64_t num_rows = 0;
};

struct TypeProto {
  uint32_t kind = 0;
  std::vector<uint64_t> subtypes;
  std::vector<std::string> field_names;
  uint32_t maximum_length = 0;
  uint32_t precision = 0;
  uint32_t scale = 0;
  bool has_precision = false;
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct FooterProto {
  uint64_t header_length = 0;
  uint64_t content_length = 0;
  std::vector<StripeInfo> stripes;
  std::vector<TypeProto> types;
  std::vector<std::pair<std::string, std::string>> user_metadata;
  uint64_t num_rows = 0;
  uint32_t row_index_stride = 0;
  int64_t writer = -1;  // 0 ORC Java, 1 ORC C++, 2 Presto, ...; -1 when absent
  std::string software_version;
};

enum class StreamKind : uint32_t {
  kPresent = 0,
  kData = 1,
  kLength = 2,
  kDictionaryData = 3,
  kDictionaryCount = 4,
  kSecondary = 5,
  kRowIndex = 6,
  kBloomFilter = 7,
  kBloomFilterUtf8 = 8,
};

struct StreamProto {
  uint32_t kind = 0;  // a StreamKind value, unchecked
  uint32_t column = 0;
  uint64_t length = 0;
};

enum class EncodingKind : uint32_t {
  kDirect = 0,
  kDictionary = 1,
  kDirectV2 = 2,
  kDictionaryV2 = 3,
  kDecimal64 = 4
};

struct EncodingProto {
  uint32_t kind = 0;  // an EncodingKind value, unchecked
  uint32_t dictionary_size = 0;
};

struct StripeFooterProto {
  std::vector<StreamProto> streams;
  std::vector<EncodingProto> encodings;  // one per column id
  std::string writer_timezone;           // empty when absent (format 0.11)
};

Result<PostScript> ParsePostScript(std::string_view bytes);
Result<FooterProto> ParseFooter(std::string_view bytes);
Result<StripeFooterProto> ParseStripeFooter(std::string_view bytes);

}  // namespace atl::orc
