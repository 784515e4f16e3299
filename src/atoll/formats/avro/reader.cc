#include "atoll/formats/avro/reader.h"

#include <cstring>

namespace atl::avro {
namespace {

constexpr char kMagic[4] = {'O', 'b', 'j', '\x01'};
constexpr size_t kSyncSize = 16;
constexpr size_t kReadAhead = 64 * 1024;
// Datums that may encode to zero bytes cannot be bounded by a block's size.
constexpr uint64_t kMaxZeroSizeRows = uint64_t{1} << 24;

}  // namespace

Reader::Reader(std::unique_ptr<InputStream> input, std::string name, ReaderOptions options)
    : input_(std::move(input)), name_(std::move(name)), options_(options) {}

Result<std::unique_ptr<Reader>> Reader::Open(std::unique_ptr<InputStream> input, std::string name,
                                             ReaderOptions options) {
  std::unique_ptr<Reader> r(new Reader(std::move(input), std::move(name), options));
  ATOLL_RETURN_NOT_OK(r->ReadHeader());
  return r;
}

Result<std::unique_ptr<Reader>> Reader::OpenFile(const std::string& path, ReaderOptions options) {
  ATOLL_ASSIGN_OR_RETURN(auto input, OpenFileInput(path));
  return Open(std::move(input), path, options);
}

Result<std::unique_ptr<Reader>> Reader::OpenBuffer(std::string data, std::string name,
                                                   ReaderOptions options) {
  return Open(MemoryInput(std::move(data)), std::move(name), options);
}

std::optional<std::string> Reader::Metadata(std::string_view key) const {
  for (const auto& [k, v] : metadata_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Status Reader::FileError(Status st) const {
  return st.WithContext(StrCat("avro file '", name_, "'"));
}

Result<size_t> Reader::ReadSome(char* buf, size_t n) {
  if (buffer_pos_ == buffer_.size()) {
    if (n >= kReadAhead) {  // large reads bypass the read-ahead buffer
      ATOLL_ASSIGN_OR_RETURN(size_t got, input_->Read(buf, n));
      offset_ += got;
      return got;
    }
    buffer_.resize(kReadAhead);
    ATOLL_ASSIGN_OR_RETURN(size_t got, input_->Read(buffer_.data(), kReadAhead));
    buffer_.resize(got);
    buffer_pos_ = 0;
    if (got == 0) return size_t{0};
  }
  size_t k = std::min(n, buffer_.size() - buffer_pos_);
  std::memcpy(buf, buffer_.data() + buffer_pos_, k);
  buffer_pos_ += k;
  offset_ += k;
  return k;
}

Status Reader::ReadExact(char* buf, size_t n, std::string_view what) {
  size_t done = 0;
  while (done < n) {
    ATOLL_ASSIGN_OR_RETURN(size_t got, ReadSome(buf + done, n - done));
    if (got == 0) {
      return Corruption("truncated: the file ends at offset ", offset_, " inside ", what, " (",
                        n - done, " more bytes expected)");
    }
    done += got;
  }
  return Status::OK();
}

Result<std::optional<int64_t>> Reader::ReadStreamLong(std::string_view what, bool eof_ok) {
  uint64_t start = offset_;
  uint64_t acc = 0;
  for (int i = 0; i < 10; ++i) {
    char c;
    ATOLL_ASSIGN_OR_RETURN(size_t got, ReadSome(&c, 1));
    if (got == 0) {
      if (i == 0 && eof_ok) return std::optional<int64_t>();
      return Corruption("truncated: the file ends at offset ", offset_, " inside ", what);
    }
    uint8_t b = static_cast<uint8_t>(c);
    if (i == 9 && b > 1) break;
    acc |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0)
      return std::optional<int64_t>(static_cast<int64_t>((acc >> 1) ^ (~(acc & 1) + 1)));
  }
  return Corruption("at offset ", start, ": ", what, " is not a valid varint (overflows 64 bits)");
}

Status Reader::ReadHeader() {
  char magic[4];
  Status st = ReadExact(magic, 4, "the magic bytes");
  if (!st.ok() || std::memcmp(magic, kMagic, 4) != 0) {
    return FileError(
        Corruption("not an Avro object container file (the magic bytes \"Obj\\x01\" are missing)"));
  }
  size_t budget = options_.max_header_bytes;
  auto read_string = [&](std::string* out, std::string_view what) -> Status {
    uint64_t at = offset_;
    ATOLL_ASSIGN_OR_RETURN(std::optional<int64_t> len, ReadStreamLong(what, false));
    if (*len < 0 || static_cast<uint64_t>(*len) > budget) {
      return Corruption("at offset ", at, ": ", what, " length ", *len,
                        " is negative or exceeds the header limit of ", options_.max_header_bytes,
                        " bytes");
    }
    budget -= static_cast<size_t>(*len);
    out->resize(static_cast<size_t>(*len));
    return ReadExact(out->data(), out->size(), what);
  };
  while (true) {
    uint64_t at = offset_;
    auto count_or = ReadStreamLong("the header metadata block count", false);
    if (!count_or.ok()) return FileError(count_or.status());
    int64_t count = **count_or;
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN)
        return FileError(Corruption("at offset ", at, ": metadata block count overflows"));
      count = -count;
      auto size_or = ReadStreamLong("the header metadata block size", false);
      if (!size_or.ok()) return FileError(size_or.status());
    }
    if (static_cast<uint64_t>(count) > budget / 2) {
      return FileError(Corruption("at offset ", at, ": header metadata block of ", count,
                                  " entries exceeds the header limit"));
    }
    for (int64_t i = 0; i < count; ++i) {
      std::pair<std::string, std::string> kv;
      ATOLL_RETURN_NOT_OK_CTX(read_string(&kv.first, "a header metadata key"),
                              StrCat("avro file '", name_, "'"));
      ATOLL_RETURN_NOT_OK_CTX(
          read_string(&kv.second, StrCat("header metadata value '", kv.first, "'")),
          StrCat("avro file '", name_, "'"));
      metadata_.push_back(std::move(kv));
    }
  }
  sync_.resize(kSyncSize);
  ATOLL_RETURN_NOT_OK_CTX(ReadExact(sync_.data(), kSyncSize, "the header sync marker"),
                          StrCat("avro file '", name_, "'"));

