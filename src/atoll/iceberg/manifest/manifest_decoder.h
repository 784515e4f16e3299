// A decoder of manifest entries straight from Avro binary into ManifestEntry, for speed.
//
// ReadManifest's generic path decodes every datum into an avro::Value tree and then looks
// fields up by field id; for tables of 100,000 files that tree is most of the planning
// time. EntryDecoder is compiled once per file from the writer's schema: each field of the
// manifest_entry and data_file records is matched by field id to the ManifestEntry member
// it fills, and its Avro shape is checked then (optional unions in either branch order,
// int or long numbers, string/bytes/fixed byte strings, int-keyed maps written as arrays
// of key/value records, lists). Fields it does not know are decoded and dropped; the
// partition record is decoded generically (it is small).
//
// Contract: for any file it compiles for, Decode() fills exactly what the generic path
// fills (tests compare both on every manifest in the test data). Compile() returns
// nullopt for a schema of another shape (a required field missing, a type the generic path
// would reject or widen differently), and ReadManifest then takes the generic path, which
// reports such files precisely. Decode errors are kCorruption naming the field id.
//
// Thread safety: a compiled decoder is immutable; Decode() may run on several threads.
#pragma once

#include <optional>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/avro/decoder.h"
#include "atoll/formats/avro/schema.h"
#include "atoll/iceberg/manifest/manifest.h"

namespace atl::iceberg {

class EntryDecoder {
 public:
  // One field of a record: its Iceberg field id (-1 when it has none) and Avro shape.
  struct Slot {
    int id = -1;
    const avro::Node* node = nullptr;   // the field's schema as written
    int null_branch = -1;               // the null branch when `node` is a ["null", T] union
    const avro::Node* inner = nullptr;  // T (or `node` when not a union)
    // Maps and lists: the item (map entries: the key/value record), possibly optional.
    int item_null_branch = -1;
    const avro::Node* item = nullptr;
    // Map entries: key and value, each possibly optional.
    int key_null_branch = -1, value_null_branch = -1;
    const avro::Node* key = nullptr;
    const avro::Node* value = nullptr;
  };

  static std::optional<EntryDecoder> Compile(const avro::Node& root);

  // Decodes one manifest_entry datum. `what` names the entry for messages.
  Status Decode(avro::Decoder* d, ManifestEntry* out) const;

 private:
  Status DecodeDataFile(avro::Decoder* d, DataFile* f) const;

  std::vector<Slot> entry_;      // fields of manifest_entry, in schema order
  std::vector<Slot> data_file_;  // fields of data_file, in schema order
};

// ReadManifest without EntryDecoder (every datum through avro::Value), for tests that
// compare the two paths.
Result<Manifest> ReadManifestGeneric(std::string_view bytes, std::string_view name,
                                     const ManifestFile* source = nullptr);

}  // namespace atl::iceberg
