// atoll stream: Kafka topics into one lake table, exactly once (docs/stream.md).
//
// A consumer of a Kafka group (librdkafka) reads the topics; records become newline-JSON
// lines in the scratch folder (record_json.h) and, at each commit, rows of the table through
// ingestion's own code (ingest/table_ingester.h, AppendRows: the table created and its
// schema evolved as for files, `_etl_loaded_at` added). A commit happens when the batch holds
// commit_rows records or commit_bytes bytes, or its first record is commit_interval_ms old.
//
// Exactly once (offsets.h): each commit's snapshot carries the next offset of every
// partition it covers and a commit id, and is valid only when those partitions are still at
// the offsets the batch started from. On start and on every assignment the consumer seeks to
// the table's offsets, never the group's; the group's offsets are written after each table
// commit, as a hint for other tools. A commit of unknown outcome is looked up in the table
// (commit id): landed, or the partitions are read again from the table's offsets. A batch
// that lost to another consumer's commit is dropped and its partitions read again. On
// revocation the batch is committed first.
//
// Undecodable records go to `<rejected zone>/stream/<topic>/<partition>-<offset>` (the raw
// value) with `.error.json` beside ({"reason", "stage", "time", "topic", "partition",
// "offset"}); the stream goes on. Records whose columns cannot join the table's schema are
// rejected the same way (stage "schema").
//
// Failures: a commit that fails (store, catalog) is retried with backoff; after
// max_failed_commits consecutive failures RunStream returns the last error. Kafka errors
// are retried by librdkafka; when no record or end of partition arrived for
// broker_timeout_ms while errors did, RunStream fails naming the last Kafka error.
//
// Thread safety: one RunStream per thread; several processes may stream into one table
// (one consumer group shares the partitions, each process commits its own).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/lake/lake.h"
#include "atoll/stream/offsets.h"

namespace atl::stream {

struct StreamOptions {
  std::string brokers;              // host:port[,...]
  std::vector<std::string> topics;  // or topic_regex
  std::string topic_regex;          // librdkafka's "^..." subscription
  std::string table;                // "<zone>.<db>.<table>"
  std::string group;                // default: "atoll-stream.<table>"
  int64_t commit_interval_ms = 10000;
  int64_t commit_rows = 100000;
  uint64_t commit_bytes = uint64_t{64} << 20;
  int64_t max_records = 0;   // > 0: stop once this many records were committed
  bool stop_at_end = false;  // stop when every assigned partition is read to its end
  int max_failed_commits = 5;
  int64_t broker_timeout_ms = 60000;
  std::vector<std::pair<std::string, std::string>> kafka_config;  // librdkafka properties
  std::string work_dir;                                           // "" = a fresh scratch folder
  int threads = 2;
  std::function<bool()> stop_requested;  // polled; true = commit what is read and stop
  std::string command = "atoll stream";  // as recorded in the trail
};

struct StreamCommit {
  std::string table;
  int64_t snapshot_id = 0;
  int64_t rows = 0;
  int64_t rejected = 0;
  OffsetMap offsets;
  std::string commit_id;
  bool created = false;  // the table was created by this commit
};

struct RejectedRecord {
  TopicPartition tp;
  int64_t offset = 0;
  std::string key;  // where the value went
  std::string stage;
  std::string reason;
};

// What RunStream tells as it works (each may be empty).
struct StreamEvents {
  std::function<void(const StreamCommit&)> on_commit;
  std::function<void(const RejectedRecord&)> on_reject;
  // Rebalances, retries, dropped batches: (level "info"/"warn", message).
  std::function<void(std::string_view level, const std::string& message)> on_note;
};

struct StreamReport {
  int64_t records = 0;  // committed (rows + rejected)
  int64_t rows = 0;
  int64_t rejected = 0;
  int64_t commits = 0;
  int64_t dropped_batches = 0;  // lost to another consumer, or of unknown outcome not landed
};

// Streams until stopped (options.stop_requested, max_records, stop_at_end) or failed.
Result<StreamReport> RunStream(const lake::Lake& lake, const StreamOptions& options,
                               const StreamEvents& events = {});

// "<zone>.<db>.<table>" split; kInvalidArgument for another shape or an unknown zone.
Status SplitTableName(const lake::Lake& lake, const std::string& name, std::string* zone,
                      std::string* db, std::string* table);

}  // namespace atl::stream
