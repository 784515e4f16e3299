#include "atoll/formats/orc/rle.h"

#include <cstring>

namespace atl::orc {

Status ByteCursor::Error(std::string_view problem) const {
  return Corruption(what_, ": ", problem, " (at byte ", pos_, " of ", data_.size(), ")");
}

Status ByteCursor::Byte(uint8_t* out) {
  if (pos_ >= data_.size()) return Error("unexpected end of stream");
  *out = static_cast<uint8_t>(data_[pos_++]);
  return Status::OK();
}

Status ByteCursor::Varint(uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Error("varint runs past the end of the stream");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = value;
      return Status::OK();
    }
  }
  return Error("varint longer than 10 bytes");
}

Status ByteCursor::Take(size_t n, std::string_view* out) {
  if (n > data_.size() - pos_) return Error("value runs past the end of the stream");
  *out = data_.substr(pos_, n);
  pos_ += n;
  return Status::OK();
}

Status ByteRleDecoder::Next(uint8_t* out, size_t n) {
  while (n > 0) {
    if (run_pos_ == run_len_) {
      uint8_t control = 0;
      ATOLL_RETURN_NOT_OK(in_.Byte(&control));
      if (control < 0x80) {
        uint8_t value = 0;
        ATOLL_RETURN_NOT_OK(in_.Byte(&value));
        run_len_ = control + 3u;
        std::memset(run_, value, run_len_);
      } else {
        run_len_ = 256u - control;
        std::string_view lit;
        ATOLL_RETURN_NOT_OK(in_.Take(run_len_, &lit));
        std::memcpy(run_, lit.data(), run_len_);
      }
      run_pos_ = 0;
    }
    size_t take = std::min(n, run_len_ - run_pos_);
    std::memcpy(out, run_ + run_pos_, take);
    run_pos_ += take;
    out += take;
    n -= take;
  }
  return Status::OK();
}

Status BoolRleDecoder::Next(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (bits_left_ == 0) {
      ATOLL_RETURN_NOT_OK(bytes_.Next(&current_, 1));
      bits_left_ = 8;
    }
    --bits_left_;
    out[i] = (current_ >> bits_left_) & 1;
  }
  return Status::OK();
}

namespace {

// Buffers one decoded run and serves values from it.
class RunDecoder : public IntDecoder {
 public:
  RunDecoder(std::string_view data, std::string what, bool is_signed)
      : in_(data, std::move(what)), signed_(is_signed) {}

  Status Next(int64_t* out, size_t n) override {
    while (n > 0) {
      if (pos_ == run_.size()) {
        run_.clear();
        pos_ = 0;
        ATOLL_RETURN_NOT_OK(DecodeRun());
        if (run_.empty()) return in_.Error("empty run");
      }
      size_t take = std::min(n, run_.size() - pos_);
      std::memcpy(out, run_.data() + pos_, take * sizeof(int64_t));
      pos_ += take;
      out += take;
      n -= take;
    }
    return Status::OK();
  }

 protected:
  virtual Status DecodeRun() = 0;

  Status ReadVarint(int64_t* out) {
    uint64_t v;
    ATOLL_RETURN_NOT_OK(in_.Varint(&v));
    *out = signed_ ? ZigZagDecode(v) : static_cast<int64_t>(v);
    return Status::OK();
  }

  ByteCursor in_;
  bool signed_;
  std::vector<int64_t> run_;
  size_t pos_ = 0;
};

class IntRleV1 : public RunDecoder {
 public:
  using RunDecoder::RunDecoder;

 protected:
  Status DecodeRun() override {
    uint8_t control = 0;
    ATOLL_RETURN_NOT_OK(in_.Byte(&control));
    if (control < 0x80) {
      uint8_t delta_byte = 0;
      ATOLL_RETURN_NOT_OK(in_.Byte(&delta_byte));
      int64_t base;
      ATOLL_RETURN_NOT_OK(ReadVarint(&base));
      uint64_t value = static_cast<uint64_t>(base);
      uint64_t delta = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(delta_byte)));
      for (size_t i = 0; i < control + 3u; ++i, value += delta)
        run_.push_back(static_cast<int64_t>(value));
    } else {
      for (size_t i = 0; i < 256u - control; ++i) {
        int64_t v;
        ATOLL_RETURN_NOT_OK(ReadVarint(&v));
        run_.push_back(v);
      }
    }
    return Status::OK();
  }
};

