// atoll trail: the lake's tamper-evident trail (docs/trail.md): verify, prove, show,
// checkpoint, reconcile, sync and keygen, the subcommand being the first argument.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atoll/cli/command.h"
#include "atoll/common/local_fs.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/audit_table.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/trail_check.h"
#include "atoll/trail/checkpoint.h"
#include "atoll/trail/log.h"

namespace atl::cli {

namespace {

using trail::Record;

struct Opened {
  std::unique_ptr<lake::Lake> lake;
  std::unique_ptr<trail::Trail> trail;
};

Result<Opened> OpenTrail(const ParsedArgs& args) {
  Opened o;
  const std::string& uri = args.positional()[1];
  ATOLL_ASSIGN_OR_RETURN(o.lake, lake::Lake::Open(uri));
  lake::LakeTrailOptions options;
  options.key_path = args.Value("key").value_or("");
  if (auto pem = args.Value("public-key")) {
    ATOLL_ASSIGN_OR_RETURN(options.pinned_public_key_pem, ReadTextFile(*pem));
  }
  ATOLL_ASSIGN_OR_RETURN(o.trail, lake::OpenLakeTrail(*o.lake, options));
  return o;
}

nlohmann::json FilesJson(const std::vector<trail::FileRef>& files) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : files)
    out.push_back({{"location", f.location}, {"size", f.size}, {"checksum", f.checksum}});
  return out;
}

nlohmann::json RecordJson(const Record& r) {
  nlohmann::json j = {
      {"seq", r.sequence},
      {"kind", std::string(trail::RecordKindName(r.kind))},
      {"time_ms", r.time_ms},
      {"command", r.command},
      {"user", r.user},
      {"host", r.host},
      {"table", r.table},
      {"snapshot_before",
       r.snapshot_before ? nlohmann::json(*r.snapshot_before) : nlohmann::json()},
      {"snapshot_after", r.snapshot_after ? nlohmann::json(*r.snapshot_after) : nlohmann::json()},
      {"metadata_location", r.metadata_location},
      {"metadata_sha256", r.metadata_sha256 ? trail::ToHex(*r.metadata_sha256) : ""},
      {"files_added", FilesJson(r.files_added)},
      {"files_removed", FilesJson(r.files_removed)}};
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [k, v] : r.fields) fields[k] = v;
  j["fields"] = fields;
  return j;
}

Result<uint64_t> ParseSeq(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      text.size() > 19) {
    return InvalidArgument("record number '", text, "' is not a non-negative integer");
  }
  return std::strtoull(text.c_str(), nullptr, 10);
}

// The monitor's state file (outside the bucket): the latest checkpoint a clean verify saw.
//   atoll-trail-state 1
//   size 2000
//   root <64 hex digits>
//   key ed25519 3f2a9c0d11e4b7a5
constexpr char kStateMagic[] = "atoll-trail-state 1";

Status ReadState(const std::string& path, trail::VerifyOptions* options) {
  if (!std::filesystem::exists(path)) return Status::OK();  // first run: nothing known yet
  ATOLL_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  std::istringstream in(text);
  std::string magic, size_word, root_word, root_hex, key_word, algorithm, key_id;
  uint64_t size = 0;
  std::getline(in, magic);
  in >> size_word >> size >> root_word >> root_hex >> key_word >> algorithm >> key_id;
  Result<trail::Hash> root = trail::HashFromHex(root_hex);
  if (magic != kStateMagic || size_word != "size" || root_word != "root" || key_word != "key" ||
      !root.ok() || key_id.empty()) {
    return InvalidArgument("trail state file ", path, " is not an atoll trail state (", kStateMagic,
                           ", size, root, key lines)");
  }
  options->known_checkpoint_size = std::max(options->known_checkpoint_size, size);
  options->known_checkpoint_root = *root;
  options->known_key = StrCat(algorithm, " ", key_id);
  return Status::OK();
}

Status WriteState(const std::string& path, const trail::VerifyReport& report) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kStateMagic << "\nsize " << report.latest_checkpoint << "\nroot "
        << trail::ToHex(report.latest_checkpoint_root) << "\nkey " << report.key << "\n";
    if (!out.flush()) return IOError("writing the trail state file ", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return ErrorCodeToStatus(ec, StrCat("renaming ", tmp, " to ", path));
  return Status::OK();
}

