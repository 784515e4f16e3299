#include "atoll/stream/streamer.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "atoll/common/clock.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/ingest/reader_sql.h"
#include "atoll/ingest/table_ingester.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/lake/work_session.h"
#include "atoll/records/audit_table.h"
#include "atoll/records/lake_trail.h"
#include "atoll/storage/store.h"
#include "atoll/stream/kafka.h"
#include "atoll/stream/record_json.h"

namespace atl::stream {

namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string RandomId() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ SteadyMs());
  return StrCat(SystemNowMs(), "-", fmt::format("{:016x}", gen()));
}

// A record read but not committed yet.
struct Pending {
  TopicPartition tp;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  std::string value;
};

extern "C" void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* parts, void* opaque);

extern "C" void OnKafkaError(rd_kafka_t* rk, int err, const char* reason, void* opaque);

void SetCallbacks(rd_kafka_conf_t* conf, void*) {
  rd_kafka_conf_set_rebalance_cb(conf, OnRebalance);
  rd_kafka_conf_set_error_cb(conf, OnKafkaError);
}

class Streamer {
 public:
  Streamer(const lake::Lake& lake, const StreamOptions& options, const StreamEvents& events)
      : lake_(lake), options_(options), events_(events) {}

  Result<StreamReport> Run() {
    ATOLL_RETURN_NOT_OK(Open());
    ATOLL_RETURN_NOT_OK(Subscribe());
    Status st = Loop();
    if (st.ok()) st = Flush();
    // Leaves the group (the revocation callback runs inside), so that the other members
    // take the partitions at once.
    // After a failure (Kafka may be unreachable) the client is destroyed without that
    // goodbye, which would wait for the group coordinator.
    closed_ = true;
    if (st.ok()) {
      rd_kafka_consumer_close(rk_.get());
      rk_.reset();
    } else {
      rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
    Status synced = lake::SyncTrailTable(lake_, tables_, *trail_, session_->engine()).status();
    ATOLL_RETURN_NOT_OK(st);
    ATOLL_RETURN_NOT_OK_CTX(synced, "bringing the trail's audit table up to date");
    return report_;
  }

  // Called by librdkafka inside poll (this thread).
  void Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      Status st = Assign(parts);
      if (!st.ok()) {
        fatal_ = st.WithContext("taking the partitions assigned to this consumer");
        rd_kafka_assign(rk_.get(), nullptr);
      }
      return;
    }
    // Revoked (or a rebalance error): what was read is committed before letting go.
    if (!records_.empty() && !closed_) {
      Status st = Flush();
      if (!st.ok()) {
        Note("warn", StrCat("the batch read before the rebalance was not committed (read "
                            "again by the partitions' next owner): ",
                            st.message()));
        DropBatch();
      }
    }
    assigned_.clear();
    committed_.clear();
    position_.clear();
    eof_.clear();
    rd_kafka_assign(rk_.get(), nullptr);
    Note("info", "partitions revoked (rebalance)");
  }

 private:
  void Note(std::string_view level, const std::string& message) {
    if (events_.on_note) events_.on_note(level, message);
  }

  Status Open() {
    ATOLL_RETURN_NOT_OK(SplitTableName(lake_, options_.table, &zone_, &db_, &table_));
    id_ = {{zone_, db_}, table_};
    ATOLL_ASSIGN_OR_RETURN(tables_, lake::OpenLakeTables(lake_));
    ATOLL_ASSIGN_OR_RETURN(
        session_, lake::WorkSession::Open(lake_, options_.work_dir, options_.threads, "stream"));
    ATOLL_ASSIGN_OR_RETURN(trail_, lake::OpenLakeTrail(lake_));
    lake::ReconcileOptions ro;
    ro.command = options_.command + " (recovered)";
    ATOLL_RETURN_NOT_OK_CTX(lake::ReconcileTrail(lake_, tables_, *trail_, ro).status(),
                            "recording an interrupted run's commits");
    const lake::Settings& s = lake_.settings();
    limits_.max_depth = s.prepare.max_json_depth;
    limits_.max_document_bytes = s.prepare.max_line_bytes;
    ingest_options_.threads = options_.threads;
    ingest_options_.command = options_.command;

    const std::string group =
        options_.group.empty() ? StrCat("atoll-stream.", options_.table) : options_.group;
    KafkaConfig config = {{"group.id", group},
                          {"enable.auto.commit", "false"},
                          {"enable.auto.offset.store", "false"},
                          {"auto.offset.reset", "earliest"},
                          {"enable.partition.eof", "true"}};
    config.insert(config.end(), options_.kafka_config.begin(), options_.kafka_config.end());
    ATOLL_ASSIGN_OR_RETURN(
        rk_, NewKafkaClient(RD_KAFKA_CONSUMER, options_.brokers, config, SetCallbacks, this));
    rd_kafka_poll_set_consumer(rk_.get());
    return Status::OK();
  }

  Status Subscribe() {
    std::vector<std::string> topics = options_.topics;
    if (!options_.topic_regex.empty()) {
      topics.push_back(options_.topic_regex[0] == '^' ? options_.topic_regex
                                                      : "^" + options_.topic_regex);
    }
    if (topics.empty()) return InvalidArgument("no topic to stream (--topic or --topic-regex)");
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const std::string& t : topics)
      rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), list.get());
    if (err) return KafkaError(err, "subscribing to the topics");
    return Status::OK();
  }

  bool Done() {
    if (options_.stop_requested && options_.stop_requested()) return true;
    if (options_.max_records > 0 &&
        report_.records + static_cast<int64_t>(records_.size()) >= options_.max_records)
      return true;
    if (options_.stop_at_end && !assigned_.empty()) {
      for (const TopicPartition& tp : assigned_) {
        if (!eof_.count(tp)) return false;
      }
      return true;
    }
    return false;
  }

  bool FlushDue() const {
    if (records_.empty()) return false;
    return static_cast<int64_t>(records_.size()) >= options_.commit_rows ||
           bytes_ >= options_.commit_bytes || SteadyMs() - first_ms_ >= options_.commit_interval_ms;
  }

  Status Loop() {
    while (true) {
      if (!fatal_.ok()) return fatal_;
      if (Done()) return Status::OK();
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_.get(), 100);
      if (msg != nullptr) {
        Take(msg);
        rd_kafka_message_destroy(msg);
      }
      if (!fatal_.ok()) return fatal_;
      if (FlushDue()) ATOLL_RETURN_NOT_OK(Flush());
      if (first_error_ms_ > 0 && SteadyMs() - first_error_ms_ > options_.broker_timeout_ms) {
        return Unavailable("Kafka at ", options_.brokers, " gave no record for ",
                           options_.broker_timeout_ms / 1000.0,
                           " s while failing; last error: ", last_error_.message());
      }
    }
  }

 public:
  // An error event of the client (served by poll, on this thread): librdkafka retries;
  // Loop gives up after broker_timeout_ms without a record or end of partition.
  void KafkaFailure(rd_kafka_resp_err_t err, const char* reason) {
    last_error_ = KafkaError(err, StrCat("Kafka: ", reason ? reason : ""));
    if (first_error_ms_ == 0) {
      first_error_ms_ = SteadyMs();
      Note("warn", last_error_.message() + " (retrying)");
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) fatal_ = last_error_;
  }

 private:
  void Take(rd_kafka_message_t* msg) {
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      eof_.insert({rd_kafka_topic_name(msg->rkt), msg->partition});
      first_error_ms_ = 0;
      return;
    }
    if (msg->err) {
      last_error_ = KafkaError(msg->err, "reading from Kafka");
      if (first_error_ms_ == 0) {
        first_error_ms_ = SteadyMs();
        Note("warn", last_error_.message() + " (retrying)");
      }
      if (msg->err == RD_KAFKA_RESP_ERR__FATAL) fatal_ = last_error_;
      return;
    }
    first_error_ms_ = 0;
    TopicPartition tp{rd_kafka_topic_name(msg->rkt), msg->partition};
    if (!assigned_.count(tp)) return;  // fetched before a revocation
    auto pos = position_.find(tp);
    if (pos != position_.end() && msg->offset < pos->second) return;  // fetched before a seek
    position_[tp] = msg->offset + 1;
    eof_.erase(tp);
    Pending p;
    p.tp = std::move(tp);
    p.offset = msg->offset;
    rd_kafka_timestamp_type_t ts_type;
    p.timestamp_ms = rd_kafka_message_timestamp(msg, &ts_type);
    if (msg->payload != nullptr) p.value.assign(static_cast<const char*>(msg->payload), msg->len);
    if (records_.empty()) first_ms_ = SteadyMs();
    bytes_ += msg->len;
    next_[p.tp] = msg->offset + 1;
    records_.push_back(std::move(p));
  }

  Result<std::optional<iceberg::Table>> LoadTable() {
    Result<iceberg::Table> loaded = lake::LoadLakeTable(tables_, id_);
    if (loaded.ok()) return std::optional<iceberg::Table>(std::move(loaded).value());
    if (loaded.status().code() == StatusCode::kNotFound) return std::optional<iceberg::Table>();
    return loaded.status().WithContext(StrCat("loading table ", options_.table));
  }

  Result<OffsetMap> ReadTableOffsets() {
    ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, LoadTable());
    if (!table) return OffsetMap();
    return TableOffsets(table->metadata());
  }

  // Seeks the assigned partitions to the table's offsets (not the group's).
  Status Assign(rd_kafka_topic_partition_list_t* parts) {
    ATOLL_ASSIGN_OR_RETURN(OffsetMap table, ReadTableOffsets());
    std::string text;
    for (int i = 0; i < parts->cnt; ++i) {
      rd_kafka_topic_partition_t& p = parts->elems[i];
      TopicPartition tp{p.topic, p.partition};
      auto it = table.find(tp);
      if (it != table.end()) {
        p.offset = it->second;
        committed_[tp] = it->second;
        position_[tp] = it->second;
      } else {
        p.offset = RD_KAFKA_OFFSET_BEGINNING;
        committed_[tp] = std::nullopt;
        position_.erase(tp);
      }
      assigned_.insert(tp);
      eof_.erase(tp);
      text += StrCat(text.empty() ? "" : ", ", tp.ToString(), "@",
                     it != table.end() ? std::to_string(it->second) : std::string("start"));
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), parts);
    if (err) return KafkaError(err, "assigning partitions");
    Note("info", StrCat("assigned ", text.empty() ? std::string("nothing") : text,
                        " (offsets of the table)"));
    return Status::OK();
  }

  void DropBatch() {
    records_.clear();
    next_.clear();
    bytes_ = 0;
    first_ms_ = 0;
  }

  // The batch is not in the table (another consumer committed these partitions first, or
  // a commit of unknown outcome did not land): its partitions are read again from the
  // table's offsets.
  Status Reseek() {
    std::set<TopicPartition> tps;
    for (const auto& [tp, next] : next_) tps.insert(tp);
    DropBatch();
    ++report_.dropped_batches;
    ATOLL_ASSIGN_OR_RETURN(OffsetMap table, ReadTableOffsets());
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(tps.size())));
    for (const TopicPartition& tp : tps) {
      if (!assigned_.count(tp)) continue;
      auto it = table.find(tp);
      rd_kafka_topic_partition_t* p =
          rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
      if (it != table.end()) {
        p->offset = it->second;
        committed_[tp] = it->second;
        position_[tp] = it->second;
      } else {
        p->offset = RD_KAFKA_OFFSET_BEGINNING;
        committed_[tp] = std::nullopt;
        position_.erase(tp);
      }
      eof_.erase(tp);
    }
    if (list->cnt == 0) return Status::OK();
    rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_.get(), list.get(), 10000);
    if (error != nullptr) {
      Status st = KafkaError(rd_kafka_error_code(error), "seeking to the table's offsets");
      rd_kafka_error_destroy(error);
      return st;
    }
    return Status::OK();
  }

  // Moves a record that cannot be a row to _rejected/stream/<topic>/<partition>-<offset>.
  // Idempotent (the key is the record's): a batch read again after a crash rewrites it.
  Result<RejectedRecord> Reject(const Pending& p, const std::string& stage,
                                const std::string& reason) {
    RejectedRecord r;
    r.tp = p.tp;
    r.offset = p.offset;
    r.stage = stage;
    r.reason = reason;
    r.key = StrCat(lake_.settings().zones.rejected, "/stream/", p.tp.topic, "/", p.tp.partition,
                   "-", p.offset);
    storage::Store& store = lake_.store();
    ATOLL_RETURN_NOT_OK(storage::PutString(store, r.key, p.value).status());
    nlohmann::json why = {{"reason", reason},
                          {"stage", stage},
                          {"time", IsoTimeMs(SystemNowMs())},
                          {"topic", p.tp.topic},
                          {"partition", p.tp.partition},
                          {"offset", p.offset},
                          {"timestamp_ms", p.timestamp_ms}};
    ATOLL_RETURN_NOT_OK(storage::PutString(store, r.key + ".error.json", why.dump()).status());
    return r;
  }

  // Commits the batch (see the top of streamer.h), retrying failures.
  Status Flush() {
    if (records_.empty()) return Status::OK();
    const std::string commit_id = RandomId();
    FromMap from;
    for (const auto& [tp, next] : next_) {
      auto it = committed_.find(tp);
      from[tp] = it == committed_.end() ? std::nullopt : it->second;
    }
    std::string lines;
    std::vector<RejectedRecord> rejected;
    int64_t rows = 0;
    for (const Pending& p : records_) {
      KafkaRecord r{p.tp.topic, p.tp.partition, p.offset, p.timestamp_ms, p.value};
      Status st = AppendJsonLine(r, limits_, &lines);
      if (st.ok()) {
        ++rows;
        continue;
      }
      ATOLL_ASSIGN_OR_RETURN(RejectedRecord rr, Reject(p, "decode", st.message()));
      rejected.push_back(std::move(rr));
    }
    Status last;
    for (int attempt = 1; attempt <= std::max(1, options_.max_failed_commits); ++attempt) {
      Result<StreamCommit> done = CommitOnce(commit_id, lines, rows, from);
      if (done.ok()) {
        done->rejected = static_cast<int64_t>(rejected.size());
        Committed(*done, rejected);
        return Status::OK();
      }
      last = done.status();
      if (last.code() == StatusCode::kAlreadyExists) {
        Note("warn", StrCat("batch dropped: ", last.message(), "; reading again from the table"));
        return Reseek();
      }
      if (last.code() == StatusCode::kUnknownOutcome) {
        Result<std::optional<iceberg::Table>> table = LoadTable();
        if (table.ok() && *table && HasCommit((*table)->metadata(), commit_id)) {
          StreamCommit c;
          c.table = options_.table;
          c.rows = rows;
          c.offsets = next_;
          c.commit_id = commit_id;
          c.rejected = static_cast<int64_t>(rejected.size());
          Note("info", StrCat("commit ", commit_id, " of unknown outcome landed"));
          Committed(c, rejected);
          return Status::OK();
        }
        if (table.ok()) {  // not there: the fence (from offsets) keeps a late landing single
          Note("warn", StrCat("commit ", commit_id,
                              " of unknown outcome is not in the table; "
                              "writing the batch again"));
        }
      }
      Note("warn", StrCat("commit attempt ", attempt, " of ", options_.max_failed_commits,
                          " failed: ", last.message()));
      if (attempt < options_.max_failed_commits) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(250 << attempt, 8000)));
      }
    }
    return last.WithContext(StrCat(options_.max_failed_commits, " consecutive commits to ",
                                   options_.table, " failed; stopping"));
  }

  Result<StreamCommit> CommitOnce(const std::string& commit_id, const std::string& lines,
                                  int64_t rows, const FromMap& from) {
    lake::RowBatch batch;
    batch.summary = {{std::string(kOffsetsKey), FormatOffsets(next_)},
                     {std::string(kFromKey), FormatFrom(from)},
                     {std::string(kCommitIdKey), commit_id}};
    batch.validate = [&from, &commit_id](const iceberg::TableMetadata& base) -> Status {
      if (HasCommit(base, commit_id))
        return AlreadyExists("commit ", commit_id, " is already in the table");
      return CheckFrom(base, from);
    };
    const std::string path = StrCat(session_->dir(), "/stream-", commit_id, ".ndjson");
    if (rows > 0) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << lines;
      out.close();
      if (!out) return IOError("writing ", path);
      const lake::Settings& s = lake_.settings();
      lake::ReaderSql reader(s.OptionsFor(db_, table_), s.prepare.max_line_bytes);
      batch.query = RowsQuery(reader.Reader(lake::FileFormat::kNdjson, {path}, -1));
    } else {
      // Only rejects: the offsets still move on, in a snapshot without rows (an existing
      // table only; a table is never created without rows).
      ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, LoadTable());
      if (!table) return StreamCommit{options_.table, 0, 0, 0, next_, commit_id, false};
      batch.query = "SELECT CAST(NULL AS VARCHAR) AS _kafka_topic WHERE false";
    }
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult described,
                           session_->engine().Query(StrCat("DESCRIBE ", batch.query)));
    for (const engine::Row& row : described.rows) {
      if (row.size() < 2 || !row[0] || !row[1]) return Internal("unexpected DESCRIBE result");
      batch.columns.emplace_back(*row[0], *row[1]);
    }
    lake::TableIngestReport tr;
    tr.db = db_;
    tr.table = table_;
    Status st = lake::AppendRows(lake_, tables_, *session_, ingest_options_, trail_.get(), zone_,
                                 batch, &tr);
    std::remove(path.c_str());
    ATOLL_RETURN_NOT_OK(st);
    StreamCommit c;
    c.table = options_.table;
    c.snapshot_id = tr.snapshot_ids.empty() ? 0 : tr.snapshot_ids.back();
    c.rows = tr.rows;
    c.offsets = next_;
    c.commit_id = commit_id;
    c.created = tr.created;
    return c;
  }

  void Committed(const StreamCommit& c, const std::vector<RejectedRecord>& rejected) {
    // The group's offsets, as a hint for other tools (the table's are the truth).
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(next_.size())));
    for (const auto& [tp, next] : next_) {
      committed_[tp] = next;
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = next;
    }
    if (list->cnt > 0) rd_kafka_commit(rk_.get(), list.get(), /*async=*/1);
    report_.records += static_cast<int64_t>(records_.size());
    report_.rows += c.rows;
    report_.rejected += static_cast<int64_t>(rejected.size());
    ++report_.commits;
    DropBatch();
    if (events_.on_reject) {
      for (const RejectedRecord& r : rejected) events_.on_reject(r);
    }
    if (events_.on_commit) events_.on_commit(c);
  }

  const lake::Lake& lake_;
  const StreamOptions& options_;
  const StreamEvents& events_;
  std::string zone_, db_, table_;
  iceberg::TableIdentifier id_;
  lake::LakeTables tables_;
  std::unique_ptr<lake::WorkSession> session_;
  std::unique_ptr<trail::Trail> trail_;
  lake::IngestOptions ingest_options_;
  lake::JsonLimits limits_;
  KafkaHandle rk_;
  bool closed_ = false;  // rd_kafka_consumer_close was called
  Status fatal_;

  std::set<TopicPartition> assigned_;
  FromMap committed_;                           // per assigned partition: the table's offset
  std::map<TopicPartition, int64_t> position_;  // next offset expected (stale ones skipped)
  std::set<TopicPartition> eof_;
  int64_t first_error_ms_ = 0;  // of the Kafka errors since the last record (0: none)
  Status last_error_;

  std::vector<Pending> records_;  // the batch
  OffsetMap next_;                // its next offset per partition
  uint64_t bytes_ = 0;
  int64_t first_ms_ = 0;
  StreamReport report_;
};

extern "C" void OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* parts, void* opaque) {
  static_cast<Streamer*>(opaque)->Rebalance(err, parts);
}

extern "C" void OnKafkaError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<Streamer*>(opaque)->KafkaFailure(static_cast<rd_kafka_resp_err_t>(err), reason);
}

}  // namespace

Status SplitTableName(const lake::Lake& lake, const std::string& name, std::string* zone,
                      std::string* db, std::string* table) {
  const iceberg::Namespace parts = iceberg::SplitNamespace(name);
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return InvalidArgument("table '", name, "' is not <zone>.<db>.<table>");
  }
  const lake::Zones& z = lake.settings().zones;
  if (parts[0] != z.stg && parts[0] != z.tmp && parts[0] != z.prd) {
    return InvalidArgument("table '", name, "': zone '", parts[0], "' is not one of ", z.stg, ", ",
                           z.tmp, ", ", z.prd);
  }
  *zone = parts[0];
  *db = parts[1];
  *table = parts[2];
  return Status::OK();
}

Result<StreamReport> RunStream(const lake::Lake& lake, const StreamOptions& options,
                               const StreamEvents& events) {
  Streamer streamer(lake, options, events);
  return streamer.Run();
}

}  // namespace atl::stream
