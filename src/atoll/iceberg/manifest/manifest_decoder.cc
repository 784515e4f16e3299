#include "atoll/iceberg/manifest/manifest_decoder.h"

#include <algorithm>
#include <type_traits>

#include "atoll/iceberg/manifest/manifest_avro.h"

namespace atl::iceberg {

using avro::Node;
using Slot = EntryDecoder::Slot;

namespace {

// Field ids of manifest_entry and data_file (Iceberg spec, "Manifests").
enum : int {
  kStatus = 0,
  kSnapshotId = 1,
  kDataFile = 2,
  kSequenceNumber = 3,
  kFileSequenceNumber = 4,
  kFilePath = 100,
  kFileFormat = 101,
  kPartition = 102,
  kRecordCount = 103,
  kFileSize = 104,
  kColumnSizes = 108,
  kValueCounts = 109,
  kNullCounts = 110,
  kLowerBounds = 125,
  kUpperBounds = 128,
  kKeyMetadata = 131,
  kSplitOffsets = 132,
  kContent = 134,
  kEqualityIds = 135,
  kNanCounts = 137,
  kSortOrderId = 140,
  kFirstRowId = 142,
  kReferencedDataFile = 143,
  kContentOffset = 144,
  kContentSize = 145,
};

bool IsNumber(const Node* n) { return n->type == avro::Type::kInt || n->type == avro::Type::kLong; }
bool IsByteString(const Node* n) {
  return n->type == avro::Type::kString || n->type == avro::Type::kBytes ||
         n->type == avro::Type::kFixed;
}
// Map values read by the generic path as bytes: bytes or fixed (not string).
bool IsBytesValue(const Node* n) {
  return n->type == avro::Type::kBytes || n->type == avro::Type::kFixed;
}

// Splits an optional ["null", T] / [T, "null"] union; a plain type is returned as is.
// False for other unions.
bool Unwrap(const Node* node, int* null_branch, const Node** inner) {
  *null_branch = -1;
  *inner = node;
  if (node->type != avro::Type::kUnion) return true;
  if (node->branches.size() == 1) {
    *inner = node->branches[0];
    *null_branch = -2;  // a one-branch union: index 0 only
    return node->branches[0]->type != avro::Type::kNull &&
           node->branches[0]->type != avro::Type::kUnion;
  }
  int nb = node->NullBranch();
  if (nb < 0) return false;
  *null_branch = nb;
  *inner = node->branches[nb == 0 ? 1 : 0];
  return (*inner)->type != avro::Type::kUnion;
}

// Reads a union index when the slot is a union: true when a value follows.
Result<bool> ReadPresent(avro::Decoder* d, int null_branch) {
  if (null_branch == -1) return true;
  ATOLL_ASSIGN_OR_RETURN(int64_t branch, d->ReadLong());
  const int64_t branches = null_branch == -2 ? 1 : 2;
  if (branch < 0 || branch >= branches) return d->Error("union branch index out of range");
  return branch != null_branch;
}

Result<int64_t> ReadNumber(avro::Decoder* d, const Node* n) {
  if (n->type == avro::Type::kInt) {
    ATOLL_ASSIGN_OR_RETURN(int32_t v, d->ReadInt());
    return v;
  }
  return d->ReadLong();
}

Status ReadByteString(avro::Decoder* d, const Node* n, std::string* out) {
  if (n->type == avro::Type::kFixed) return d->ReadFixed(n->fixed_size, out);
  return d->ReadBytes(out);
}

// Walks the blocks of an Avro array; `item` reads one element into `out`, which is
// reserved for each block's count (a manifest's maps are written as one block).
template <typename Out, typename Fn>
Status ForEachItem(avro::Decoder* d, Out* out, Fn item) {
  for (;;) {
    ATOLL_ASSIGN_OR_RETURN(int64_t count, d->ReadLong());
    if (count == 0) return Status::OK();
    if (count < 0) {
      count = -count;
      ATOLL_RETURN_NOT_OK(d->ReadLong().status());  // the block's byte size
    }
    if (static_cast<uint64_t>(count) > d->remaining())
      return d->Error("array block count exceeds the data left");
    for (int64_t i = 0; i < count; ++i) ATOLL_RETURN_NOT_OK(item());
  }
}

bool CompileMap(Slot* s, bool bytes_values) {
  if (s->inner->type != avro::Type::kArray || s->inner->items == nullptr) return false;
  if (!Unwrap(s->inner->items, &s->item_null_branch, &s->item)) return false;
  if (s->item->type != avro::Type::kRecord || s->item->fields.size() != 2) return false;
  if (!Unwrap(s->item->fields[0].type, &s->key_null_branch, &s->key) || !IsNumber(s->key))
    return false;
  if (!Unwrap(s->item->fields[1].type, &s->value_null_branch, &s->value)) return false;
  return bytes_values ? IsBytesValue(s->value) : IsNumber(s->value);
}

bool CompileList(Slot* s) {
  if (s->inner->type != avro::Type::kArray || s->inner->items == nullptr) return false;
  return Unwrap(s->inner->items, &s->item_null_branch, &s->item) && IsNumber(s->item);
}

// Checks that the slot's shape is what the generic path reads for its field id.
bool CompileSlot(Slot* s) {
  switch (s->id) {
    case kStatus:
    case kSnapshotId:
    case kSequenceNumber:
    case kFileSequenceNumber:
    case kContent:
    case kRecordCount:
    case kFileSize:
    case kSortOrderId:
    case kFirstRowId:
    case kContentOffset:
    case kContentSize:
      return IsNumber(s->inner);
    case kFilePath:
    case kFileFormat:
    case kKeyMetadata:
    case kReferencedDataFile:
      return IsByteString(s->inner);
    case kDataFile:
    case kPartition:
      return s->inner->type == avro::Type::kRecord;
    case kColumnSizes:
    case kValueCounts:
    case kNullCounts:
    case kNanCounts:
      return CompileMap(s, false);
    case kLowerBounds:
    case kUpperBounds:
      return CompileMap(s, true);
    case kSplitOffsets:
    case kEqualityIds:
      return CompileList(s);
    default:
      return true;  // not ours: skipped
  }
}

// The slots of a record; false when a field has a shape the generic path reads otherwise,
// a field id repeats, or a required id (of `required`) is missing.
bool CompileRecord(const Node& rec, std::initializer_list<int> required, std::vector<Slot>* out) {
  std::vector<int> seen;
  for (const avro::Field& f : rec.fields) {
    Slot s;
    s.node = f.type;
    s.id = static_cast<int>(f.IntAttribute("field-id").value_or(-1));
    if (!Unwrap(f.type, &s.null_branch, &s.inner)) {
      if (s.id >= 0 && s.id <= kContentSize)
        return false;  // a complex union where ours is expected
      s.id = -1;
    }
    if (s.id >= 0) {
      for (int id : seen) {
        if (id == s.id) return false;
      }
      seen.push_back(s.id);
    }
    if (!CompileSlot(&s)) return false;
    out->push_back(s);
  }
  for (int id : required) {
    if (std::find(seen.begin(), seen.end(), id) == seen.end()) return false;
  }
  return true;
}

Status Missing(int id) { return Corruption("required field id ", id, " is missing or null"); }

template <typename V>
Status ReadMap(avro::Decoder* d, const Slot& s, ColumnMap<V>* out) {
  return ForEachItem(d, out, [&]() -> Status {
    ATOLL_ASSIGN_OR_RETURN(bool item, ReadPresent(d, s.item_null_branch));
    if (!item) return Status::OK();
    ATOLL_ASSIGN_OR_RETURN(bool has_key, ReadPresent(d, s.key_null_branch));
    if (!has_key) return Corruption("field id ", s.id, ": map key is not an int");
    ATOLL_ASSIGN_OR_RETURN(int64_t key, ReadNumber(d, s.key));
    ATOLL_ASSIGN_OR_RETURN(bool has_value, ReadPresent(d, s.value_null_branch));
    if (!has_value) return Status::OK();  // no statistic
    V value;
    if constexpr (std::is_same_v<V, std::string>) {
      ATOLL_RETURN_NOT_OK(ReadByteString(d, s.value, &value));
    } else {
      ATOLL_ASSIGN_OR_RETURN(value, ReadNumber(d, s.value));
    }
    out->insert_or_assign(out->end(), static_cast<int32_t>(key), std::move(value));
    return Status::OK();
  });
}

template <typename T>
Status ReadList(avro::Decoder* d, const Slot& s, std::vector<T>* out) {
  return ForEachItem(d, out, [&]() -> Status {
    ATOLL_ASSIGN_OR_RETURN(bool present, ReadPresent(d, s.item_null_branch));
    if (!present) return Corruption("field id ", s.id, ": list element is not an int or long");
    ATOLL_ASSIGN_OR_RETURN(int64_t v, ReadNumber(d, s.item));
    out->push_back(static_cast<T>(v));
    return Status::OK();
  });
}

Status Skip(avro::Decoder* d, const Node* node) {
  avro::Value ignored;
  return avro::DecodeValue(*node, d, &ignored);
}

}  // namespace

std::optional<EntryDecoder> EntryDecoder::Compile(const Node& root) {
  if (root.type != avro::Type::kRecord) return std::nullopt;
  EntryDecoder out;
  if (!CompileRecord(root, {kStatus, kDataFile}, &out.entry_)) return std::nullopt;
  for (const Slot& s : out.entry_) {
    if (s.id != kDataFile) continue;
    if (s.null_branch != -1)
      return std::nullopt;  // the generic path reads it through the union; keep it simple
    if (!CompileRecord(*s.inner, {kFilePath, kFileFormat, kRecordCount, kFileSize},
                       &out.data_file_)) {
      return std::nullopt;
    }
  }
  return out;
}

Status EntryDecoder::Decode(avro::Decoder* d, ManifestEntry* e) const {
  bool has_status = false, has_data_file = false;
  for (const Slot& s : entry_) {
    ATOLL_ASSIGN_OR_RETURN(bool present, ReadPresent(d, s.null_branch));
    if (!present) continue;
    switch (s.id) {
      case kStatus: {
        ATOLL_ASSIGN_OR_RETURN(int64_t status, ReadNumber(d, s.inner));
        if (status < 0 || status > 2) return Corruption("status ", status, " is not 0, 1 or 2");
        e->status = static_cast<EntryStatus>(status);
        has_status = true;
        break;
      }
      case kSnapshotId: {
        ATOLL_ASSIGN_OR_RETURN(e->snapshot_id, ReadNumber(d, s.inner));
        break;
      }
      case kSequenceNumber: {
        ATOLL_ASSIGN_OR_RETURN(e->sequence_number, ReadNumber(d, s.inner));
        break;
      }
      case kFileSequenceNumber: {
        ATOLL_ASSIGN_OR_RETURN(e->file_sequence_number, ReadNumber(d, s.inner));
        break;
      }
      case kDataFile:
        ATOLL_RETURN_NOT_OK(DecodeDataFile(d, &e->data_file));
        has_data_file = true;
        break;
      default:
        ATOLL_RETURN_NOT_OK(Skip(d, s.inner));
    }
  }
  if (!has_status) return Missing(kStatus);
  if (!has_data_file) return Corruption("data_file (field id 2) is missing");
  return Status::OK();
}

Status EntryDecoder::DecodeDataFile(avro::Decoder* d, DataFile* f) const {
  bool has_path = false, has_format = false, has_count = false, has_size = false;
  for (const Slot& s : data_file_) {
    ATOLL_ASSIGN_OR_RETURN(bool present, ReadPresent(d, s.null_branch));
    if (!present) continue;
    switch (s.id) {
      case kContent: {
        ATOLL_ASSIGN_OR_RETURN(int64_t content, ReadNumber(d, s.inner));
        if (content < 0 || content > 2)
          return Corruption("data file content ", content, " is not 0, 1 or 2");
        f->content = static_cast<FileContent>(content);
        break;
      }
      case kFilePath:
        ATOLL_RETURN_NOT_OK(ReadByteString(d, s.inner, &f->file_path));
        has_path = true;
        break;
      case kFileFormat:
        ATOLL_RETURN_NOT_OK(ReadByteString(d, s.inner, &f->file_format));
        has_format = true;
        break;
      case kPartition: {
        avro::Value v;
        ATOLL_RETURN_NOT_OK(avro::DecodeValue(*s.inner, d, &v));
        ATOLL_ASSIGN_OR_RETURN(f->partition,
                               manifest_avro::ReadPartition(*s.inner, v, "data file"));
        break;
      }
      case kRecordCount: {
        ATOLL_ASSIGN_OR_RETURN(f->record_count, ReadNumber(d, s.inner));
        has_count = true;
        break;
      }
      case kFileSize: {
        ATOLL_ASSIGN_OR_RETURN(f->file_size_in_bytes, ReadNumber(d, s.inner));
        has_size = true;
        break;
      }
      case kColumnSizes:
        ATOLL_RETURN_NOT_OK(ReadMap(d, s, &f->column_sizes));
        break;
      case kValueCounts:
        ATOLL_RETURN_NOT_OK(ReadMap(d, s, &f->value_counts));
        break;
      case kNullCounts:
        ATOLL_RETURN_NOT_OK(ReadMap(d, s, &f->null_value_counts));
        break;
      case kNanCounts:
        ATOLL_RETURN_NOT_OK(ReadMap(d, s, &f->nan_value_counts));
        break;
      case kLowerBounds:
        ATOLL_RETURN_NOT_OK(ReadMap(d, s, &f->lower_bounds));
        break;
      case kUpperBounds:
        ATOLL_RETURN_NOT_OK(ReadMap(d, s, &f->upper_bounds));
        break;
      case kKeyMetadata:
        ATOLL_RETURN_NOT_OK(ReadByteString(d, s.inner, &f->key_metadata.emplace()));
        break;
      case kSplitOffsets:
        ATOLL_RETURN_NOT_OK(ReadList(d, s, &f->split_offsets));
        break;
      case kEqualityIds:
        ATOLL_RETURN_NOT_OK(ReadList(d, s, &f->equality_ids));
        break;
      case kSortOrderId: {
        ATOLL_ASSIGN_OR_RETURN(int64_t id, ReadNumber(d, s.inner));
        f->sort_order_id = static_cast<int32_t>(id);
        break;
      }
      case kFirstRowId: {
        ATOLL_ASSIGN_OR_RETURN(f->first_row_id, ReadNumber(d, s.inner));
        break;
      }
      case kReferencedDataFile:
        ATOLL_RETURN_NOT_OK(ReadByteString(d, s.inner, &f->referenced_data_file.emplace()));
        break;
      case kContentOffset: {
        ATOLL_ASSIGN_OR_RETURN(f->content_offset, ReadNumber(d, s.inner));
        break;
      }
      case kContentSize: {
        ATOLL_ASSIGN_OR_RETURN(f->content_size_in_bytes, ReadNumber(d, s.inner));
        break;
      }
      default:
        ATOLL_RETURN_NOT_OK(Skip(d, s.inner));
    }
  }
  if (!has_path) return Missing(kFilePath);
  if (!has_format) return Missing(kFileFormat);
  if (!has_count) return Missing(kRecordCount);
  if (!has_size) return Missing(kFileSize);
  return Status::OK();
}

}  // namespace atl::iceberg
