// Writes seed inputs for trail_fuzz into the directory argv[1]: a valid record, a valid
// segment and a valid (HMAC-signed) checkpoint, each behind its selector byte.
#include <fstream>
#include <string>

#include "atoll/trail/checkpoint.h"
#include "atoll/trail/record.h"
#include "atoll/trail/segment.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::string dir = argv[1];
  atl::trail::Record r;
  r.kind = atl::trail::RecordKind::kAppend;
  r.time_ms = 1795334175000;
  r.command = "atoll load";
  r.table = "stg.shop.orders";
  r.snapshot_after = 7;
  r.metadata_location = "stg/shop/orders/metadata/v1.metadata.json";
  r.metadata_sha256 = atl::trail::Sha256("x");
  r.files_added = {{"a.parquet", 10, "sha256:00"}};
  r.fields = {{"k", "v"}};
  std::string rec = atl::trail::EncodeRecord(r).value();
  std::string seg = atl::trail::BuildSegment(0, {rec, rec});
  std::string secret(32, 'k');
  std::string keyfile = dir + ".hmac";  // beside the corpus, not in it
  std::ofstream(keyfile) << secret;
  auto signer = atl::trail::Signer::LoadFile(keyfile).value();
  atl::trail::Checkpoint c;
  c.size = 2;
  c.root = atl::trail::Sha256("root");
  std::string ckpt = atl::trail::SignCheckpoint(c, *signer).value();
  std::ofstream(dir + "/record", std::ios::binary) << std::string(1, '\0') << rec;
  std::ofstream(dir + "/segment", std::ios::binary) << std::string(1, '\1') << seg;
  std::ofstream(dir + "/checkpoint", std::ios::binary) << std::string(1, '\2') << ckpt;
  return 0;
}