Status RunVerify(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Opened o, OpenTrail(args));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*o.lake));
  trail::VerifyOptions options;
  // Metadata files a later maintenance record says it removed are accepted (lake_trail.h);
  // when the records cannot be read, Verify itself reports why.
  Result<std::map<std::string, trail::Hash>> removed = lake::MetadataRemovedByMaintenance(*o.trail);
  options.metadata_hasher = lake::LakeMetadataHasher(
      tables.io, removed.ok() ? std::move(*removed) : std::map<std::string, trail::Hash>());
  options.min_size = static_cast<uint64_t>(args.Int("min-size", 0));
  options.known_checkpoint_size = static_cast<uint64_t>(args.Int("checkpoint-size", 0));
  const std::optional<std::string> state = args.Value("state");
  if (state) ATOLL_RETURN_NOT_OK(ReadState(*state, &options));
  ATOLL_ASSIGN_OR_RETURN(trail::VerifyReport report, o.trail->Verify(options));
  // The lake against the trail: catalog pointers, manifests and (--data) data files.
  lake::LakeCheckReport lake_check;
  Result<std::vector<Record>> records = o.trail->Show({});
  if (records.ok()) {
    lake::LakeCheckOptions lake_options;
    lake_options.data = args.Has("data");
    ATOLL_ASSIGN_OR_RETURN(lake_check,
                           lake::CheckLakeAgainstTrail(*o.lake, tables, *records, lake_options));
    for (std::string& p : lake_check.problems) {
      ++report.problem_count;
      report.problems.push_back(std::move(p));
    }
  }
  // Committed changes without a record (a crash between a commit and its record).
  lake::ReconcileOptions dry;
  dry.dry_run = true;
  size_t unrecorded = 0;
  if (report.ok()) {
    ATOLL_ASSIGN_OR_RETURN(lake::ReconcileReport missing,
                           lake::ReconcileTrail(*o.lake, tables, *o.trail, dry));
    unrecorded = missing.added.size();
  }
  const uint64_t uncovered = report.records - std::min(report.records, report.latest_checkpoint);
  if (args.Has("json")) {
    nlohmann::json doc = {{"ok", report.ok()},
                          {"records", report.records},
                          {"objects", report.objects},
                          {"checkpoints", report.checkpoints},
                          {"checkpoints_valid", report.checkpoints_valid},
                          {"latest_checkpoint", report.latest_checkpoint},
                          {"records_not_checkpointed", uncovered},
                          {"metadata_checked", report.metadata_checked},
                          {"root", trail::ToHex(report.root)},
                          {"problem_count", report.problem_count},
                          {"problems", report.problems},
                          {"unrecorded_changes", unrecorded},
                          {"tables_checked", lake_check.tables},
                          {"manifests_checked", lake_check.manifests},
                          {"data_files_checked", lake_check.data_files},
                          {"bytes_hashed", lake_check.bytes_hashed}};
    io.out << doc.dump(2) << "\n";
  } else {
    io.out << report.Summary() << "\n";
    io.out << "lake: " << lake_check.tables << " tables compared with the trail, "
           << lake_check.manifests << " manifest files checked";
    if (args.Has("data"))
      io.out << ", " << lake_check.data_files << " data files (" << lake_check.bytes_hashed
             << " bytes hashed)";
    io.out << "\n";
    for (const std::string& p : report.problems) io.out << "  " << p << "\n";
    if (report.problem_count > report.problems.size()) {
      io.out << "  ... and " << report.problem_count - report.problems.size() << " more\n";
    }
    if (uncovered > 0) {
      io.out << "warning: records " << report.records - uncovered << ".." << report.records - 1
             << " are not covered by a signed checkpoint (protected against accidents only; run "
                "'atoll trail "
                "checkpoint')\n";
    }
    if (unrecorded > 0) {
      io.out << "warning: " << unrecorded
             << " committed table changes have no trail record (run 'atoll trail reconcile')\n";
    }
  }
  if (!report.ok()) {
    return Corruption("trail of ", args.positional()[1],
                      " failed verification: ", report.problem_count,
                      report.problem_count == 1 ? " problem" : " problems",
                      report.problems.empty() ? "" : StrCat(", first: ", report.problems.front()));
  }
  if (state && report.latest_checkpoint > 0) ATOLL_RETURN_NOT_OK(WriteState(*state, report));
  return Status::OK();
}

