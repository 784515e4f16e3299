#include "atoll/formats/orc/metadata.h"

#include "atoll/formats/orc/protobuf.h"

namespace atl::orc {
namespace {

using proto::WireReader;

Result<uint32_t> U32(WireReader& r) {
  ATOLL_ASSIGN_OR_RETURN(uint64_t v, r.Varint());
  if (v > UINT32_MAX) return Corruption("uint32 protobuf field holds ", v);
  return static_cast<uint32_t>(v);
}

Result<std::pair<std::string, std::string>> ParsePair(std::string_view bytes,
                                                      std::string_view what) {
  WireReader r(bytes, what);
  std::pair<std::string, std::string> kv;
  uint32_t f, wt;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, r.Next(&f, &wt));
    if (!more) break;
    if (f == 1) {
      ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
      kv.first.assign(s);
    } else if (f == 2) {
      ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
      kv.second.assign(s);
    } else {
      ATOLL_RETURN_NOT_OK(r.Skip());
    }
  }
  return kv;
}

Result<StripeInfo> ParseStripeInfo(std::string_view bytes) {
  WireReader r(bytes, "stripe information");
  StripeInfo s;
  uint32_t f, wt;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, r.Next(&f, &wt));
    if (!more) break;
    uint64_t* target = nullptr;
    switch (f) {
      case 1:
        target = &s.offset;
        break;
      case 2:
        target = &s.index_length;
        break;
      case 3:
        target = &s.data_length;
        break;
      case 4:
        target = &s.footer_length;
        break;
      case 5:
        target = &s.num_rows;
        break;
      default:
        break;
    }
    if (target) {
      ATOLL_ASSIGN_OR_RETURN(*target, r.Varint());
    } else {
      ATOLL_RETURN_NOT_OK(r.Skip());
    }
  }
  return s;
}

Result<TypeProto> ParseType(std::string_view bytes) {
  WireReader r(bytes, "type");
  TypeProto t;
  uint32_t f, wt;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, r.Next(&f, &wt));
    if (!more) break;
    switch (f) {
      case 1: {
        ATOLL_ASSIGN_OR_RETURN(t.kind, U32(r));
        break;
      }
      case 2:
        ATOLL_RETURN_NOT_OK(r.RepeatedVarint(&t.subtypes));
        break;
      case 3: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        t.field_names.emplace_back(s);
        break;
      }
      case 4: {
        ATOLL_ASSIGN_OR_RETURN(t.maximum_length, U32(r));
        break;
      }
      case 5: {
        ATOLL_ASSIGN_OR_RETURN(t.precision, U32(r));
        t.has_precision = true;
        break;
      }
      case 6: {
        ATOLL_ASSIGN_OR_RETURN(t.scale, U32(r));
        break;
      }
      case 7: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        ATOLL_ASSIGN_OR_RETURN(auto kv, ParsePair(s, "type attribute"));
        t.attributes.push_back(std::move(kv));
        break;
      }
      default:
        ATOLL_RETURN_NOT_OK(r.Skip());
    }
  }
  return t;
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
  WireReader r(bytes, "postscript");
  PostScript ps;
  uint32_t f, wt;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, r.Next(&f, &wt));
    if (!more) break;
    switch (f) {
      case 1: {
        ATOLL_ASSIGN_OR_RETURN(ps.footer_length, r.Varint());
        break;
      }
      case 2: {
        ATOLL_ASSIGN_OR_RETURN(ps.compression, U32(r));
        break;
      }
      case 3: {
        ATOLL_ASSIGN_OR_RETURN(ps.compression_block_size, r.Varint());
        break;
      }
      case 4:
        ATOLL_RETURN_NOT_OK(r.RepeatedVarint(&ps.version));
        break;
      case 5: {
        ATOLL_ASSIGN_OR_RETURN(ps.metadata_length, r.Varint());
        break;
      }
      case 6: {
        ATOLL_ASSIGN_OR_RETURN(ps.writer_version, U32(r));
        break;
      }
      case 8000: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        ps.magic.assign(s);
        break;
      }
      default:
        ATOLL_RETURN_NOT_OK(r.Skip());
    }
  }
  return ps;
}

Result<FooterProto> ParseFooter(std::string_view bytes) {
  WireReader r(bytes, "footer");
  FooterProto ft;
  uint32_t f, wt;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, r.Next(&f, &wt));
    if (!more) break;
    switch (f) {
      case 1: {
        ATOLL_ASSIGN_OR_RETURN(ft.header_length, r.Varint());
        break;
      }
      case 2: {
        ATOLL_ASSIGN_OR_RETURN(ft.content_length, r.Varint());
        break;
      }
      case 3: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        ATOLL_ASSIGN_OR_RETURN(auto info, ParseStripeInfo(s));
        ft.stripes.push_back(info);
        break;
      }
      case 4: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        ATOLL_ASSIGN_OR_RETURN(auto type, ParseType(s));
        ft.types.push_back(std::move(type));
        break;
      }
      case 5: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        ATOLL_ASSIGN_OR_RETURN(auto kv, ParsePair(s, "user metadata item"));
        ft.user_metadata.push_back(std::move(kv));
        break;
      }
      case 6: {
        ATOLL_ASSIGN_OR_RETURN(ft.num_rows, r.Varint());
        break;
      }
      case 8: {
        ATOLL_ASSIGN_OR_RETURN(ft.row_index_stride, U32(r));
        break;
      }
      case 9: {
        ATOLL_ASSIGN_OR_RETURN(uint32_t w, U32(r));
        ft.writer = w;
        break;
      }
      case 12: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        ft.software_version.assign(s);
        break;
      }
      default:
        ATOLL_RETURN_NOT_OK(r.Skip());
    }
  }
  return ft;
}

Result<StripeFooterProto> ParseStripeFooter(std::string_view bytes) {
  WireReader r(bytes, "stripe footer");
  StripeFooterProto sf;
  uint32_t f, wt;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, r.Next(&f, &wt));
    if (!more) break;
    switch (f) {
      case 1: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        WireReader m(s, "stream");
        StreamProto st;
        while (true) {
          ATOLL_ASSIGN_OR_RETURN(bool more2, m.Next(&f, &wt));
          if (!more2) break;
          if (f == 1) {
            ATOLL_ASSIGN_OR_RETURN(st.kind, U32(m));
          } else if (f == 2) {
            ATOLL_ASSIGN_OR_RETURN(st.column, U32(m));
          } else if (f == 3) {
            ATOLL_ASSIGN_OR_RETURN(st.length, m.Varint());
          } else {
            ATOLL_RETURN_NOT_OK(m.Skip());
          }
        }
        sf.streams.push_back(st);
        break;
      }
      case 2: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        WireReader m(s, "column encoding");
        EncodingProto enc;
        while (true) {
          ATOLL_ASSIGN_OR_RETURN(bool more2, m.Next(&f, &wt));
          if (!more2) break;
          if (f == 1) {
            ATOLL_ASSIGN_OR_RETURN(enc.kind, U32(m));
          } else if (f == 2) {
            ATOLL_ASSIGN_OR_RETURN(enc.dictionary_size, U32(m));
          } else {
            ATOLL_RETURN_NOT_OK(m.Skip());
          }
        }
        sf.encodings.push_back(enc);
        break;
      }
      case 3: {
        ATOLL_ASSIGN_OR_RETURN(auto s, r.Bytes());
        sf.writer_timezone.assign(s);
        break;
      }
      default:
        ATOLL_RETURN_NOT_OK(r.Skip());
    }
  }
  return sf;
}

}  // namespace atl::orc
