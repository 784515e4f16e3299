#include "atoll/formats/orc/column_reader.h"

#include <array>
#include <cstring>

namespace atl::orc {
namespace {

constexpr int64_t kOrcEpoch = 1420070400;  // 2015-01-01 00:00:00 UTC

std::string StreamName(uint32_t kind) {
  switch (static_cast<StreamKind>(kind)) {
    case StreamKind::kPresent:
      return "PRESENT";
    case StreamKind::kData:
      return "DATA";
    case StreamKind::kLength:
      return "LENGTH";
    case StreamKind::kDictionaryData:
      return "DICTIONARY_DATA";
    case StreamKind::kSecondary:
      return "SECONDARY";
    default:
      return "stream kind " + std::to_string(kind);
  }
}

class BaseReader : public ColumnReader {
 public:
  BaseReader(const Type& type, const StripeData& stripe) : type_(type), stripe_(stripe) {}

  Status Init() {
    uint32_t id = type_.column_id();
    if (id >= stripe_.encodings.size()) {
      return Corruption("column ", id, " has no encoding in the stripe footer (",
                        stripe_.encodings.size(), " encodings)");
    }
    encoding_ = stripe_.encodings[id];
    if (encoding_.kind > static_cast<uint32_t>(EncodingKind::kDecimal64)) {
      return NotSupported("column ", id, " uses unknown encoding kind ", encoding_.kind);
    }
    auto kind = static_cast<EncodingKind>(encoding_.kind);
    rle_version_ = (kind == EncodingKind::kDirect || kind == EncodingKind::kDictionary) ? 1 : 2;
    auto it = stripe_.streams.find({id, static_cast<uint32_t>(StreamKind::kPresent)});
    if (it != stripe_.streams.end())
      present_ = std::make_unique<BoolRleDecoder>(it->second, What(0));
    return InitStreams();
  }

 protected:
  virtual Status InitStreams() = 0;

  std::string What(uint32_t kind) const {
    return StrCat("column ", type_.column_id(), " (", TypeKindName(type_.kind()), ") ",
                  StreamName(kind), " stream");
  }
  std::string_view Stream(StreamKind kind) const {
    auto it = stripe_.streams.find({type_.column_id(), static_cast<uint32_t>(kind)});
    return it == stripe_.streams.end() ? std::string_view() : it->second;
  }
  std::unique_ptr<IntDecoder> Ints(StreamKind kind, bool is_signed) const {
    return MakeIntDecoder(Stream(kind), What(static_cast<uint32_t>(kind)), rle_version_, is_signed);
  }
  EncodingKind encoding() const { return static_cast<EncodingKind>(encoding_.kind); }
  bool IsDictionary() const {
    return encoding() == EncodingKind::kDictionary || encoding() == EncodingKind::kDictionaryV2;
  }

  // Sets out->type/size/valid for `n` rows; returns the number of non-null rows.
  Result<size_t> ReadNulls(size_t n, const uint8_t* parent_valid, ColumnVector* out) {
    out->type = &type_;
    out->size = n;
    out->valid.assign(n, 1);
    if (parent_valid) std::memcpy(out->valid.data(), parent_valid, n);
    size_t non_null = 0;
    if (present_ && !parent_valid) {
      ATOLL_RETURN_NOT_OK(present_->Next(out->valid.data(), n));
    } else if (present_) {
      for (size_t i = 0; i < n; ++i) {
        if (out->valid[i]) {
          ATOLL_RETURN_NOT_OK(present_->Next(&out->valid[i], 1));
        }
      }
    }
    for (size_t i = 0; i < n; ++i) non_null += out->valid[i];
    if (non_null == n) out->valid.clear();
    return non_null;
  }

  // Moves dense values (one per non-null row) to their row positions in place.
  template <typename T>
  static void Scatter(std::vector<T>& values, const ColumnVector& out, size_t non_null) {
    if (out.valid.empty()) return;
    values.resize(out.size);
    size_t src = non_null;
    for (size_t i = out.size; i-- > 0;) {
      if (out.valid[i]) {
        values[i] = values[--src];
      } else {
        values[i] = T{};
      }
    }
  }

  const Type& type_;
  const StripeData& stripe_;
  EncodingProto encoding_;
  int rle_version_ = 2;
  std::unique_ptr<BoolRleDecoder> present_;
};

void ClearUnused(ColumnVector* out) {
  out->ints.clear();
  out->nanos.clear();
  out->doubles.clear();
  out->wide.clear();
  out->offsets.clear();
  out->bytes.clear();
  out->tags.clear();
}

class IntegerReader : public BaseReader {
 public:
  using BaseReader::BaseReader;

