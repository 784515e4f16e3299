#include "atoll/formats/orc/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "atoll/formats/orc/column_reader.h"
#include "atoll/formats/orc/compression.h"
#include "atoll/storage/store.h"

namespace atl::orc {

struct Reader::StripeState {
  size_t index = 0;
  uint64_t rows_left = 0;
  StripeData data;
  std::unique_ptr<ColumnReader> root;
};

Reader::Reader(RandomAccessSource source, ReaderOptions options)
    : source_(std::move(source)), options_(std::move(options)) {}

Reader::~Reader() = default;

Status Reader::Fail(Status st) const {
  if (st.ok()) return st;
  return st.WithContext(StrCat("reading ORC file ", source_.name));
}

Result<std::string> Reader::ReadRange(uint64_t offset, uint64_t length, std::string_view what) {
  if (offset > source_.size || length > source_.size - offset) {
    return Corruption(what, " [", offset, ", +", length, ") lies outside the file of ",
                      source_.size, " bytes");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, source_.read(offset, length));
  if (bytes.size() != length) {
    return Corruption("short read of ", what, ": got ", bytes.size(), " of ", length,
                      " bytes (file truncated?)");
  }
  return bytes;
}

Result<std::unique_ptr<Reader>> Reader::Open(RandomAccessSource source, ReaderOptions options) {
  if (!source.read) return InvalidArgument("ORC source '", source.name, "' has no read function");
  if (options.batch_rows == 0) options.batch_rows = 1;
  std::unique_ptr<Reader> reader(new Reader(std::move(source), std::move(options)));
  ATOLL_RETURN_NOT_OK(reader->Fail(reader->ReadTail()));
  return reader;
}

Result<std::unique_ptr<Reader>> Reader::OpenBuffer(std::string bytes, std::string name,
                                                   ReaderOptions options) {
  auto data = std::make_shared<std::string>(std::move(bytes));
  RandomAccessSource src;
  src.name = std::move(name);
  src.size = data->size();
  src.read = [data](uint64_t offset, uint64_t length) -> Result<std::string> {
    return data->substr(offset, length);
  };
  return Open(std::move(src), std::move(options));
}

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<RandomAccessSource> LocalFileSource(const std::string& path, const std::string& name) {
  auto fd = std::make_shared<Fd>();
  fd->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd->fd < 0) return ErrnoToStatus(errno, "opening " + name);
  struct stat st {};
  if (::fstat(fd->fd, &st) != 0) return ErrnoToStatus(errno, "stat of " + name);
  RandomAccessSource src;
  src.name = name;
  src.size = static_cast<uint64_t>(st.st_size);
  src.read = [fd, name](uint64_t offset, uint64_t length) -> Result<std::string> {
    std::string out(length, '\0');
    size_t done = 0;
    while (done < length) {
      ssize_t n =
          ::pread(fd->fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoToStatus(errno, "reading " + name);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    out.resize(done);
    return out;
  };
  return src;
}

Result<std::unique_ptr<Reader>> Reader::OpenFile(const std::string& path, ReaderOptions options) {
  ATOLL_ASSIGN_OR_RETURN(RandomAccessSource src, LocalFileSource(path, path));
  return Open(std::move(src), std::move(options));
}

Result<std::unique_ptr<Reader>> Reader::OpenStore(storage::Store& store, std::string key,
                                                  ReaderOptions options) {
  ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo info, store.Head(key));
  RandomAccessSource src;
  src.name = store.Describe() + "/" + key;
  src.size = info.size;
  src.read = [&store, key](uint64_t offset, uint64_t length) -> Result<std::string> {
    if (length == 0) return std::string();
    return store.Get(key, storage::ByteRange::Slice(offset, length));
  };
  return Open(std::move(src), std::move(options));
}

Status Reader::ReadTail() {
  const uint64_t size = source_.size;
  if (size == 0) {
    if (!options_.zero_length_is_empty) return Corruption("the file is empty (0 bytes)");
    TypeProto root;
    root.kind = static_cast<uint32_t>(TypeKind::kStruct);
    footer_.types.push_back(root);
    ATOLL_ASSIGN_OR_RETURN(schema_, BuildSchema(footer_.types, options_.hive11_decimal_scale));
    return Status::OK();
  }
  if (size < 4) return Corruption("file of ", size, " bytes is too short for ORC");
  uint64_t tail_len = std::min<uint64_t>(size, 16 * 1024);
  ATOLL_ASSIGN_OR_RETURN(std::string tail, ReadRange(size - tail_len, tail_len, "file tail"));
  uint64_t ps_len = static_cast<uint8_t>(tail.back());
  if (ps_len == 0 || ps_len + 1 > size - 3) {
    return Corruption("postscript length ", ps_len, " does not fit the file of ", size, " bytes");
  }
  std::string_view ps_bytes = std::string_view(tail).substr(tail.size() - 1 - ps_len, ps_len);
  ATOLL_ASSIGN_OR_RETURN(postscript_, ParsePostScript(ps_bytes));
  if (postscript_.magic != "ORC") {
    ATOLL_ASSIGN_OR_RETURN(std::string head, ReadRange(0, 3, "file header"));
    if (head != "ORC")
      return Corruption("not an ORC file (no \"ORC\" magic in the postscript or header)");
  }
  if (!postscript_.version.empty()) {
    uint64_t major = postscript_.version[0];
    uint64_t minor = postscript_.version.size() > 1 ? postscript_.version[1] : 0;
    if (major > 1) return NotSupported("ORC format version ", major, ".", minor);
    format_version_ = StrCat(major, ".", minor);
  }
  ATOLL_ASSIGN_OR_RETURN(compression_, CheckCompression(postscript_.compression));
  if (compression_ != CompressionKind::kNone &&
      (postscript_.compression_block_size == 0 ||
       postscript_.compression_block_size > options_.max_compression_block)) {
    return Corruption("compression block size ", postscript_.compression_block_size,
                      " is out of range (1..", options_.max_compression_block, ")");
  }
  uint64_t footer_len = postscript_.footer_length;
  uint64_t meta_len = postscript_.metadata_length;
  uint64_t room = size - 1 - ps_len - 3;  // bytes before the postscript, after the header
  if (footer_len > room || meta_len > room - footer_len) {
    return Corruption("footer (", footer_len, " bytes) and metadata (", meta_len,
                      " bytes) do not fit the file of ", size, " bytes");
  }
  if (footer_len > options_.max_tail_bytes) {
    return Corruption("footer of ", footer_len, " bytes exceeds the limit of ",
                      options_.max_tail_bytes);
  }
  uint64_t footer_off = size - 1 - ps_len - footer_len;
  std::string footer_stored;
  if (footer_off >= size - tail_len) {
    footer_stored = tail.substr(footer_off - (size - tail_len), footer_len);
  } else {
    ATOLL_ASSIGN_OR_RETURN(footer_stored, ReadRange(footer_off, footer_len, "footer"));
  }
  std::string footer_bytes;
  ATOLL_RETURN_NOT_OK(DecompressStream(compression_, footer_stored,
                                       postscript_.compression_block_size, options_.max_tail_bytes,
                                       "footer", &footer_bytes));
  ATOLL_ASSIGN_OR_RETURN(footer_, ParseFooter(footer_bytes));
  ATOLL_ASSIGN_OR_RETURN(schema_, BuildSchema(footer_.types, options_.hive11_decimal_scale));
  // Stripes must lie between the header and the metadata, in order, without overlap.
  uint64_t data_end = footer_off - meta_len;
  uint64_t prev_end = 3;
  uint64_t rows = 0;
  for (size_t i = 0; i < footer_.stripes.size(); ++i) {
    const StripeInfo& s = footer_.stripes[i];
    uint64_t len = s.index_length + s.data_length;
    bool overflow = len < s.index_length || len + s.footer_length < len;
    len += s.footer_length;
    if (overflow || s.offset < prev_end || s.offset > data_end || len > data_end - s.offset) {
      return Corruption("stripe ", i, " [offset ", s.offset, ", index ", s.index_length, ", data ",
                        s.data_length, ", footer ", s.footer_length,
                        "] lies outside the data area [", prev_end, ", ", data_end, ")");
    }
    if (s.footer_length == 0) return Corruption("stripe ", i, " has an empty stripe footer");
    prev_end = s.offset + len;
    if (rows + s.num_rows < rows) return Corruption("stripe row counts overflow");
    rows += s.num_rows;
  }
  // Writers that never fill in numberOfRows leave it 0 (or absent); ORC's Java and C++
  // readers read the stripes by their own row counts regardless, and so does this one.
  if (footer_.num_rows == 0) footer_.num_rows = rows;
  if (rows != footer_.num_rows) {
    return Corruption("stripes hold ", rows, " rows but the footer says ", footer_.num_rows);
  }
  return Status::OK();
}

Status Reader::LoadStripe(size_t index) {
  stripe_.reset();
  const StripeInfo& info = footer_.stripes[index];
  std::string where = StrCat("stripe ", index);
  uint64_t total = info.index_length + info.data_length + info.footer_length;
  if (total > options_.max_stripe_bytes) {
    return NotSupported(where, " is ", total, " bytes, beyond the reader's limit of ",
                        options_.max_stripe_bytes);
  }
  auto state = std::make_unique<StripeState>();
  ATOLL_ASSIGN_OR_RETURN(state->data.raw, ReadRange(info.offset, total, where));
  std::string_view all(state->data.raw);
  std::string footer_bytes;
  ATOLL_RETURN_NOT_OK(DecompressStream(compression_, all.substr(total - info.footer_length),
                                       postscript_.compression_block_size, options_.max_tail_bytes,
                                       where + " footer", &footer_bytes));
  ATOLL_ASSIGN_OR_RETURN(StripeFooterProto sf, ParseStripeFooter(footer_bytes));
  state->index = index;
  state->rows_left = info.num_rows;
  const uint32_t columns = schema_->max_column_id() + 1;
  if (sf.encodings.size() < columns) {
    return Corruption(where, " footer has ", sf.encodings.size(), " column encodings for ", columns,
                      " columns");
  }
  state->data.encodings = std::move(sf.encodings);
  uint64_t pos = 0;
  const uint64_t streams_end = info.index_length + info.data_length;
  uint64_t decompressed = 0;
  for (const StreamProto& st : sf.streams) {
    if (st.length > streams_end - pos) {
      return Corruption(where, " stream of column ", st.column, " (kind ", st.kind, ", ", st.length,
                        " bytes at ", pos, ") runs past the stripe's ", streams_end,
                        " stream bytes");
    }
    std::string_view raw = all.substr(pos, st.length);
    pos += st.length;
    if (st.kind >= static_cast<uint32_t>(StreamKind::kRowIndex) || st.column >= columns) continue;
    auto key = std::make_pair(st.column, st.kind);
    if (state->data.streams.count(key)) {
      return Corruption(where, " has two streams of kind ", st.kind, " for column ", st.column);
    }
    if (compression_ == CompressionKind::kNone) {
      decompressed += raw.size();
      state->data.streams.emplace(key, raw);
      continue;
    }
    auto out = std::make_unique<std::string>();
    ATOLL_RETURN_NOT_OK(DecompressStream(
        compression_, raw, postscript_.compression_block_size,
        options_.max_decompressed_stripe_bytes - decompressed,
        StrCat(where, " column ", st.column, " stream kind ", st.kind), out.get()));
    decompressed += out->size();
    state->data.streams.emplace(key, *out);
    state->data.owned.push_back(std::move(out));
  }
  // A stripe's rows must be backed by data: no writer gets near this ratio, and it keeps
  // corrupt row counts from spinning through empty batches.
  if (info.num_rows / 65536 > decompressed + pos + 1) {
    return Corruption(where, " claims ", info.num_rows, " rows for ", decompressed,
                      " bytes of stream data");
  }
  std::string tz_name = sf.writer_timezone.empty() ? options_.default_timezone : sf.writer_timezone;
  auto it = zones_.find(tz_name);
  if (it == zones_.end()) {
    ATOLL_ASSIGN_OR_RETURN(auto tz, TimeZone::Load(tz_name, options_.zoneinfo_dir));
    it = zones_.emplace(tz_name, std::move(tz)).first;
  }
  state->data.writer_timezone = it->second;
  const auto& version = postscript_.version;
  state->data.decimal_as_long = version.size() >= 2 && version[0] == 1 && version[1] == 9999;
  state->data.max_batch_bytes = options_.max_batch_bytes;
  state->data.max_elements = options_.max_batch_elements;
  ATOLL_ASSIGN_OR_RETURN(state->root, MakeColumnReader(*schema_, state->data));
  stripe_ = std::move(state);
  return Status::OK();
}

Status Reader::SeekToStripe(size_t index) {
  if (index > footer_.stripes.size()) {
    return InvalidArgument("stripe ", index, " out of range (", footer_.stripes.size(),
                           " stripes)");
  }
  stripe_.reset();
  next_stripe_ = index;
  return Status::OK();
}

Result<bool> Reader::NextBatch(std::unique_ptr<ColumnVector>* out) {
  while (!stripe_ || stripe_->rows_left == 0) {
    if (next_stripe_ >= footer_.stripes.size()) return false;
    size_t index = next_stripe_++;
    if (footer_.stripes[index].num_rows == 0) continue;
    ATOLL_RETURN_NOT_OK(Fail(LoadStripe(index)));
  }
  size_t n = static_cast<size_t>(std::min<uint64_t>(options_.batch_rows, stripe_->rows_left));
  if (!*out) *out = std::make_unique<ColumnVector>();
  Status st = stripe_->root->Next(n, nullptr, out->get());
  if (!st.ok()) {
    size_t index = stripe_->index;
    stripe_.reset();
    next_stripe_ = footer_.stripes.size();
    return Fail(st.WithContext(StrCat("stripe ", index)));
  }
  stripe_->rows_left -= n;
  return true;
}

}  // namespace atl::orc