Status RunProve(const ParsedArgs& args, Io& io) {
  if (args.positional().size() < 3)
    return InvalidArgument("'atoll trail prove' needs LAKE and a record number");
  ATOLL_ASSIGN_OR_RETURN(uint64_t seq, ParseSeq(args.positional()[2]));
  ATOLL_ASSIGN_OR_RETURN(Opened o, OpenTrail(args));
  ATOLL_ASSIGN_OR_RETURN(trail::ProofBundle p, o.trail->Prove(seq));
  if (args.Has("json")) {
    nlohmann::json path = nlohmann::json::array();
    for (const trail::Hash& h : p.audit_path) path.push_back(trail::ToHex(h));
    nlohmann::json doc = {{"index", p.index},
                          {"leaf_hash", trail::ToHex(p.leaf_hash)},
                          {"tree_size", p.checkpoint.size},
                          {"root", trail::ToHex(p.checkpoint.root)},
                          {"checkpoint_time_ms", p.checkpoint.time_ms},
                          {"key", StrCat(p.checkpoint.algorithm, " ", p.checkpoint.key_id)},
                          {"audit_path", path},
                          {"record", RecordJson(p.record)}};
    io.out << doc.dump(2) << "\n";
    return Status::OK();
  }
  io.out << "record     " << trail::DescribeRecord(p.record) << "\n"
         << "leaf hash  " << trail::ToHex(p.leaf_hash) << "\n"
         << "checkpoint " << p.checkpoint.size << " records, root "
         << trail::ToHex(p.checkpoint.root) << ", key " << p.checkpoint.algorithm << " "
         << p.checkpoint.key_id << "\n"
         << "audit path (" << p.audit_path.size() << " hashes, leaf to root):\n";
  for (const trail::Hash& h : p.audit_path) io.out << "  " << trail::ToHex(h) << "\n";
  io.out << "verified: record " << seq << " is in the signed tree of " << p.checkpoint.size
         << " records\n";
  return Status::OK();
}

Status RunShow(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Opened o, OpenTrail(args));
  trail::ShowFilter filter;
  if (args.positional().size() > 2) filter.table = args.positional()[2];
  filter.from = static_cast<uint64_t>(args.Int("from", 0));
  if (args.Has("limit")) filter.limit = static_cast<size_t>(args.Int("limit", 0));
  ATOLL_ASSIGN_OR_RETURN(std::vector<Record> records, o.trail->Show(filter));
  if (args.Has("json")) {
    nlohmann::json doc = nlohmann::json::array();
    for (const Record& r : records) doc.push_back(RecordJson(r));
    io.out << doc.dump(2) << "\n";
    return Status::OK();
  }
  for (const Record& r : records) {
    io.out << trail::DescribeRecord(r);
    for (const auto& [k, v] : r.fields) {
      if (k == "recovered" && v == "true") io.out << " (recovered)";
    }
    io.out << "\n";
  }
  if (records.empty())
    io.err << "no trail records" << (filter.table.empty() ? "" : StrCat(" of ", filter.table))
           << "\n";
  return Status::OK();
}

Status RunCheckpoint(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Opened o, OpenTrail(args));
  Result<trail::Checkpoint> c = o.trail->WriteCheckpoint();
  if (!c.ok() && c.status().code() == StatusCode::kInvalidArgument && !args.Has("key") &&
      std::getenv("ATOLL_TRAIL_KEY") == nullptr) {
    return InvalidArgument(
        "no trail signing key: set ATOLL_TRAIL_KEY to a key file outside the bucket or pass --key "
        "FILE "
        "(create one with 'atoll trail keygen FILE')");
  }
  if (!c.ok()) return c.status();
  if (args.Has("json")) {
    nlohmann::json doc = {{"size", c->size},
                          {"root", trail::ToHex(c->root)},
                          {"previous", c->previous},
                          {"time_ms", c->time_ms},
                          {"key", StrCat(c->algorithm, " ", c->key_id)}};
    io.out << doc.dump(2) << "\n";
  } else {
    io.out << "checkpoint of " << c->size << " records, root " << trail::ToHex(c->root)
           << ", signed by " << c->algorithm << " key " << c->key_id << "\n";
  }
  return Status::OK();
}

Status RunReconcile(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Opened o, OpenTrail(args));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*o.lake));
  lake::ReconcileOptions options;
  options.dry_run = args.Has("dry-run");
  ATOLL_ASSIGN_OR_RETURN(lake::ReconcileReport report,
                         lake::ReconcileTrail(*o.lake, tables, *o.trail, options));
  if (args.Has("json")) {
    nlohmann::json added = nlohmann::json::array();
    for (const Record& r : report.added) added.push_back(RecordJson(r));
    io.out << nlohmann::json(
                  {{"tables", report.tables}, {"dry_run", options.dry_run}, {"records", added}})
                  .dump(2)
           << "\n";
    return Status::OK();
  }
  for (const Record& r : report.added)
    io.out << (options.dry_run ? "missing " : "") << trail::DescribeRecord(r) << "\n";
  io.out << report.tables << " tables checked, " << report.added.size()
         << (options.dry_run ? " records missing\n" : " records added\n");
  return Status::OK();
}