 protected:
  Status InitStreams() override {
    auto kind = type_.kind();
    if (kind == TypeKind::kBoolean) {
      bools_ = std::make_unique<BoolRleDecoder>(Stream(StreamKind::kData), What(1));
    } else if (kind == TypeKind::kByte) {
      bytes_ = std::make_unique<ByteRleDecoder>(Stream(StreamKind::kData), What(1));
    } else {
      ints_ = Ints(StreamKind::kData, true);
    }
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    out->ints.resize(m);
    if (bools_ || bytes_) {
      std::vector<uint8_t> tmp(m);
      ATOLL_RETURN_NOT_OK(bools_ ? bools_->Next(tmp.data(), m) : bytes_->Next(tmp.data(), m));
      for (size_t i = 0; i < m; ++i) {
        out->ints[i] = bools_ ? tmp[i] : static_cast<int8_t>(tmp[i]);
      }
    } else {
      ATOLL_RETURN_NOT_OK(ints_->Next(out->ints.data(), m));
    }
    Scatter(out->ints, *out, m);
    return Status::OK();
  }

 private:
  std::unique_ptr<BoolRleDecoder> bools_;
  std::unique_ptr<ByteRleDecoder> bytes_;
  std::unique_ptr<IntDecoder> ints_;
};

class FloatReader : public BaseReader {
 public:
  FloatReader(const Type& type, const StripeData& stripe)
      : BaseReader(type, stripe), data_(std::string_view(), "") {}

 protected:
  Status InitStreams() override {
    data_ = ByteCursor(Stream(StreamKind::kData), What(1));
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    bool is_float = type_.kind() == TypeKind::kFloat;
    size_t width = is_float ? 4 : 8;
    std::string_view raw;
    if (m > data_.remaining() / width) return data_.Error(StrCat("fewer than ", m, " values left"));
    ATOLL_RETURN_NOT_OK(data_.Take(m * width, &raw));
    out->doubles.resize(m);
    for (size_t i = 0; i < m; ++i) {
      if (is_float) {
        float f;
        std::memcpy(&f, raw.data() + i * 4, 4);  // little-endian IEEE 754 (x86-64, aarch64)
        out->doubles[i] = f;
      } else {
        std::memcpy(&out->doubles[i], raw.data() + i * 8, 8);
      }
    }
    Scatter(out->doubles, *out, m);
    return Status::OK();
  }

 private:
  ByteCursor data_;
};

class StringReader : public BaseReader {
 public:
  StringReader(const Type& type, const StripeData& stripe)
      : BaseReader(type, stripe), data_(std::string_view(), "") {}

 protected:
  Status InitStreams() override {
    if (IsDictionary()) {
      if (type_.kind() == TypeKind::kBinary)
        return NotSupported("binary column ", type_.column_id(), " with a dictionary encoding");
      indexes_ = Ints(StreamKind::kData, false);
      std::string_view blob = Stream(StreamKind::kDictionaryData);
      size_t count = encoding_.dictionary_size;
      auto lengths = Ints(StreamKind::kLength, false);
      if (count > Stream(StreamKind::kLength).size() * 512 + 512) {
        return Corruption(What(2), ": dictionary size ", count,
                          " exceeds what the stream can hold");
      }
      std::vector<int64_t> lens(count);
      ATOLL_RETURN_NOT_OK(lengths->Next(lens.data(), count));
      dict_offsets_.assign(1, 0);
      uint64_t total = 0;
      for (size_t i = 0; i < count; ++i) {
        if (lens[i] < 0) {
          return Corruption(What(2), ": negative dictionary entry length ", lens[i], " (entry ", i,
                            ")");
        }
        total += static_cast<uint64_t>(lens[i]);
        if (total > blob.size()) {
          return Corruption(What(2), ": dictionary entries need ", total,
                            " bytes but DICTIONARY_DATA has ", blob.size());
        }
        dict_offsets_.push_back(total);
      }
      dict_ = blob;
    } else {
      lengths_ = Ints(StreamKind::kLength, false);
      data_ = ByteCursor(Stream(StreamKind::kData), What(1));
    }
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    std::vector<int64_t> vals(m);
    ATOLL_RETURN_NOT_OK((indexes_ ? indexes_ : lengths_)->Next(vals.data(), m));
    out->offsets.assign(n + 1, 0);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!out->IsNull(i)) {
        uint64_t v = static_cast<uint64_t>(vals[k++]);
        if (indexes_) {
          if (v >= dict_offsets_.size() - 1) {
            return Corruption(What(1), ": dictionary index ", v, " out of range (",
                              dict_offsets_.size() - 1, " entries)");
          }
          out->bytes.append(
              dict_.substr(dict_offsets_[v], dict_offsets_[v + 1] - dict_offsets_[v]));
        } else {
          if (v > data_.remaining()) {
            return Corruption(What(2), ": value length ", static_cast<int64_t>(v), " exceeds the ",
                              data_.remaining(), " bytes left in the DATA stream");
          }
          std::string_view s;
          ATOLL_RETURN_NOT_OK(data_.Take(v, &s));
          out->bytes.append(s);
        }
        if (out->bytes.size() > stripe_.max_batch_bytes) {
          return Corruption(What(1), ": batch exceeds ", stripe_.max_batch_bytes, " bytes");
        }
      }
      out->offsets[i + 1] = out->bytes.size();
    }
    return Status::OK();
  }