// The bit widths above 24 that RLEv2 can encode (5-bit codes 24 to 31).
constexpr int kWideWidths[] = {26, 28, 30, 32, 40, 48, 56, 64};

// Width in bits of a 5-bit encoded width (DIRECT, PATCHED_BASE; DELTA treats 0 as 0).
int DecodeWidth(uint32_t code) {
  return code < 24 ? static_cast<int>(code) + 1 : kWideWidths[code - 24];
}

int ClosestFixedBits(int n) {
  if (n <= 1) return 1;
  if (n <= 24) return n;
  for (int w : kWideWidths) {
    if (n <= w) return w;
  }
  return 64;
}

class IntRleV2 : public RunDecoder {
 public:
  using RunDecoder::RunDecoder;

 protected:
  Status DecodeRun() override {
    uint8_t first = 0;
    ATOLL_RETURN_NOT_OK(in_.Byte(&first));
    switch (first >> 6) {
      case 0:
        return ShortRepeat(first);
      case 1:
        return Direct(first);
      case 2:
        return PatchedBase(first);
      default:
        return Delta(first);
    }
  }

 private:
  // Reads `count` big-endian bit-packed unsigned values of `width` bits (1..64) starting
  // at a byte boundary.
  Status Unpack(int width, size_t count, uint64_t* out) {
    uint64_t total_bits = static_cast<uint64_t>(width) * count;
    std::string_view bytes;
    ATOLL_RETURN_NOT_OK(in_.Take((total_bits + 7) / 8, &bytes));
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    if (width % 8 == 0) {  // byte-aligned widths: whole big-endian bytes
      int nb = width / 8;
      for (size_t i = 0; i < count; ++i) {
        uint64_t v = 0;
        for (int b = 0; b < nb; ++b) v = (v << 8) | *p++;
        out[i] = v;
      }
      return Status::OK();
    }
    if (width <= 56) {  // a 64-bit window holds one value plus a partial byte
      uint64_t window = 0;
      int bits = 0;
      const uint64_t mask = (uint64_t{1} << width) - 1;
      for (size_t i = 0; i < count; ++i) {
        while (bits < width) {
          window = (window << 8) | *p++;
          bits += 8;
        }
        bits -= width;
        out[i] = (window >> bits) & mask;
      }
      return Status::OK();
    }
    uint64_t bit = 0;
    for (size_t i = 0; i < count; ++i) {
      uint64_t v = 0;
      int need = width;
      while (need > 0) {
        size_t byte = bit >> 3;
        int offset = static_cast<int>(bit & 7);
        int avail = 8 - offset;
        int take = std::min(avail, need);
        uint64_t chunk = (p[byte] >> (avail - take)) & ((1u << take) - 1);
        v = (v << take) | chunk;
        need -= take;
        bit += take;
      }
      out[i] = v;
    }
    return Status::OK();
  }

