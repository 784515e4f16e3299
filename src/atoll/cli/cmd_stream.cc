// atoll stream: Kafka topics into a lake table, exactly once (src/atoll/stream/ does the
// work; this file parses options, prints, and logs the run's events). `atoll stream status`
// shows per table and partition the committed offset, the broker's high-water mark and the lag.
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atoll/cli/command.h"
#include "atoll/common/clock.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/settings.h"
#include "atoll/records/event_log.h"
#include "atoll/records/record_run.h"
#include "atoll/stream/stream_status.h"
#include "atoll/stream/streamer.h"

namespace atl::cli {

namespace {

using nlohmann::json;

std::atomic<bool> g_stop_stream{false};
extern "C" void OnStreamStop(int) { g_stop_stream.store(true); }

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// --kafka-config name=value[,name=value...]
Result<std::vector<std::pair<std::string, std::string>>> KafkaConfigOf(const ParsedArgs& args) {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto text = args.Value("kafka-config")) {
    for (const std::string& item : SplitList(*text)) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0)
        return InvalidArgument("--kafka-config '", item, "' is not name=value");
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  return out;
}

Result<stream::StreamOptions> OptionsFromArgs(const ParsedArgs& args) {
  stream::StreamOptions o;
  o.brokers = args.Value("brokers").value_or("");
  if (o.brokers.empty()) return InvalidArgument("--brokers is required");
  if (auto topics = args.Value("topic")) o.topics = SplitList(*topics);
  o.topic_regex = args.Value("topic-regex").value_or("");
  if (o.topics.empty() == o.topic_regex.empty())
    return InvalidArgument("give either --topic or --topic-regex");
  if (args.Has("route-field"))
    return NotSupported("--route-field is not implemented yet: give --table");
  o.table = args.Value("table").value_or("");
  if (o.table.empty()) return InvalidArgument("--table <zone>.<db>.<table> is required");
  const std::string format = args.Value("format").value_or("json");
  if (format != "json")
    return NotSupported("--format ", format, " is not implemented yet (json only)");
  o.group = args.Value("group").value_or("");
  if (auto v = args.Value("commit-interval")) {
    ATOLL_ASSIGN_OR_RETURN(o.commit_interval_ms, lake::ParseDurationMs(*v));
  }
  o.commit_rows = args.Int("commit-rows", o.commit_rows);
  if (auto v = args.Value("commit-bytes")) {
    ATOLL_ASSIGN_OR_RETURN(o.commit_bytes, lake::ParseByteSize(*v));
  }
  o.max_records = args.Int("max-records", 0);
  o.stop_at_end = args.Has("stop-at-end");
  o.max_failed_commits = static_cast<int>(args.Int("max-failed-commits", o.max_failed_commits));
  if (auto v = args.Value("broker-timeout")) {
    ATOLL_ASSIGN_OR_RETURN(o.broker_timeout_ms, lake::ParseDurationMs(*v));
  }
  ATOLL_ASSIGN_OR_RETURN(o.kafka_config, KafkaConfigOf(args));
  o.threads = static_cast<int>(args.Int("threads", 2));
  return o;
}

Status RunStreamStatus(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(args.positional()[1]));
  ATOLL_ASSIGN_OR_RETURN(auto config, KafkaConfigOf(args));
  ATOLL_ASSIGN_OR_RETURN(std::vector<stream::TableStreamStatus> tables,
                         stream::StreamStatus(*lake, args.Value("brokers").value_or(""), config));
  auto opt = [](const std::optional<int64_t>& v) -> json { return v ? json(*v) : json(nullptr); };
  if (args.Has("json")) {
    json out = json::array();
    for (const stream::TableStreamStatus& t : tables) {
      json parts = json::array();
      for (const stream::PartitionStatus& p : t.partitions) {
        parts.push_back({{"topic", p.tp.topic},
                         {"partition", p.tp.partition},
                         {"committed", opt(p.committed)},
                         {"low_watermark", opt(p.low_watermark)},
                         {"high_watermark", opt(p.high_watermark)},
                         {"lag", opt(p.lag)}});
      }
      out.push_back(
          {{"table", t.table},
           {"last_commit", t.last_commit_ms ? json(IsoTimeMs(t.last_commit_ms)) : json(nullptr)},
           {"partitions", parts}});
    }
    io.out << out.dump() << "\n";
    return Status::OK();
  }
  if (tables.empty()) {
    io.out << "no table holds streamed records\n";
    return Status::OK();
  }
  auto text = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; };
  for (const stream::TableStreamStatus& t : tables) {
    io.out << t.table << "  (last commit " << IsoTimeMs(t.last_commit_ms) << ")\n";
    io.out << "  topic/partition  committed  high-water  lag\n";
    for (const stream::PartitionStatus& p : t.partitions) {
      io.out << "  " << p.tp.ToString() << "  " << text(p.committed) << "  "
             << text(p.high_watermark) << "  " << text(p.lag) << "\n";
    }
  }
  return Status::OK();
}