  auto schema_json = Metadata("avro.schema");
  if (!schema_json) return FileError(Corruption("the header has no avro.schema entry"));
  auto schema = Schema::Parse(*schema_json);
  if (!schema.ok()) {
    return FileError(
        Corruption("the header's avro.schema is invalid: ", schema.status().message()));
  }
  schema_ = *schema;
  auto codec_name = Metadata("avro.codec");
  if (codec_name && !codec_name->empty()) {
    auto codec = CodecFromName(*codec_name);
    if (!codec.ok()) return FileError(codec.status());
    codec_ = *codec;
  }
  return Status::OK();
}

Result<bool> Reader::LoadBlock() {
  block_offset_ = offset_;
  const std::string where = StrCat("block ", blocks_read_, " at offset ", block_offset_);
  ATOLL_ASSIGN_OR_RETURN_CTX(std::optional<int64_t> count,
                             ReadStreamLong("a block's row count", true), where);
  if (!count) return false;
  ATOLL_ASSIGN_OR_RETURN_CTX(std::optional<int64_t> size,
                             ReadStreamLong("a block's byte size", false), where);
  if (*count < 0) return Corruption(where, ": negative row count ", *count);
  if (*size < 0 || static_cast<uint64_t>(*size) > options_.max_block_bytes) {
    return Corruption(where, ": block size ", *size, " is negative or above the limit of ",
                      options_.max_block_bytes, " bytes");
  }
  raw_.resize(static_cast<size_t>(*size));
  ATOLL_RETURN_NOT_OK_CTX(ReadExact(raw_.data(), raw_.size(), "a block's data"), where);
  char sync[kSyncSize];
  ATOLL_RETURN_NOT_OK_CTX(ReadExact(sync, kSyncSize, "a block's sync marker"), where);
  if (std::memcmp(sync, sync_.data(), kSyncSize) != 0) {
    return Corruption(where, ": the sync marker after the block does not match the header's");
  }
  ATOLL_RETURN_NOT_OK_CTX(Decompress(codec_, raw_, options_.max_block_bytes, &block_), where);
  uint64_t rows = static_cast<uint64_t>(*count);
  size_t min = MinEncodedSize(schema_->root());
  if (min > 0 ? rows > block_.size() / min : rows > kMaxZeroSizeRows) {
    return Corruption(where, ": ", rows, " rows cannot fit in ", block_.size(), " bytes");
  }
  decoder_.emplace(block_);
  block_rows_left_ = rows;
  block_row_ = 0;
  ++blocks_read_;
  return true;
}

Result<Decoder*> Reader::NextDatum() {
  while (block_rows_left_ == 0) {
    if (done_) return nullptr;
    if (decoder_ && !decoder_->at_end()) {
      return FileError(Corruption("block ", blocks_read_ - 1, " at offset ", block_offset_, ": ",
                                  decoder_->remaining(), " bytes left over after its last row"));
    }
    auto loaded = LoadBlock();
    if (!loaded.ok()) return FileError(loaded.status());
    if (!*loaded) {
      done_ = true;
      return nullptr;
    }
  }
  --block_rows_left_;
  row_in_block_ = block_row_++;
  ++rows_read_;
  return &*decoder_;
}

Status Reader::DatumError(const Status& st) const {
  return FileError(
      st.WithContext(StrCat("block ", blocks_read_ - 1, " at offset ", block_offset_, ", row ",
                            row_in_block_, " (offsets within the decompressed block)")));
}

Result<bool> Reader::Next(Value* out) {
  ATOLL_ASSIGN_OR_RETURN(Decoder * decoder, NextDatum());
  if (decoder == nullptr) return false;
  Status st = DecodeValue(schema_->root(), decoder, out);
  if (!st.ok()) return DatumError(st);
  return true;
}

Result<std::vector<Value>> Reader::ReadAll() {
  std::vector<Value> rows;
  while (true) {
    Value v;
    ATOLL_ASSIGN_OR_RETURN(bool more, Next(&v));
    if (!more) return rows;
    rows.push_back(std::move(v));
  }
}

}  // namespace atl::avro