  Status BigEndian(int bytes, uint64_t* out) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      uint8_t b = 0;
      ATOLL_RETURN_NOT_OK(in_.Byte(&b));
      v = (v << 8) | b;
    }
    *out = v;
    return Status::OK();
  }

  int64_t Signed(uint64_t v) const { return signed_ ? ZigZagDecode(v) : static_cast<int64_t>(v); }

  Status ShortRepeat(uint8_t first) {
    int width = ((first >> 3) & 7) + 1;
    size_t count = (first & 7) + 3u;
    uint64_t v;
    ATOLL_RETURN_NOT_OK(BigEndian(width, &v));
    run_.assign(count, Signed(v));
    return Status::OK();
  }

  Status Length(uint8_t first, size_t* len) {
    uint8_t second = 0;
    ATOLL_RETURN_NOT_OK(in_.Byte(&second));
    *len = ((static_cast<size_t>(first & 1) << 8) | second) + 1;
    return Status::OK();
  }

  Status Direct(uint8_t first) {
    int width = DecodeWidth((first >> 1) & 0x1F);
    size_t len;
    ATOLL_RETURN_NOT_OK(Length(first, &len));
    uint64_t raw[512];
    ATOLL_RETURN_NOT_OK(Unpack(width, len, raw));
    run_.resize(len);
    for (size_t i = 0; i < len; ++i) run_[i] = Signed(raw[i]);
    return Status::OK();
  }

  Status PatchedBase(uint8_t first) {
    int width = DecodeWidth((first >> 1) & 0x1F);
    size_t len;
    ATOLL_RETURN_NOT_OK(Length(first, &len));
    uint8_t third = 0, fourth = 0;
    ATOLL_RETURN_NOT_OK(in_.Byte(&third));
    ATOLL_RETURN_NOT_OK(in_.Byte(&fourth));
    int base_bytes = ((third >> 5) & 7) + 1;
    int patch_width = DecodeWidth(third & 0x1F);
    int gap_width = ((fourth >> 5) & 7) + 1;
    size_t patch_count = fourth & 0x1F;
    uint64_t base_raw;
    ATOLL_RETURN_NOT_OK(BigEndian(base_bytes, &base_raw));
    uint64_t sign = uint64_t{1} << (base_bytes * 8 - 1);
    int64_t base = (base_raw & sign) ? -static_cast<int64_t>(base_raw & ~sign)
                                     : static_cast<int64_t>(base_raw);
    uint64_t raw[512];
    ATOLL_RETURN_NOT_OK(Unpack(width, len, raw));
    if (patch_width + gap_width > 64)
      return in_.Error("patched-base run with patch + gap width over 64 bits");
    if (patch_count > 0 && width + patch_width > 64)
      return in_.Error("patched-base run with value width over 64 bits");
    uint64_t patches[32];
    ATOLL_RETURN_NOT_OK(Unpack(ClosestFixedBits(patch_width + gap_width), patch_count, patches));
    size_t index = 0;
    uint64_t patch_mask = patch_width == 64 ? ~uint64_t{0} : (uint64_t{1} << patch_width) - 1;
    for (size_t i = 0; i < patch_count; ++i) {
      index += patches[i] >> patch_width;
      if (index >= len) return in_.Error("patched-base run patches a value past its end");
      uint64_t patch = patches[i] & patch_mask;
      raw[index] |= width == 64 ? 0 : patch << width;
    }
    run_.resize(len);
    for (size_t i = 0; i < len; ++i)
      run_[i] = static_cast<int64_t>(static_cast<uint64_t>(base) + raw[i]);
    return Status::OK();
  }

  Status Delta(uint8_t first) {
    uint32_t code = (first >> 1) & 0x1F;
    int width = code == 0 ? 0 : DecodeWidth(code);
    size_t len;
    ATOLL_RETURN_NOT_OK(Length(first, &len));
    int64_t base;
    ATOLL_RETURN_NOT_OK(ReadVarint(&base));
    uint64_t delta_raw;
    ATOLL_RETURN_NOT_OK(in_.Varint(&delta_raw));
    int64_t delta = ZigZagDecode(delta_raw);
    run_.resize(len);
    uint64_t value = static_cast<uint64_t>(base);
    run_[0] = base;
    if (width == 0) {
      for (size_t i = 1; i < len; ++i) {
        value += static_cast<uint64_t>(delta);
        run_[i] = static_cast<int64_t>(value);
      }
      return Status::OK();
    }
    if (len < 2) return Status::OK();
    value += static_cast<uint64_t>(delta);
    run_[1] = static_cast<int64_t>(value);
    uint64_t raw[512];
    ATOLL_RETURN_NOT_OK(Unpack(width, len - 2, raw));
    for (size_t i = 2; i < len; ++i) {
      value = delta < 0 ? value - raw[i - 2] : value + raw[i - 2];
      run_[i] = static_cast<int64_t>(value);
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<IntDecoder> MakeIntDecoder(std::string_view data, std::string what, int version,
                                           bool is_signed) {
  if (version == 1) return std::make_unique<IntRleV1>(data, std::move(what), is_signed);
  return std::make_unique<IntRleV2>(data, std::move(what), is_signed);
}

}  // namespace atl::orc