Status RunStreamCommand(const ParsedArgs& args, Io& io) {
  const auto& pos = args.positional();
  if (pos[0] == "status") {
    if (pos.size() != 2) return InvalidArgument("usage: atoll stream status LAKE");
    return RunStreamStatus(args, io);
  }
  if (pos.size() != 1) return InvalidArgument("usage: atoll stream LAKE --brokers ... --topic ...");
  ATOLL_ASSIGN_OR_RETURN(stream::StreamOptions options, OptionsFromArgs(args));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(pos[0]));
  struct sigaction action {};
  action.sa_handler = OnStreamStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  g_stop_stream.store(false);
  options.stop_requested = [] { return g_stop_stream.load(); };

  lake::EventLog log({.command = "atoll stream",
                      .echo = &io.err,
                      .flush_every_events = static_cast<size_t>(args.Int("log-every-events", 1000)),
                      .flush_every_ms = args.Int("log-every-seconds", 60) * 1000});
  const bool as_json = args.Has("json");
  stream::StreamEvents events;
  events.on_commit = [&](const stream::StreamCommit& c) {
    log.Info(c.table, "streamed",
             {{"rows", c.rows},
              {"rejected", c.rejected},
              {"snapshot", c.snapshot_id},
              {"commit_id", c.commit_id},
              {"offsets", stream::FormatOffsets(c.offsets)}});
    if (as_json) {
      io.out << json({{"table", c.table},
                      {"snapshot", c.snapshot_id},
                      {"rows", c.rows},
                      {"rejected", c.rejected},
                      {"offsets", stream::FormatOffsets(c.offsets)}})
                    .dump()
             << "\n";
    } else {
      io.out << c.table << ": " << c.rows << " rows";
      if (c.rejected) io.out << ", " << c.rejected << " rejected";
      io.out << " (" << stream::FormatOffsets(c.offsets) << ")\n";
    }
    io.out.flush();
    if (log.FlushDue(SystemNowMs())) {
      lake::RecordRun(*lake, log, {.command = "atoll stream", .on_warning = PrintWarning(io)});
    }
  };
  events.on_reject = [&](const stream::RejectedRecord& r) {
    log.Warn(options.table, "rejected record " + r.tp.ToString() + "@" + std::to_string(r.offset),
             {{"topic", r.tp.topic},
              {"partition", static_cast<int64_t>(r.tp.partition)},
              {"offset", r.offset},
              {"moved_to", r.key},
              {"stage", r.stage},
              {"reason", r.reason}});
  };
  events.on_note = [&](std::string_view level, const std::string& message) {
    if (level == "warn") {
      log.Warn(options.table, message);
    } else {
      io.err << "atoll: " << message << "\n";
    }
  };
  Result<stream::StreamReport> ran = stream::RunStream(*lake, options, events);
  if (!ran.ok()) log.Error(options.table, "stream stopped: " + ran.status().message());
  lake::RecordRun(*lake, log, {.command = "atoll stream", .on_warning = PrintWarning(io)});
  ATOLL_RETURN_NOT_OK(ran.status());
  io.err << "atoll: streamed " << ran->records << " records into " << options.table << " ("
         << ran->rows << " rows, " << ran->rejected << " rejected, " << ran->commits
         << " commits)\n";
  if (ran->rejected > 0) io.exit_code = kExitRejected;
  return Status::OK();
}

}  // namespace