 private:
  std::unique_ptr<IntDecoder> indexes_;
  std::unique_ptr<IntDecoder> lengths_;
  ByteCursor data_;
  std::string_view dict_;
  std::vector<uint64_t> dict_offsets_;
};

class TimestampReader : public BaseReader {
 public:
  using BaseReader::BaseReader;

 protected:
  Status InitStreams() override {
    seconds_ = Ints(StreamKind::kData, true);
    nanos_ = Ints(StreamKind::kSecondary, false);
    instant_ = type_.kind() == TypeKind::kTimestampInstant;
    tz_ = stripe_.writer_timezone ? stripe_.writer_timezone : TimeZone::Utc();
    // 2015-01-01 00:00:00 in the writer's zone, as a UTC instant.
    base_ = instant_ ? kOrcEpoch : kOrcEpoch - tz_->OffsetAt(kOrcEpoch);
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    out->ints.resize(m);
    std::vector<int64_t> raw_nanos(m);
    ATOLL_RETURN_NOT_OK(seconds_->Next(out->ints.data(), m));
    ATOLL_RETURN_NOT_OK(nanos_->Next(raw_nanos.data(), m));
    out->nanos.resize(m);
    for (size_t i = 0; i < m; ++i) {
      uint64_t v = static_cast<uint64_t>(raw_nanos[i]);
      uint64_t nanos = v >> 3;
      int zeros = static_cast<int>(v & 7);
      if (zeros != 0) {
        for (int z = 0; z <= zeros; ++z) nanos *= 10;
      }
      if (nanos > 999999999) return Corruption(What(5), ": nanoseconds ", nanos, " out of range");
      int64_t stored = out->ints[i];
      if (stored > (int64_t{1} << 50) || stored < -(int64_t{1} << 50)) {
        return Corruption(What(1), ": seconds ", stored, " out of range");
      }
      int64_t secs = stored + base_;
      // Writers truncate negative milliseconds toward zero when splitting seconds.
      if (secs < 0 && nanos > 999999) secs -= 1;
      out->ints[i] = instant_ ? secs : secs + tz_->OffsetAt(secs);
      out->nanos[i] = static_cast<int32_t>(nanos);
    }
    Scatter(out->ints, *out, m);
    Scatter(out->nanos, *out, m);
    return Status::OK();
  }

 private:
  std::unique_ptr<IntDecoder> seconds_;
  std::unique_ptr<IntDecoder> nanos_;
  std::shared_ptr<const TimeZone> tz_;
  int64_t base_ = kOrcEpoch;
  bool instant_ = false;
};

class DecimalReader : public BaseReader {
 public:
  DecimalReader(const Type& type, const StripeData& stripe)
      : BaseReader(type, stripe), data_(std::string_view(), "") {}

