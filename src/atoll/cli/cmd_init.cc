// atoll init: makes a bucket (local directory, s3://bucket[/prefix]) an atoll lake by
// writing its settings (_atoll/settings.json, see src/atoll/lake/settings.h).
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atoll/cli/command.h"
#include "atoll/lake/lake.h"
#include "atoll/storage/open_store.h"
#include "atoll/storage/probe.h"

namespace atl::cli {

namespace {

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    out.push_back(part);
  }
  return out;
}

// "bronze,silver,gold" (the stg, tmp and prd zones) or "stg=bronze,prepare=raw,...".
Status ApplyZones(const std::string& text, lake::Zones* zones) {
  std::vector<std::string> parts = SplitComma(text);
  bool named = text.find('=') != std::string::npos;
  if (!named) {
    if (parts.size() != 3) {
      return InvalidArgument(
          "--zones expects three names for the stg, tmp and prd zones (e.g. bronze,silver,gold)",
          " or KEY=NAME pairs (e.g. stg=bronze,prepare=raw)");
    }
    zones->stg = parts[0];
    zones->tmp = parts[1];
    zones->prd = parts[2];
    return Status::OK();
  }
  for (const std::string& p : parts) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) return InvalidArgument("--zones: '", p, "' is not KEY=NAME");
    std::string key = p.substr(0, eq);
    bool found = false;
    for (auto& [k, value] : lake::ZoneList(*zones)) {
      if (k == key) {
        *const_cast<std::string*>(value) = p.substr(eq + 1);
        found = true;
      }
    }
    if (!found) {
      return InvalidArgument(
          "--zones: unknown zone '", key,
          "' (prepare, load, stg, tmp, prd, trail, stats, log, queries, assets, rejected)");
    }
  }
  return Status::OK();
}

Result<lake::Settings> SettingsFromArgs(const ParsedArgs& args) {
  lake::Settings s;
  if (auto file = args.Value("settings")) {
    std::ifstream in(*file);
    if (!in) return NotFound("cannot read settings file '", *file, "'");
    std::stringstream ss;
    ss << in.rdbuf();
    ATOLL_ASSIGN_OR_RETURN_CTX(s, lake::ParseSettings(ss.str()), *file);
  }
  if (auto zones = args.Value("zones")) ATOLL_RETURN_NOT_OK(ApplyZones(*zones, &s.zones));
  if (auto catalog = args.Value("catalog")) s.catalog = *catalog;
  if (auto partition = args.Value("partition-by")) {
    ATOLL_ASSIGN_OR_RETURN_CTX(s.partition_by, lake::ParsePartitionList(*partition),
                               "--partition-by");
  }
  if (auto size = args.Value("target-file-size")) {
    ATOLL_ASSIGN_OR_RETURN_CTX(s.target_file_size_bytes, lake::ParseByteSize(*size),
                               "--target-file-size");
  }
  if (auto size = args.Value("batch-size")) {
    ATOLL_ASSIGN_OR_RETURN_CTX(s.prepare.batch_target_bytes, lake::ParseByteSize(*size),
                               "--batch-size");
  }
  ATOLL_RETURN_NOT_OK(s.Validate());
  return s;
}

// A lake with the in-bucket catalog commits through conditional writes; on a store that
// refuses them (OpenStack Swift answers 501) or ignores them (s3rver), no ingest could ever
// commit, so init fails now, naming the way out, instead of every later command.
// Local directories and memory honour them by construction.
Status CheckStoreCanCommit(storage::Store& store, const std::string& uri,
                           const lake::Settings& settings) {
  if (!settings.catalog.empty() && settings.catalog != "in-bucket") return Status::OK();
  if (uri.find("://") == std::string::npos || uri.starts_with("file://") ||
      uri.starts_with("memory://")) {
    return Status::OK();
  }
  ATOLL_ASSIGN_OR_RETURN_CTX(storage::ConditionalWriteSupport support,
                             storage::ProbeConditionalWrites(store, "_catalog/.probe"),
                             StrCat("probing conditional writes of ", uri));
  if (support == storage::ConditionalWriteSupport::kHonoured) return Status::OK();
  return NotSupported(uri, ": ", storage::DescribeConditionalWriteSupport(support),
                      " The in-bucket catalog (the default) commits through conditional writes, so "
                      "ingest could never work on this lake: run atoll init ",
                      uri,
                      " --catalog sqlite:///path/catalog.db (or postgresql://user@host:port/db)");
}

Status RunInit(const ParsedArgs& args, Io& io) {
  const std::string& uri = args.positional()[0];
  ATOLL_ASSIGN_OR_RETURN(lake::Settings settings, SettingsFromArgs(args));
  lake::InitOptions options;
  options.force = args.Has("force");
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store,
                         storage::OpenStore(uri, /*create_if_missing=*/true));
  ATOLL_RETURN_NOT_OK(CheckStoreCanCommit(*store, uri, settings));
  ATOLL_ASSIGN_OR_RETURN(lake::InitOutcome outcome, lake::InitLake(*store, settings, options));
  if (args.Has("json")) {
    nlohmann::ordered_json doc = {
        {"lake", uri},
        {"outcome", lake::InitOutcomeName(outcome)},
        {"settings", nlohmann::ordered_json::parse(lake::SettingsToJson(settings))}};
    io.out << doc.dump(2) << "\n";
    return Status::OK();
  }
  switch (outcome) {
    case lake::InitOutcome::kCreated:
      io.out << "initialised atoll lake " << uri << "\n";
      break;
    case lake::InitOutcome::kUnchanged:
      io.out << "atoll lake " << uri << " already has these settings\n";
      break;
    case lake::InitOutcome::kReplaced:
      io.out << "replaced the settings of atoll lake " << uri << "\n";
      break;
  }
  return Status::OK();
}

}  // namespace

CommandSpec InitCommand() {
  return {
      .name = "init",
      .summary = "Make a local directory or s3:// bucket an atoll lake",
      .arguments = "LAKE",
      .description =
          "Writes the lake's settings to LAKE/_atoll/settings.json (see docs/lake.md): zone\n"
          "folder names, partitioning and file size of landed tables, catalog, and the options\n"
          "of prepare/. Running init again with the same options changes nothing; with other\n"
          "options it fails unless --force is given. A local directory is created if needed.\n"
          "On object stores, init checks that the store honours conditional writes when the\n"
          "catalog is in-bucket (the default), and fails otherwise: use --catalog then.\n",
      .options = {{"zones", 0, OptionKind::kString, "NAMES",
                   "Zone folders: STG,TMP,PRD (e.g. bronze,silver,gold) or KEY=NAME,... pairs"},
                  {"catalog", 0, OptionKind::kString, "URI",
                   "in-bucket (default), sqlite:PATH or postgresql://..."},
                  {"partition-by", 0, OptionKind::kString, "FIELDS",
                   "Partitioning of landed tables (default day(_etl_loaded_at); none)"},
                  {"target-file-size", 0, OptionKind::kString, "SIZE",
                   "Target data file size (default 128MiB)"},
                  {"batch-size", 0, OptionKind::kString, "SIZE",
                   "Input bytes per prepared Parquet file (128MiB)"},
                  {"settings", 0, OptionKind::kString, "FILE",
                   "Start from this settings JSON document"},
                  {"force", 'f', OptionKind::kFlag, "", "Replace existing, different settings"},
                  {"json", 0, OptionKind::kFlag, "", "Print one JSON document on stdout"}},
      .min_positional = 1,
      .max_positional = 1,
      .run = RunInit,
  };
}

}  // namespace atl::cli