Status RunSync(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Opened o, OpenTrail(args));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*o.lake));
  engine::EngineOptions eo;
  eo.threads = 2;
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open(eo));
  ATOLL_ASSIGN_OR_RETURN(lake::SyncReport r,
                         lake::SyncTrailTable(*o.lake, tables, *o.trail, *engine));
  io.out << "table " << lake::AuditTableId(*o.lake).ToString() << ": " << r.appended
         << " records appended, " << r.covered << " in all\n";
  return Status::OK();
}

Status RunKeygen(const ParsedArgs& args, Io& io) {
  const std::string& path = args.positional()[1];
  ATOLL_RETURN_NOT_OK(trail::GenerateKey(path));
  io.out << "wrote Ed25519 trail key " << path
         << " (mode 0600); keep it outside the bucket and set ATOLL_TRAIL_KEY=" << path << "\n";
  return Status::OK();
}

Status RunTrail(const ParsedArgs& args, Io& io) {
  const std::string& sub = args.positional()[0];
  const size_t n = args.positional().size();
  const bool takes_third = sub == "prove" || sub == "show";
  if (n > 2 && !takes_third) {
    return InvalidArgument("unexpected argument '", args.positional()[2], "' for 'atoll trail ",
                           sub, "'");
  }
  if (sub == "verify") return RunVerify(args, io);
  if (sub == "prove") return RunProve(args, io);
  if (sub == "show") return RunShow(args, io);
  if (sub == "checkpoint") return RunCheckpoint(args, io);
  if (sub == "reconcile") return RunReconcile(args, io);
  if (sub == "sync") return RunSync(args, io);
  if (sub == "keygen") return RunKeygen(args, io);
  return InvalidArgument("unknown trail subcommand '", sub,
                         "' (expected verify, prove, show, checkpoint, reconcile, sync or keygen)");
}

}  // namespace

CommandSpec TrailCommand() {
  return {
      .name = "trail",
      .summary = "Verify, prove and show the lake's tamper-evident trail",
      .arguments = "SUBCOMMAND LAKE [ARG]",
      .description =
          "Subcommands:\n"
          "  verify LAKE          recompute the Merkle log, check every checkpoint signature and\n"
          "                       root, that every recorded metadata file still has its "
          "SHA-256,\n"
          "                       that each table's catalog pointer is its latest recorded\n"
          "                       metadata and its manifests have their recorded SHA-256\n"
          "                       (--data: every data and delete file too);\n"
          "                       exit 1 naming each problem (tampering, missing records)\n"
          "  prove LAKE SEQ       print the inclusion proof of record SEQ against the latest\n"
          "                       signed checkpoint\n"
          "  show LAKE [TABLE]    list the records (of one table)\n"
          "  checkpoint LAKE      sign the current root (key: --key or $ATOLL_TRAIL_KEY)\n"
          "  reconcile LAKE       record committed table changes that have no record\n"
          "  sync LAKE            append new records to the Iceberg table <trail "
          "zone>.atoll.audit\n"
          "  keygen FILE          write a new Ed25519 signing key (PEM, mode 0600)\n"
          "The signing key must live outside the bucket; without one, records are still written\n"
          "but no checkpoint can be signed, and verify warns about uncovered records.\n",
      .options = {{"json", 0, OptionKind::kFlag, "", "Print one JSON document on stdout"},
                  {"key", 0, OptionKind::kString, "FILE",
                   "Signing key file (default $ATOLL_TRAIL_KEY)"},
                  {"public-key", 0, OptionKind::kString, "FILE",
                   "verify/prove: trust only this Ed25519 public key (PEM)"},
                  {"min-size", 0, OptionKind::kInt, "N",
                   "verify: the log is known to hold at least N records", 0},
                  {"checkpoint-size", 0, OptionKind::kInt, "N",
                   "verify: a signed checkpoint of at least N records is known to exist", 0},
                  {"state", 0, OptionKind::kString, "FILE",
                   "verify: monitor state outside the bucket; expects the checkpoint, root and key "
                   "it remembers, and remembers the latest after a clean run"},
                  {"data", 0, OptionKind::kFlag, "",
                   "verify: also re-hash every data and delete file against the trail"},
                  {"from", 0, OptionKind::kInt, "SEQ", "show: first record", 0},
                  {"limit", 0, OptionKind::kInt, "N", "show: at most N records", 0},
                  {"dry-run", 0, OptionKind::kFlag, "",
                   "reconcile: list the missing records only"}},
      .min_positional = 2,
      .max_positional = 3,
      .run = RunTrail,
  };
}

}  // namespace atl::cli