CommandSpec StreamCommand() {
  return {
      .name = "stream",
      .summary = "Stream Kafka topics into a lake table, exactly once (or: stream status LAKE)",
      .arguments = "LAKE | status LAKE",
      .description =
          "Consumes the topics as a member of a Kafka consumer group and appends their JSON\n"
          "records to the table (created and evolved as ingest does), with the columns\n"
          "_kafka_topic, _kafka_partition, _kafka_offset, _kafka_timestamp and _etl_loaded_at.\n"
          "Each commit stores the partitions' offsets in the table's snapshot, and the\n"
          "consumer starts from those: a record is in the table exactly once, across crashes,\n"
          "restarts and rebalances. Records that are not JSON objects go to\n"
          "_rejected/stream/<topic>/ with a reason. SIGINT/SIGTERM commit and stop.\n"
          "`atoll stream status LAKE [--brokers B]`: committed offsets, high-water marks, lag.\n"
          "Exit status 3 when records were rejected.\n",
      .options =
          {{"brokers", 'b', OptionKind::kString, "HOST:PORT[,...]", "Kafka bootstrap servers"},
           {"topic", 't', OptionKind::kString, "T[,...]", "Topics to read"},
           {"topic-regex", 0, OptionKind::kString, "REGEX", "Topics matching REGEX"},
           {"table", 0, OptionKind::kString, "ZONE.DB.TABLE", "The table to append to"},
           {"route-field", 0, OptionKind::kString, "F", "(not implemented yet)"},
           {"format", 0, OptionKind::kString, "json", "Record format (json)"},
           {"group", 'g', OptionKind::kString, "G",
            "Consumer group (default atoll-stream.<table>)"},
           {"commit-interval", 0, OptionKind::kString, "DURATION",
            "Commit at least this often (default 10s)"},
           {"commit-rows", 0, OptionKind::kInt, "N", "Commit every N records (default 100000)", 1,
            INT64_MAX},
           {"commit-bytes", 0, OptionKind::kString, "SIZE",
            "Commit every SIZE of records (default 64MiB)"},
           {"max-records", 0, OptionKind::kInt, "N", "Stop after N records", 1, INT64_MAX},
           {"stop-at-end", 0, OptionKind::kFlag, "",
            "Stop when every assigned partition is read to its end"},
           {"max-failed-commits", 0, OptionKind::kInt, "N",
            "Stop after N consecutive failed commits (default 5)", 1, 1000},
           {"broker-timeout", 0, OptionKind::kString, "DURATION",
            "Fail when Kafka gives only errors this long (default 60s)"},
           {"kafka-config", 'X', OptionKind::kString, "NAME=VALUE[,...]", "librdkafka properties"},
           {"threads", 0, OptionKind::kInt, "N", "DuckDB worker threads (default 2)", 1, 256},
           {"log-every-events", 0, OptionKind::kInt, "N",
            "Commit the log when N events wait (default 1000)", 1, 1000000},
           {"log-every-seconds", 0, OptionKind::kInt, "S",
            "Commit the log when its oldest event is S seconds old (default 60)", 1, 86400},
           {"json", 0, OptionKind::kFlag, "", "One JSON document per commit / for status"}},
      .min_positional = 1,
      .max_positional = 2,
      .run = RunStreamCommand,
  };
}

}  // namespace atl::cli
