#include "atoll/formats/avro/writer.h"

#include <random>

namespace atl::avro {

Result<std::unique_ptr<Writer>> Writer::Open(SchemaPtr schema, std::unique_ptr<OutputStream> output,
                                             WriterOptions options) {
  for (const auto& [key, value] : options.metadata) {
    if (key == "avro.schema" || key == "avro.codec") {
      return InvalidArgument("avro writer: metadata key '", key,
                             "' is written by the writer itself");
    }
  }
  if (options.sync_marker && options.sync_marker->size() != 16) {
    return InvalidArgument("avro writer: the sync marker must be 16 bytes, not ",
                           options.sync_marker->size());
  }
  std::unique_ptr<Writer> w(new Writer(std::move(schema), std::move(output), std::move(options)));
  ATOLL_RETURN_NOT_OK(w->WriteHeader());
  return w;
}

Status Writer::WriteHeader() {
  if (options_.sync_marker) {
    sync_ = *options_.sync_marker;
  } else {
    std::random_device rd;
    sync_.resize(16);
    for (char& c : sync_) c = static_cast<char>(rd() & 0xFF);
  }
  std::string header = "Obj\x01";
  Encoder e(&header);
  e.WriteLong(static_cast<int64_t>(options_.metadata.size() + 2));
  e.WriteBytes("avro.schema");
  e.WriteBytes(schema_->ToString());
  e.WriteBytes("avro.codec");
  e.WriteBytes(CodecName(options_.codec));
  for (const auto& [key, value] : options_.metadata) {
    e.WriteBytes(key);
    e.WriteBytes(value);
  }
  e.WriteLong(0);
  header += sync_;
  return output_->Write(header);
}

Status Writer::Append(const Value& value) {
  if (closed_) return InvalidArgument("avro writer: Append after Close");
  size_t before = block_.size();
  Encoder e(&block_);
  Status st = EncodeValue(schema_->root(), value, &e);
  if (!st.ok()) {
    block_.resize(before);
    return st;
  }
  ++block_rows_;
  ++rows_;
  if (block_.size() >= options_.block_bytes) return Flush();
  return Status::OK();
}

Status Writer::Flush() {
  if (block_rows_ == 0) return Status::OK();
  ATOLL_RETURN_NOT_OK(Compress(options_.codec, block_, options_.level, &compressed_));
  scratch_.clear();
  Encoder e(&scratch_);
  e.WriteLong(static_cast<int64_t>(block_rows_));
  e.WriteLong(static_cast<int64_t>(compressed_.size()));
  ATOLL_RETURN_NOT_OK(output_->Write(scratch_));
  ATOLL_RETURN_NOT_OK(output_->Write(compressed_));
  ATOLL_RETURN_NOT_OK(output_->Write(sync_));
  block_.clear();
  block_rows_ = 0;
  return Status::OK();
}

Status Writer::Close() {
  if (closed_) return Status::OK();
  ATOLL_RETURN_NOT_OK(Flush());
  closed_ = true;
  return output_->Close();
}

Result<std::string> WriteToString(SchemaPtr schema, const std::vector<Value>& rows,
                                  WriterOptions options) {
  std::string out;
  ATOLL_ASSIGN_OR_RETURN(auto writer,
                         Writer::Open(std::move(schema), StringOutput(&out), std::move(options)));
  for (const Value& row : rows) ATOLL_RETURN_NOT_OK(writer->Append(row));
  ATOLL_RETURN_NOT_OK(writer->Close());
  return out;
}

}  // namespace atl::avro