 protected:
  Status InitStreams() override {
    narrow_ = type_.precision() <= 18;
    if (encoding() == EncodingKind::kDecimal64) {
      decimal64_ = Ints(StreamKind::kData, true);
    } else if (stripe_.decimal_as_long && narrow_) {
      // ORCv2 decimal64: Java writes DIRECT, C++ DIRECT_V2; both mean RLE v2 here.
      if (encoding() != EncodingKind::kDirect && encoding() != EncodingKind::kDirectV2) {
        return NotSupported("decimal column ", type_.column_id(),
                            " of an ORCv2 file with encoding kind ", encoding_.kind);
      }
      decimal64_ = MakeIntDecoder(Stream(StreamKind::kData), What(1), 2, true);
    } else {
      data_ = ByteCursor(Stream(StreamKind::kData), What(1));
      scales_ = Ints(StreamKind::kSecondary, true);
    }
    return Status::OK();
  }

  Status ReadVarint128(__int128* out) {
    unsigned __int128 v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = 0;
      ATOLL_RETURN_NOT_OK(data_.Byte(&b));
      if (shift >= 128 || (shift > 121 && (b & 0x7F) >> (128 - shift) != 0)) {
        return data_.Error("decimal value wider than 128 bits");
      }
      v |= static_cast<unsigned __int128>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    *out = static_cast<__int128>((v >> 1) ^ (~(v & 1) + 1));
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    std::vector<__int128> values(m);
    if (decimal64_) {
      std::vector<int64_t> tmp(m);
      ATOLL_RETURN_NOT_OK(decimal64_->Next(tmp.data(), m));
      for (size_t i = 0; i < m; ++i) values[i] = tmp[i];
    } else {
      std::vector<int64_t> scales(m);
      for (size_t i = 0; i < m; ++i) ATOLL_RETURN_NOT_OK(ReadVarint128(&values[i]));
      ATOLL_RETURN_NOT_OK(scales_->Next(scales.data(), m));
      for (size_t i = 0; i < m; ++i) ATOLL_RETURN_NOT_OK(Rescale(scales[i], &values[i]));
    }
    const __int128 limit = Pow10(type_.precision());
    for (size_t i = 0; i < m; ++i) {
      if (values[i] >= limit || values[i] <= -limit) {
        return Corruption(What(1), ": value exceeds decimal(", type_.precision(), ",",
                          type_.scale(), ")");
      }
    }
    if (narrow_) {
      out->ints.resize(m);
      for (size_t i = 0; i < m; ++i) out->ints[i] = static_cast<int64_t>(values[i]);
      Scatter(out->ints, *out, m);
    } else {
      out->wide = std::move(values);
      Scatter(out->wide, *out, m);
    }
    return Status::OK();
  }

 private:
  static __int128 Pow10(uint32_t k) {
    static const auto table = [] {
      std::array<__int128, 39> t{};
      t[0] = 1;
      for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
      return t;
    }();
    return table[std::min<uint32_t>(k, 38)];
  }

  // Brings a value stored with `scale` to the column's scale (truncating extra digits).
  Status Rescale(int64_t scale, __int128* v) {
    int64_t target = type_.scale();
    if (scale == target) return Status::OK();
    if (scale < -38 || scale > 76)
      return Corruption(What(5), ": decimal scale ", scale, " out of range");
    if (scale > target) {
      int64_t down = scale - target;
      *v = down > 38 ? 0 : *v / Pow10(static_cast<uint32_t>(down));
      return Status::OK();
    }
    uint32_t up = static_cast<uint32_t>(target - scale);  // 1..38 (scale >= -38 checked above)
    if (up > 38 || *v > Pow10(38 - up) || *v < -Pow10(38 - up)) {
      if (*v != 0) return Corruption(What(1), ": decimal value overflows 38 digits when rescaled");
    }
    *v *= Pow10(std::min<uint32_t>(up, 38));
    return Status::OK();
  }

  ByteCursor data_;
  std::unique_ptr<IntDecoder> scales_;
  std::unique_ptr<IntDecoder> decimal64_;
  bool narrow_ = false;
};

// A reader of a type with child columns (struct, list, map, union).
class NestedReader : public BaseReader {
 public:
  using BaseReader::BaseReader;
  std::vector<std::unique_ptr<ColumnReader>> children;

 protected:
  // Reads count_of(i) values of child i into out->children[i] (made on first use).
  template <typename CountOf>
  Status NextChildren(CountOf count_of, const uint8_t* parent_valid, ColumnVector* out) {
    out->children.resize(children.size());
    for (size_t i = 0; i < children.size(); ++i) {
      if (!out->children[i]) out->children[i] = std::make_unique<ColumnVector>();
      ATOLL_RETURN_NOT_OK(children[i]->Next(count_of(i), parent_valid, out->children[i].get()));
    }
    return Status::OK();
  }
};

