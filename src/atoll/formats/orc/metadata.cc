#include "atoll/formats/orc/metadata.h"

#include "atoll/formats/orc/protobuf.h"

namespace atl::orc {
namespace {

using proto::ForEachField;
using proto::WireReader;

// Readers of one field's value into a struct member, by the member's type.
Status Read(WireReader& r, uint64_t* out) {
  ATOLL_ASSIGN_OR_RETURN(*out, r.Varint());
  return Status::OK();
}

Status Read(WireReader& r, uint32_t* out) {
  ATOLL_ASSIGN_OR_RETURN(uint64_t v, r.Varint());
  if (v > UINT32_MAX) return Corruption("uint32 protobuf field holds ", v);
  *out = static_cast<uint32_t>(v);
  return Status::OK();
}

Status Read(WireReader& r, std::string* out) {
  ATOLL_ASSIGN_OR_RETURN(std::string_view s, r.Bytes());
  out->assign(s);
  return Status::OK();
}

// A repeated uint32/uint64 field, packed or not.
Status Read(WireReader& r, std::vector<uint64_t>* out) { return r.RepeatedVarint(out); }

// A repeated string field: appends one value.
Status Read(WireReader& r, std::vector<std::string>* out) {
  ATOLL_ASSIGN_OR_RETURN(std::string_view s, r.Bytes());
  out->emplace_back(s);
  return Status::OK();
}

// A repeated embedded message: appends the one `parse` reads from the field's bytes.
template <typename T, typename Parse>
Status ReadMessage(WireReader& r, Parse&& parse, std::vector<T>* out) {
  ATOLL_ASSIGN_OR_RETURN(std::string_view bytes, r.Bytes());
  ATOLL_ASSIGN_OR_RETURN(T item, parse(bytes));
  out->push_back(std::move(item));
  return Status::OK();
}

// A StringPair message (key = 1, value = 2), appended to `out`.
Status ReadPair(WireReader& r, std::string_view what,
                std::vector<std::pair<std::string, std::string>>* out) {
  return ReadMessage(
      r,
      [what](std::string_view bytes) -> Result<std::pair<std::string, std::string>> {
        std::pair<std::string, std::string> kv;
        ATOLL_RETURN_NOT_OK(ForEachField(bytes, what, [&kv](uint32_t f, WireReader& m) {
          if (f == 1) return Read(m, &kv.first);
          if (f == 2) return Read(m, &kv.second);
          return m.Skip();
        }));
        return kv;
      },
      out);
}

Result<StripeInfo> ParseStripeInfo(std::string_view bytes) {
  StripeInfo s;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "stripe information", [&s](uint32_t f, WireReader& r) {
    switch (f) {
      case 1:
        return Read(r, &s.offset);
      case 2:
        return Read(r, &s.index_length);
      case 3:
        return Read(r, &s.data_length);
      case 4:
        return Read(r, &s.footer_length);
      case 5:
        return Read(r, &s.num_rows);
      default:
        return r.Skip();
    }
  }));
  return s;
}

Result<TypeProto> ParseType(std::string_view bytes) {
  TypeProto t;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "type", [&t](uint32_t f, WireReader& r) {
    switch (f) {
      case 1:
        return Read(r, &t.kind);
      case 2:
        return Read(r, &t.subtypes);
      case 3:
        return Read(r, &t.field_names);
      case 4:
        return Read(r, &t.maximum_length);
      case 5:
        t.has_precision = true;
        return Read(r, &t.precision);
      case 6:
        return Read(r, &t.scale);
      case 7:
        return ReadPair(r, "type attribute", &t.attributes);
      default:
        return r.Skip();
    }
  }));
  return t;
}

Result<StreamProto> ParseStream(std::string_view bytes) {
  StreamProto st;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "stream", [&st](uint32_t f, WireReader& r) {
    if (f == 1) return Read(r, &st.kind);
    if (f == 2) return Read(r, &st.column);
    if (f == 3) return Read(r, &st.length);
    return r.Skip();
  }));
  return st;
}

Result<EncodingProto> ParseEncoding(std::string_view bytes) {
  EncodingProto enc;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "column encoding", [&enc](uint32_t f, WireReader& r) {
    if (f == 1) return Read(r, &enc.kind);
    if (f == 2) return Read(r, &enc.dictionary_size);
    return r.Skip();
  }));
  return enc;
}

}  // namespace

std::string_view CompressionName(CompressionKind kind) {
  switch (kind) {
    case CompressionKind::kNone:
      return "NONE";
    case CompressionKind::kZlib:
      return "ZLIB";
    case CompressionKind::kSnappy:
      return "SNAPPY";
    case CompressionKind::kLzo:
      return "LZO";
    case CompressionKind::kLz4:
      return "LZ4";
    case CompressionKind::kZstd:
      return "ZSTD";
  }
  return "?";
}

Result<PostScript> ParsePostScript(std::string_view bytes) {
  PostScript ps;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "postscript", [&ps](uint32_t f, WireReader& r) {
    switch (f) {
      case 1:
        return Read(r, &ps.footer_length);
      case 2:
        return Read(r, &ps.compression);
      case 3:
        return Read(r, &ps.compression_block_size);
      case 4:
        return Read(r, &ps.version);
      case 5:
        return Read(r, &ps.metadata_length);
      case 6:
        return Read(r, &ps.writer_version);
      case 8000:
        return Read(r, &ps.magic);
      default:
        return r.Skip();
    }
  }));
  return ps;
}

Result<FooterProto> ParseFooter(std::string_view bytes) {
  FooterProto ft;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "footer", [&ft](uint32_t f, WireReader& r) -> Status {
    switch (f) {
      case 1:
        return Read(r, &ft.header_length);
      case 2:
        return Read(r, &ft.content_length);
      case 3:
        return ReadMessage(r, ParseStripeInfo, &ft.stripes);
      case 4:
        return ReadMessage(r, ParseType, &ft.types);
      case 5:
        return ReadPair(r, "user metadata item", &ft.user_metadata);
      case 6:
        return Read(r, &ft.num_rows);
      case 8:
        return Read(r, &ft.row_index_stride);
      case 9: {
        uint32_t writer = 0;
        ATOLL_RETURN_NOT_OK(Read(r, &writer));
        ft.writer = writer;
        return Status::OK();
      }
      case 12:
        return Read(r, &ft.software_version);
      default:
        return r.Skip();
    }
  }));
  return ft;
}

Result<StripeFooterProto> ParseStripeFooter(std::string_view bytes) {
  StripeFooterProto sf;
  ATOLL_RETURN_NOT_OK(ForEachField(bytes, "stripe footer", [&sf](uint32_t f, WireReader& r) {
    switch (f) {
      case 1:
        return ReadMessage(r, ParseStream, &sf.streams);
      case 2:
        return ReadMessage(r, ParseEncoding, &sf.encodings);
      case 3:
        return Read(r, &sf.writer_timezone);
      default:
        return r.Skip();
    }
  }));
  return sf;
}

}  // namespace atl::orc