class StructReader : public NestedReader {
 public:
  using NestedReader::NestedReader;

 protected:
  Status InitStreams() override { return Status::OK(); }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    (void)m;
    return NextChildren([n](size_t) { return n; }, out->valid.empty() ? nullptr : out->valid.data(),
                        out);
  }
};

class ListReader : public NestedReader {
 public:
  using NestedReader::NestedReader;

 protected:
  Status InitStreams() override {
    lengths_ = Ints(StreamKind::kLength, false);
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    std::vector<int64_t> lens(m);
    ATOLL_RETURN_NOT_OK(lengths_->Next(lens.data(), m));
    out->offsets.assign(n + 1, 0);
    uint64_t total = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!out->IsNull(i)) {
        uint64_t len = static_cast<uint64_t>(lens[k++]);
        if (len > stripe_.max_elements || total + len > stripe_.max_elements) {
          return Corruption(What(2), ": ", TypeKindName(type_.kind()), " length ",
                            static_cast<int64_t>(len), " makes the batch exceed ",
                            stripe_.max_elements, " elements");
        }
        total += len;
      }
      out->offsets[i + 1] = total;
    }
    return NextChildren([total](size_t) { return static_cast<size_t>(total); }, nullptr, out);
  }

 private:
  std::unique_ptr<IntDecoder> lengths_;
};

class UnionReader : public NestedReader {
 public:
  using NestedReader::NestedReader;

 protected:
  Status InitStreams() override {
    tags_ = std::make_unique<ByteRleDecoder>(Stream(StreamKind::kData), What(1));
    return Status::OK();
  }

  Status Next(size_t n, const uint8_t* parent_valid, ColumnVector* out) override {
    ClearUnused(out);
    ATOLL_ASSIGN_OR_RETURN(size_t m, ReadNulls(n, parent_valid, out));
    std::vector<uint8_t> tags(m);
    ATOLL_RETURN_NOT_OK(tags_->Next(tags.data(), m));
    std::vector<size_t> counts(children.size(), 0);
    out->tags.assign(n, 0);
    out->offsets.assign(n, 0);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      if (out->IsNull(i)) continue;
      uint8_t tag = tags[k++];
      if (tag >= children.size()) {
        return Corruption(What(1), ": union tag ", int{tag}, " but only ", children.size(),
                          " variants");
      }
      out->tags[i] = tag;
      out->offsets[i] = counts[tag]++;
    }
    return NextChildren([&counts](size_t i) { return counts[i]; }, nullptr, out);
  }

 private:
  std::unique_ptr<ByteRleDecoder> tags_;
};

template <typename R>
Result<std::unique_ptr<ColumnReader>> Make(const Type& type, const StripeData& stripe) {
  auto r = std::make_unique<R>(type, stripe);
  ATOLL_RETURN_NOT_OK(r->Init());
  if constexpr (requires { r->children; }) {
    for (size_t i = 0; i < type.num_children(); ++i) {
      ATOLL_ASSIGN_OR_RETURN(auto child, MakeColumnReader(type.child(i), stripe));
      r->children.push_back(std::move(child));
    }
  }
  return std::unique_ptr<ColumnReader>(std::move(r));
}

}  // namespace

Result<std::unique_ptr<ColumnReader>> MakeColumnReader(const Type& type, const StripeData& stripe) {
  switch (type.kind()) {
    case TypeKind::kBoolean:
    case TypeKind::kByte:
    case TypeKind::kShort:
    case TypeKind::kInt:
    case TypeKind::kLong:
    case TypeKind::kDate:
      return Make<IntegerReader>(type, stripe);
    case TypeKind::kFloat:
    case TypeKind::kDouble:
      return Make<FloatReader>(type, stripe);
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kBinary:
      return Make<StringReader>(type, stripe);
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampInstant:
      return Make<TimestampReader>(type, stripe);
    case TypeKind::kDecimal:
      return Make<DecimalReader>(type, stripe);
    case TypeKind::kStruct:
      return Make<StructReader>(type, stripe);
    case TypeKind::kList:
    case TypeKind::kMap:
      return Make<ListReader>(type, stripe);
    case TypeKind::kUnion:
      return Make<UnionReader>(type, stripe);
  }
  return NotSupported("type kind ", static_cast<uint32_t>(type.kind()));
}

}  // namespace atl::orc
