#include "atoll/ingest/table_ingester.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "atoll/common/clock.h"
#include "atoll/engine/engine.h"
#include "atoll/engine/memory_limit.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/ingest/landing_schema.h"
#include "atoll/ingest/ledger.h"
#include "atoll/ingest/lineage.h"
#include "atoll/ingest/rejects.h"
#include "atoll/ingest/source_check.h"
#include "atoll/ingest/stg_table.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/audit_table.h"
#include "atoll/records/lake_trail.h"
#include "atoll/table/data_writer.h"

namespace atl::lake {

namespace {

// ---------------------------------------------------------------------------------------
// Small helpers

// Hidden paths below the zone (IsHiddenPath), and keys that cannot be taken
// (CheckSourceKey: the outer loop of Ingest sets those aside).
bool Ignored(std::string_view key) {
  const size_t slash = key.find('/');
  return slash == std::string_view::npos || IsHiddenPath(key.substr(slash + 1)) ||
         !CheckSourceKey(key).reason.empty();
}

// Store errors stop a table's run; everything else about one file is that file's fault.
// DuckDB's memory limit is reported as kUnavailable too, but it is no store trouble: a file
// that cannot be read or written alone within the limit never will be (WriteEachAlone).
bool IsStoreTrouble(const Status& st) {
  if (engine::IsMemoryLimitError(st)) return false;
  switch (st.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kUnknownOutcome:
    case StatusCode::kPermissionDenied:
    case StatusCode::kCancelled:
    case StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

SourceFile Source(const storage::ObjectInfo& o) { return {o.key, o.size, o.etag}; }

// ---------------------------------------------------------------------------------------
// One table.

struct LoadFile {
  storage::ObjectInfo info;
  std::string uri;
  engine::QueryResult columns;  // DESCRIBE of the file
  iceberg::Schema schema = iceberg::Schema(0, {});
  bool own_loaded_at = false;  // the file has its own `_etl_loaded_at` (see kOwnLoadedAtColumn)
};

class TableIngester {
 public:
  TableIngester(const Lake& lake, const LakeTables& tables, WorkSession& session,
                const IngestOptions& options, trail::Trail* trail, const KeptLease* lease,
                TableIngestReport* report, const std::string& zone = "")
      : trail_(trail),
        lease_(lease),
        lake_(lake),
        store_(lake.store()),
        settings_(lake.settings()),
        tables_(tables),
        session_(session),
        engine_(session.engine()),
        options_(options),
        report_(*report),
        ledger_(store_, StrCat(settings_.zones.stg, ".", report->db, ".", report->table)) {
    const std::string& in_zone = zone.empty() ? settings_.zones.stg : zone;
    report_.table_name = StrCat(in_zone, ".", report_.db, ".", report_.table);
    id_ = {{in_zone, report_.db}, report_.table};
    load_prefix_ = Lake::TablePrefix(settings_.zones.load, report_.db, report_.table);
  }

  Status Run() {
    if (options_.run_prepare) ATOLL_RETURN_NOT_OK(RunPrepare());
    // Batches until load/ is empty; a batch that loses a race with another process is
    // dropped and its files listed again (bounded).
    for (int round = 0; round < 1000; ++round) {
      ATOLL_RETURN_NOT_OK(TakeListingView());
      ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> waiting, ListLoad());
      std::erase_if(waiting,
                    [this](const storage::ObjectInfo& o) { return left_.count(o.key) > 0; });
      if (waiting.empty()) return Status::OK();
      std::vector<storage::ObjectInfo> batch;
      uint64_t bytes = 0;
      for (storage::ObjectInfo& o : waiting) {
        if (view_.claimed.count(SourceId(o.key, o.etag))) continue;
        if (!batch.empty() && (batch.size() >= options_.max_files_per_commit ||
                               bytes + o.size > options_.max_bytes_per_commit)) {
          break;
        }
        bytes += o.size;
        batch.push_back(std::move(o));
      }
      if (batch.empty()) {  // all claimed by batches being cleaned up by their processes
        ATOLL_RETURN_NOT_OK(Backoff(round));
        continue;
      }
      ATOLL_RETURN_NOT_OK(StillHeld());
      ATOLL_RETURN_NOT_OK(IngestBatch(std::move(batch)));
    }
    return Internal("ingest of ", report_.table_name, " did not finish after 1000 batches");
  }

 private:
  // OK while this run still holds the table's lease (renewed in the background); its loss
  // (another process took the table) stops the run before it writes more.
  Status StillHeld() const {
    if (lease_ == nullptr) return Status::OK();
    return lease_->Check().WithContext(StrCat("stopping the ingest of ", report_.table_name));
  }

  int64_t Now() const { return options_.now_ms ? options_.now_ms() : SystemNowMs(); }

  // Waits a little before listing again (another process is finishing a batch).
  static Status Backoff(int round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20 + 20 * round, 500)));
    return Status::OK();
  }

  // What the table and its ledger say just before sources are listed (after finishing the
  // cleanup of committed batches whose process stopped, ResolvePending). A commit's
  // validation (CommitBatch) may skip a snapshot only if it was known then and its batch
  // was settled (its sources deleted, so none can be in the listing); the sources of
  // batches committed but not yet cleaned up by their process are claimed and left alone.
  struct ListingView {
    std::set<int64_t> known;          // snapshot ids
    std::set<std::string> unsettled;  // committed batches whose ledger entry is still pending
    std::set<std::string> claimed;    // SourceId of their sources
  };

  Status TakeListingView() {
    ATOLL_RETURN_NOT_OK(LoadTable());
    ATOLL_RETURN_NOT_OK(ResolvePending());
    view_ = ListingView();
    if (!table_) return Status::OK();
    for (const iceberg::Snapshot& snap : table_->metadata().snapshots) {
      view_.known.insert(snap.snapshot_id);
    }
    ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> pending, ledger_.PendingBatches());
    if (pending.empty()) return Status::OK();
    const std::map<std::string, int64_t> committed = CommittedBatches();
    for (const std::string& batch_id : pending) {
      if (!committed.count(batch_id)) continue;
      view_.unsettled.insert(batch_id);
      ATOLL_ASSIGN_OR_RETURN(std::set<std::string> sources, ledger_.Sources(batch_id));
      view_.claimed.insert(sources.begin(), sources.end());
    }
    return Status::OK();
  }

  void Progress(std::string phase, uint64_t done, uint64_t total) {
    if (options_.progress) options_.progress({report_.table_name, std::move(phase), done, total});
  }

  std::string Uri(const std::string& key) const { return StrCat(tables_.root_uri, "/", key); }

  Status LoadTable() {
    Result<iceberg::Table> loaded = LoadLakeTable(tables_, id_);
    if (loaded.ok()) {
      table_ = std::make_unique<iceberg::Table>(std::move(loaded).value());
      return Status::OK();
    }
    if (loaded.status().code() == StatusCode::kNotFound) return Status::OK();
    return loaded.status().WithContext(StrCat("loading table ", report_.table_name));
  }

  // batch id → snapshot id, over every snapshot the table still has.
  std::map<std::string, int64_t> CommittedBatches() const {
    std::map<std::string, int64_t> out;
    if (!table_) return out;
    for (const iceberg::Snapshot& s : table_->metadata().snapshots) {
      auto it = s.summary.find(std::string(kIngestBatchIdKey));
      if (it != s.summary.end()) out[it->second] = s.snapshot_id;
    }
    return out;
  }

  // Settles the pending ledger entries: a batch whose snapshot is in the table committed
  // before its process stopped (its cleanup is finished now); one whose snapshot is not did
  // not commit (its entry is dropped after options_.pending_grace_ms).
  Status ResolvePending() {
    ATOLL_ASSIGN_OR_RETURN(std::vector<LedgerEntry> pending, ledger_.ReadPending());
    if (pending.empty()) return Status::OK();
    std::map<std::string, int64_t> committed = CommittedBatches();
    for (const LedgerEntry& entry : pending) {
      auto it = committed.find(entry.batch_id);
      if (it == committed.end()) {
        if (entry.created_ms < Now() - options_.pending_grace_ms)
          ATOLL_RETURN_NOT_OK(ledger_.DropPending(entry));
        continue;
      }
      // Committed before the crash: finish its cleanup. Sources replaced since (another
      // version) are new data and stay.
      size_t deleted = 0;
      ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<SourceFile> replaced,
                                 DeleteUnchanged(store_, entry.sources, &deleted),
                                 "deleting the sources of a committed batch");
      report_.recovered_files += deleted;
      for (SourceFile& r : replaced) report_.left.push_back(std::move(r));
      ATOLL_RETURN_NOT_OK(ledger_.Finish(entry, it->second));
    }
    return Status::OK();
  }

  // prepare/ → load/, first dropping prepare/ sources already converted (the lineage of
  // the load/ files names them: a crash between the converted file's Put and the deletes).
  Status RunPrepare() {
    const std::string prefix =
        Lake::TablePrefix(settings_.zones.prepare, report_.db, report_.table);
    ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> raw, storage::ListAll(store_, prefix));
    if (raw.empty()) return Status::OK();
    Progress("prepare", 0, raw.size());
    ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> loads, ListLoad());
    const std::vector<SourceFile> converted =
        ConvertedSources(engine_, tables_.root_uri, loads, raw);
    if (!converted.empty()) {
      ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<SourceFile> replaced,
                                 DeleteUnchanged(store_, converted),
                                 "deleting prepare/ sources already converted");
      // Replaced since: a new version, converted in full below.
    }
    ATOLL_RETURN_NOT_OK(TakeListingView());
    PrepareOptions po;
    po.skip = [this](const SourceFile& s) {
      return view_.claimed.count(SourceId(s.key, s.etag)) > 0;
    };
    po.threads = options_.threads;
    po.now_ms = options_.now_ms;
    po.work_dir = session_.dir() + "/prepare";
    if (options_.direct_load) {
      // A direct batch is one commit: group the files as a load/ commit would.
      po.batch_bytes = options_.max_bytes_per_commit;
      po.batch_files = static_cast<int>(std::min<size_t>(options_.max_files_per_commit, 1 << 30));
      po.direct = [this](const DirectBatch& batch) { return LoadDirect(batch); };
    }
    ATOLL_ASSIGN_OR_RETURN(report_.prepared, PrepareTable(lake_, report_.db, report_.table, po));
    return Status::OK();
  }

  Result<std::vector<storage::ObjectInfo>> ListLoad() {
    ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects,
                               storage::ListAll(store_, load_prefix_),
                               StrCat("listing ", load_prefix_));
    std::vector<storage::ObjectInfo> out;
    for (storage::ObjectInfo& o : objects) {
      if (!Ignored(o.key)) out.push_back(std::move(o));
    }
    std::sort(
        out.begin(), out.end(),
        [](const storage::ObjectInfo& a, const storage::ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  // Rejects `file` unless it vanished or the store is in trouble (then the error stops the run).
  Status RejectOrStop(const storage::ObjectInfo& file, const std::string& stage,
                      const Status& why) {
    if (IsStoreTrouble(why)) return why.WithContext(StrCat("reading ", file.key));
    Result<storage::ObjectInfo> head = store_.Head(file.key);
    if (!head.ok()) {
      if (head.status().code() == StatusCode::kNotFound)
        return Status::OK();  // taken by another process
      return head.status();
    }
    if (head->size != file.size || head->etag != file.etag) {
      // Changed while it was read (the error may be the half-written file's): left.
      left_.insert(file.key);
      report_.left.push_back(Source(file));
      return Status::OK();
    }
    RejectRequest r;
    r.source = file;
    r.rejected_key = StrCat(settings_.zones.rejected, "/", file.key);
    r.stage = stage;
    r.reason = why.message().empty() ? why.ToString() : why.message();
    // DuckDB appends the SQL with a caret ("\n\nLINE 1: ..."); the reason is the first part.
    if (size_t cut = r.reason.find("\n\nLINE "); cut != std::string::npos) r.reason.resize(cut);
    if (engine::IsMemoryLimitError(why))
      r.reason = MemoryLimitReason(settings_.prepare.memory_limit, why);
    r.time_ms = Now();
    ATOLL_ASSIGN_OR_RETURN(bool moved, MoveToRejected(store_, r));
    if (moved) {
      RejectedFile rf;
      rf.source = {file.key, file.size, file.etag};
      rf.rejected_key = r.rejected_key;
      rf.stage = stage;
      rf.reason = r.reason;
      report_.rejected.push_back(std::move(rf));
    }
    return Status::OK();
  }

  // Reads the schema of each file; bad files are rejected. Returns the readable ones.
  // Footer signatures of many files in one query: file → its Parquet schema as text (the
  // columns sorted by name with their types and repetition). Files with equal signatures
  // have equal DuckDB columns, so each signature is described once. Empty when the query
  // fails (e.g. a corrupt file): every file is then described on its own.
  std::map<std::string, std::string> Signatures(const std::vector<storage::ObjectInfo>& batch) {
    std::map<std::string, std::string> out;
    if (batch.size() < 2) return out;
    std::string list;
    for (const storage::ObjectInfo& info : batch) {
      if (info.size == 0) return out;
      list += StrCat(list.empty() ? "" : ", ", engine::QuoteString(Uri(info.key)));
    }
    Result<engine::QueryResult> r =
        engine_.Query(StrCat("SELECT file_name, string_agg(concat_ws(':', name, type, type_length, "
                             "repetition_type, num_children, "
                             "converted_type, scale, precision, logical_type), ';' ORDER BY name, "
                             "type, repetition_type, num_children) "
                             "FROM parquet_schema([",
                             list, "]) GROUP BY file_name"));
    if (!r.ok()) return out;
    for (const engine::Row& row : r->rows) {
      if (row.size() == 2 && row[0] && row[1]) out[*row[0]] = *row[1];
    }
    return out;
  }

  // Reads the schema of each file; bad files are rejected. Returns the readable ones.
  Result<std::vector<LoadFile>> Describe(std::vector<storage::ObjectInfo> listed) {
    std::vector<storage::ObjectInfo> batch;
    for (storage::ObjectInfo& info : listed) {
      if (std::string why = GlobReason(info.key); !why.empty()) {
        ATOLL_RETURN_NOT_OK(RejectOrStop(info, "read", InvalidArgument(why)));
      } else {
        batch.push_back(std::move(info));
      }
    }
    const std::map<std::string, std::string> signatures = Signatures(batch);
    std::map<std::string, engine::QueryResult> described_by_signature;
    std::vector<LoadFile> out;
    size_t done = 0;
    for (storage::ObjectInfo& info : batch) {
      Progress("read", done++, batch.size());
      LoadFile f;
      f.uri = Uri(info.key);
      f.info = std::move(info);
      if (f.info.size == 0) {
        ATOLL_RETURN_NOT_OK(RejectOrStop(f.info, "read", InvalidArgument("empty file (0 bytes)")));
        continue;
      }
      auto sig = signatures.find(f.uri);
      auto known = sig == signatures.end() ? described_by_signature.end()
                                           : described_by_signature.find(sig->second);
      Result<engine::QueryResult> described =
          known != described_by_signature.end()
              ? Result<engine::QueryResult>(known->second)
              : engine_.Query(StrCat("DESCRIBE SELECT * FROM read_parquet(",
                                     engine::QuoteString(f.uri), ")"));
      if (!described.ok()) {
        ATOLL_RETURN_NOT_OK(RejectOrStop(f.info, "read", described.status()));
        continue;
      }
      if (sig != signatures.end() && known == described_by_signature.end()) {
        described_by_signature.emplace(sig->second, *described);
      }
      DuckColumns columns;
      for (const engine::Row& row : described->rows) {
        if (row.size() < 2 || !row[0] || !row[1]) return Internal("unexpected DESCRIBE result");
        columns.emplace_back(*row[0], *row[1]);
      }
      Status renamed = RenameOwnLoadedAt(&columns, &f.own_loaded_at);
      if (!renamed.ok()) {
        ATOLL_RETURN_NOT_OK(RejectOrStop(f.info, "schema", renamed));
        continue;
      }
      Result<iceberg::Schema> schema = SchemaForColumns(columns);
      if (!schema.ok()) {
        ATOLL_RETURN_NOT_OK(RejectOrStop(f.info, "schema", schema.status()));
        continue;
      }
      f.schema = std::move(schema).value();
      out.push_back(std::move(f));
    }
    return out;
  }

  // Creates the table from `first`'s schema, or loads it when another process won.
  Status CreateTable(const iceberg::Schema& first) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::CreateTableOptions co, NewStgTableOptions(settings_, first));
    ATOLL_RETURN_NOT_OK(EnsureNamespace(*tables_.catalog, id_.ns));
    return Created(iceberg::Table::Create(tables_.catalog, tables_.io, id_, co));
  }

  // Takes the outcome of creating the table: records the new table, or loads the one
  // another process created meanwhile (kAlreadyExists; report_.created stays false).
  Status Created(Result<iceberg::Table> created) {
    if (created.ok()) {
      table_ = std::make_unique<iceberg::Table>(std::move(created).value());
      report_.created = true;
      return Record(std::nullopt, trail::RecordKind::kCreate);
    }
    if (created.status().code() != StatusCode::kAlreadyExists) {
      return created.status().WithContext(StrCat("creating table ", report_.table_name));
    }
    return LoadTable();
  }

  // Decides which files fit the table's schema (rejecting the others) and commits the
  // schema change they need.
  Result<std::vector<LoadFile>> MergeSchemas(std::vector<LoadFile> files) {
    if (files.empty()) return files;
    if (!table_) ATOLL_RETURN_NOT_OK(CreateTable(files.front().schema));
    const iceberg::Schema base = *table_->metadata().CurrentSchema();
    iceberg::Schema merged = base;
    std::vector<LoadFile> fitting;
    for (LoadFile& f : files) {
      Result<SchemaMerge> plan = PlanSchemaMerge(merged, f.schema);
      Result<iceberg::Schema> next =
          plan.ok() ? ApplySchemaMerge(merged, *plan) : Result<iceberg::Schema>(plan.status());
      if (!next.ok()) {
        ATOLL_RETURN_NOT_OK(RejectOrStop(f.info, "schema", next.status()));
        continue;
      }
      merged = std::move(next).value();
      fitting.push_back(std::move(f));
    }
    ATOLL_RETURN_NOT_OK(EvolveSchema(base, merged));
    return fitting;
  }

  // Commits the schema change from `base` (the table's current schema) to `merged`.
  Status EvolveSchema(const iceberg::Schema& base, const iceberg::Schema& merged) {
    ATOLL_ASSIGN_OR_RETURN(SchemaMerge change, PlanSchemaMerge(base, merged));
    if (!change.empty()) {
      const std::optional<int64_t> before = table_->metadata().current_snapshot_id;
      Status st = table_->NewTransaction()
                      .UpdateSchema([change](iceberg::SchemaUpdate& u) {
                        for (const auto& [name, type] : change.add) u.AddColumn("", name, type);
                        for (const auto& [name, type] : change.widen)
                          u.UpdateColumnType(name, type);
                      })
                      .Commit();
      ATOLL_RETURN_NOT_OK_CTX(st, StrCat("evolving the schema of ", report_.table_name));
      ATOLL_RETURN_NOT_OK(Record(before, trail::RecordKind::kSchemaChange));
    }
    return Status::OK();
  }

  // The SELECT producing the batch's rows in the table's column names.
  std::string BatchQuery(const std::vector<LoadFile>& files, int64_t loaded_at_ms) const {
    std::set<std::string> present;
    std::string list;
    bool own_loaded_at = false;
    for (const LoadFile& f : files) {
      for (const iceberg::NestedField& field : f.schema.fields()) present.insert(field.name);
      list += StrCat(list.empty() ? "" : ", ", engine::QuoteString(f.uri));
      own_loaded_at = own_loaded_at || f.own_loaded_at;
    }
    std::string from = StrCat("read_parquet([", list, "], union_by_name = true)");
    if (own_loaded_at) from = WithOwnLoadedAtRenamed(from);
    return TableSelect(*table_->metadata().CurrentSchema(), present, from, loaded_at_ms);
  }

  // Writes the rows of `query` as data files of the table (of `md`: default, the table's).
  Result<std::vector<iceberg::DataFile>> Write(const std::string& query,
                                               const std::string& batch_id, int64_t loaded_at_ms,
                                               const iceberg::TableMetadata* md = nullptr) {
    if (md == nullptr) md = &table_->metadata();
    table::DataWriterOptions wo;
    table::ApplyWriteProperties(md->properties, &wo);
    wo.target_file_size_bytes = static_cast<int64_t>(settings_.target_file_size_bytes);
    wo.file_name_prefix = batch_id + "-";
    ATOLL_ASSIGN_OR_RETURN(
        wo.constant_partition,
        ConstantPartition(*md->CurrentSchema(), *md->DefaultSpec(), loaded_at_ms));
    return table::WriteDataFiles(engine_, query, *md->CurrentSchema(), *md->DefaultSpec(),
                                 md->location, wo);
  }

  // Reads every value of a file (the row hashes force each column to be decoded).
  Status ProbeRead(const LoadFile& f) {
    return engine_.Execute(
        StrCat("SELECT min(hash(t)) FROM read_parquet(", engine::QuoteString(f.uri), ") t"));
  }

  // Writes the batch. When that fails, the files that cannot be read in full are rejected
  // and the rest written; when every file reads, the failure is not theirs (e.g. the
  // table's store) and is returned. When it fails on the memory limit, the files are
  // written one by one (WriteEachAlone).
  Result<std::vector<iceberg::DataFile>> WriteOrIsolate(std::vector<LoadFile>* files,
                                                        const std::string& batch_id,
                                                        int64_t loaded_at_ms) {
    Progress("write", 0, files->size());
    Result<std::vector<iceberg::DataFile>> written =
        Write(BatchQuery(*files, loaded_at_ms), batch_id, loaded_at_ms);
    if (!written.ok() && engine::IsMemoryLimitError(written.status())) {
      return WriteEachAlone(files, batch_id, loaded_at_ms);
    }
    if (written.ok() || IsStoreTrouble(written.status())) return written;
    std::vector<LoadFile> good;
    for (LoadFile& f : *files) {
      Status probe = ProbeRead(f);
      if (probe.ok()) {
        good.push_back(std::move(f));
      } else if (IsStoreTrouble(probe)) {
        return probe;
      } else {
        ATOLL_RETURN_NOT_OK(RejectOrStop(f.info, "read", probe));
      }
    }
    if (good.size() == files->size()) return written.status();
    *files = std::move(good);
    if (files->empty()) return std::vector<iceberg::DataFile>{};
    return Write(BatchQuery(*files, loaded_at_ms), batch_id, loaded_at_ms);
  }

  // The batch needed more memory than the lake's limit: each file is written on its own
  // (one batch, several data files), so that one file too large for the limit spoils only
  // itself. A file that still fails on the limit, or fails to read, is rejected (the
  // reason names prepare.memory_limit, RejectOrStop); any other failure deletes what was
  // written and is returned (store trouble rejects nothing).
  Result<std::vector<iceberg::DataFile>> WriteEachAlone(std::vector<LoadFile>* files,
                                                        const std::string& batch_id,
                                                        int64_t loaded_at_ms) {
    std::vector<iceberg::DataFile> data;
    std::vector<LoadFile> written;
    size_t done = 0;
    for (LoadFile& f : *files) {
      Progress("write", done++, files->size());
      std::vector<LoadFile> one;
      one.push_back(std::move(f));
      Result<std::vector<iceberg::DataFile>> alone =
          Write(BatchQuery(one, loaded_at_ms), batch_id, loaded_at_ms);
      if (alone.ok()) {
        data.insert(data.end(), alone->begin(), alone->end());
        written.push_back(std::move(one.front()));
        continue;
      }
      Status stop = RejectAlone(one.front(), alone.status());
      if (!stop.ok()) {
        (void)DeleteDataFiles(data);
        return stop;
      }
    }
    *files = std::move(written);
    return data;
  }

  // The fate of a file whose write on its own failed with `why`: rejected (OK) when it
  // needs more memory than the limit or cannot be read in full; otherwise the failure is
  // not the file's and is returned.
  Status RejectAlone(const LoadFile& f, const Status& why) {
    if (engine::IsMemoryLimitError(why)) return RejectOrStop(f.info, "write", why);
    if (IsStoreTrouble(why)) return why;
    Status probe = ProbeRead(f);
    if (probe.ok()) return why;
    if (IsStoreTrouble(probe)) return probe;
    return RejectOrStop(f.info, "read", probe);
  }

  Status DeleteDataFiles(const std::vector<iceberg::DataFile>& files) {
    std::vector<std::string> paths;
    for (const iceberg::DataFile& f : files) paths.push_back(f.file_path);
    return tables_.io->Delete(paths);
  }

  Status IngestBatch(std::vector<storage::ObjectInfo> batch) {
    const int64_t started = Now();
    const std::string batch_id = NewBatchId(started);
    ATOLL_ASSIGN_OR_RETURN(std::vector<LoadFile> files, Describe(std::move(batch)));
    ATOLL_ASSIGN_OR_RETURN(files, MergeSchemas(std::move(files)));
    if (files.empty()) return Status::OK();
    ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> data,
                           WriteOrIsolate(&files, batch_id, started));
    if (files.empty()) return Status::OK();
    std::vector<SourceFile> sources;
    for (const LoadFile& f : files) sources.push_back(Source(f.info));
    // A file that changed while it was read: nothing of the batch is committed, the file
    // is left for the next run and the others are listed again.
    ATOLL_ASSIGN_OR_RETURN(std::vector<SourceFile> changed, ChangedSources(store_, sources));
    if (!changed.empty()) {
      (void)DeleteDataFiles(data);
      for (SourceFile& c : changed) {
        left_.insert(c.key);
        report_.left.push_back(std::move(c));
      }
      return Status::OK();
    }
    return CommitBatch(sources, data, batch_id, started).status();
  }

  // A batch of prepare/ CSV files offered by Prepare (PrepareOptions::direct): its rows
  // are written straight into the table. Declined (to go the load/ way, which has the
  // fallbacks and reports the reason) when its columns need a schema change or the write
  // fails on the data: column types come from a sample of the rows, so nothing is decided
  // about the table before every row was written. A new table is created after its first
  // files are written (Table::NewMetadata), so a failed write leaves no table behind.
  Result<DirectOutcome> LoadDirect(const DirectBatch& batch) {
    DirectOutcome outcome;
    DuckColumns columns(batch.columns.begin(), batch.columns.end());
    bool own_loaded_at = false;
    if (!RenameOwnLoadedAt(&columns, &own_loaded_at).ok()) return outcome;  // load/ rejects it
    std::set<std::string> present;
    for (const auto& [name, type] : columns) present.insert(name);
    Result<iceberg::Schema> schema = SchemaForColumns(columns);
    if (!schema.ok()) return outcome;
    std::optional<iceberg::TableMetadata> new_table;
    if (table_) {
      Result<SchemaMerge> plan = PlanSchemaMerge(*table_->metadata().CurrentSchema(), *schema);
      if (!plan.ok() || !plan->empty()) return outcome;
    } else {
      ATOLL_ASSIGN_OR_RETURN(iceberg::CreateTableOptions co,
                             NewStgTableOptions(settings_, *schema));
      ATOLL_ASSIGN_OR_RETURN(new_table, iceberg::Table::NewMetadata(*tables_.catalog, id_, co));
    }

    const int64_t started = Now();
    const std::string batch_id = NewBatchId(started);
    Progress("write", 0, batch.sources.size());
    const iceberg::TableMetadata& md = new_table ? *new_table : table_->metadata();
    Result<std::vector<iceberg::DataFile>> data =
        Write(TableSelect(*md.CurrentSchema(), present,
                          own_loaded_at ? WithOwnLoadedAtRenamed(StrCat("(", batch.query, ")"))
                                        : StrCat("(", batch.query, ")"),
                          started),
              batch_id, started, &md);
    if (!data.ok()) {
      if (IsStoreTrouble(data.status())) return data.status();
      return outcome;  // unreferenced files, if any, are left for orphan removal
    }
    // A file that changed while it was read may have been read half-written: commit none
    // of the batch; prepare leaves the changed files and offers the rest again.
    ATOLL_ASSIGN_OR_RETURN(outcome.changed, ChangedSources(store_, batch.sources));
    if (!outcome.changed.empty()) {
      (void)DeleteDataFiles(*data);
      return outcome;
    }
    if (new_table) {
      ATOLL_RETURN_NOT_OK(EnsureNamespace(*tables_.catalog, id_.ns));
      Status created =
          Created(iceberg::Table::CreateWithMetadata(tables_.catalog, tables_.io, id_, *new_table));
      if (!created.ok() || !report_.created) {  // failed, or another process created it
        (void)DeleteDataFiles(*data);
        ATOLL_RETURN_NOT_OK(created);
        return outcome;
      }
    }
    const int64_t rows_before = report_.rows;
    // Committed or not (another process's commit holds some of these sources, which it
    // deletes), the batch is dealt with: it must not also go the load/ way.
    ATOLL_RETURN_NOT_OK(CommitBatch(batch.sources, *data, batch_id, started).status());
    outcome.loaded = true;
    outcome.table = report_.table_name;
    outcome.rows = report_.rows - rows_before;
    return outcome;
  }

  // Commits `data` as the batch of `sources` (ledger entry first, validated against the
  // batches of other processes), then deletes the sources. False when another process's
  // batch holds some of the sources (our files are deleted, nothing committed).
  Result<bool> CommitBatch(const std::vector<SourceFile>& files,
                           const std::vector<iceberg::DataFile>& data, const std::string& batch_id,
                           int64_t started) {
    if (Status held = StillHeld(); !held.ok()) {
      (void)DeleteDataFiles(data);
      return held;
    }
    // The ledger entry, before the commit.
    LedgerEntry entry;
    entry.batch_id = batch_id;
    entry.table = report_.table_name;
    entry.created_ms = started;
    entry.sources = files;
    std::set<std::string> ours;
    uint64_t source_bytes = 0;
    for (const SourceFile& f : files) {
      ours.insert(SourceId(f.key, f.etag));
      source_bytes += f.size;
    }
    int64_t rows = 0;
    for (const iceberg::DataFile& d : data) {
      entry.data_files.push_back(d.file_path);
      rows += d.record_count;
    }
    ATOLL_RETURN_NOT_OK(ledger_.WritePending(entry));

    // The commit, validated against batches that other processes committed meanwhile.
    Progress("commit", 0, 1);
    const std::optional<int64_t> before = table_->metadata().current_snapshot_id;
    iceberg::Transaction tx = table_->NewTransaction();
    tx.Validate([this, &ours, batch_id](const iceberg::TableMetadata& base) -> Status {
      for (const iceberg::Snapshot& s : base.snapshots) {
        auto it = s.summary.find(std::string(kIngestBatchIdKey));
        if (it == s.summary.end()) continue;
        if (it->second == batch_id)
          return AlreadyExists("batch ", batch_id, " is already committed");
        if (view_.known.count(s.snapshot_id) && !view_.unsettled.count(it->second)) continue;
        ATOLL_ASSIGN_OR_RETURN(std::set<std::string> theirs, ledger_.Sources(it->second));
        for (const std::string& id : ours) {
          if (theirs.count(id)) {
            return AlreadyExists("source ", id.substr(0, id.find('\n')), " was loaded by batch ",
                                 it->second, " of another process");
          }
        }
      }
      return Status::OK();
    });
    tx.Append(data, {{std::string(kIngestBatchIdKey), batch_id},
                     {std::string(kIngestFilesKey), std::to_string(files.size())},
                     {std::string(kIngestSourceBytesKey), std::to_string(source_bytes)}});
    Status committed = tx.Commit();
    if (!committed.ok()) {
      if (committed.code() == StatusCode::kUnknownOutcome) {
        return committed.WithContext(StrCat("committing batch ", batch_id, " to ",
                                            report_.table_name,
                                            " (the next run finds out whether it landed)"));
      }
      (void)DeleteDataFiles(data);
      (void)ledger_.DropPending(entry);
      if (committed.code() == StatusCode::kAlreadyExists) {
        ATOLL_RETURN_NOT_OK(LoadTable());  // another process loaded some of these: list again
        return false;
      }
      return committed.WithContext(
          StrCat("committing batch ", batch_id, " to ", report_.table_name));
    }
    const int64_t snapshot_id = table_->metadata().current_snapshot_id.value_or(0);
    ATOLL_RETURN_NOT_OK(
        Record(before, trail::RecordKind::kIngestBatch, {{"ingest.batch", batch_id}}));

    // Durable: now the sources may go, those still the version read. One replaced since
    // is a new version (its etag is in no ledger entry): the next run loads it in full.
    Progress("cleanup", 0, files.size());
    ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<SourceFile> replaced, DeleteUnchanged(store_, files),
                               StrCat("deleting the sources of batch ", batch_id));
    for (SourceFile& r : replaced) report_.left.push_back(std::move(r));
    ATOLL_RETURN_NOT_OK(ledger_.Finish(entry, snapshot_id));

    report_.files_loaded += files.size();
    report_.rows += rows;
    report_.source_bytes += source_bytes;
    report_.data_files += data.size();
    report_.snapshot_ids.push_back(snapshot_id);
    if (options_.on_commit) options_.on_commit(report_.table_name, snapshot_id);
    return true;
  }

  // (public: AppendRows)
 public:
  // Rows from outside the landing zones (AppendRows, table_ingester.h): the table is
  // created or its schema evolved as for files (MergeSchemas' rules), the rows written and
  // appended in one snapshot carrying batch.summary, after batch.validate passed on the
  // base the commit lands on.
  Status AppendBatch(const RowBatch& batch) {
    ATOLL_RETURN_NOT_OK(LoadTable());
    DuckColumns columns = batch.columns;
    bool own_loaded_at = false;
    ATOLL_RETURN_NOT_OK(RenameOwnLoadedAt(&columns, &own_loaded_at));
    std::set<std::string> present;
    for (const auto& [name, type] : columns) present.insert(name);
    ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema, SchemaForColumns(columns));
    if (!table_) ATOLL_RETURN_NOT_OK(CreateTable(schema));
    const iceberg::Schema base = *table_->metadata().CurrentSchema();
    ATOLL_ASSIGN_OR_RETURN(SchemaMerge plan, PlanSchemaMerge(base, schema));
    ATOLL_ASSIGN_OR_RETURN(iceberg::Schema merged, ApplySchemaMerge(base, plan));
    ATOLL_RETURN_NOT_OK(EvolveSchema(base, merged));

    const int64_t started = Now();
    const std::string batch_id = NewBatchId(started);
    Progress("write", 0, 1);
    std::string from = StrCat("(", batch.query, ")");
    if (own_loaded_at) from = WithOwnLoadedAtRenamed(from);
    ATOLL_ASSIGN_OR_RETURN(
        std::vector<iceberg::DataFile> data,
        Write(TableSelect(*table_->metadata().CurrentSchema(), present, from, started), batch_id,
              started));
    Progress("commit", 0, 1);
    const std::optional<int64_t> before = table_->metadata().current_snapshot_id;
    iceberg::Transaction tx = table_->NewTransaction();
    if (batch.validate) tx.Validate(batch.validate);
    iceberg::SummaryProperties summary(batch.summary.begin(), batch.summary.end());
    summary[std::string(kIngestBatchIdKey)] = batch_id;
    tx.Append(data, std::move(summary));
    Status committed = tx.Commit();
    if (!committed.ok()) {
      // A commit that may have landed keeps its files (the caller finds out from the table).
      if (committed.code() != StatusCode::kUnknownOutcome) (void)DeleteDataFiles(data);
      return committed.WithContext(StrCat("committing to ", report_.table_name));
    }
    const int64_t snapshot_id = table_->metadata().current_snapshot_id.value_or(0);
    ATOLL_RETURN_NOT_OK(
        Record(before, trail::RecordKind::kIngestBatch, {{"ingest.batch", batch_id}}));
    int64_t rows = 0;
    for (const iceberg::DataFile& d : data) rows += d.record_count;
    report_.rows += rows;
    report_.data_files += data.size();
    report_.snapshot_ids.push_back(snapshot_id);
    if (options_.on_commit) options_.on_commit(report_.table_name, snapshot_id);
    return Status::OK();
  }

 private:
  // Records the commit that made the table's current metadata (after it is durable).
  Status Record(std::optional<int64_t> snapshot_before, trail::RecordKind kind,
                std::vector<std::pair<std::string, std::string>> fields = {}) {
    if (trail_ == nullptr) return Status::OK();
    ATOLL_ASSIGN_OR_RETURN(TableChange change,
                           DescribeCommit(*table_, snapshot_before, options_.command, kind));
    change.fields = std::move(fields);
    return RecordTableChange(*trail_, change)
        .status()
        .WithContext(StrCat("recording a change of ", report_.table_name, " in the trail"));
  }

  trail::Trail* trail_;
  const KeptLease* lease_;  // null when leases are off
  const Lake& lake_;
  storage::Store& store_;
  const Settings& settings_;
  const LakeTables& tables_;
  WorkSession& session_;
  engine::Engine& engine_;
  const IngestOptions& options_;
  TableIngestReport& report_;
  iceberg::TableIdentifier id_;
  std::string load_prefix_;
  IngestLedger ledger_;
  std::unique_ptr<iceberg::Table> table_;
  ListingView view_;  // taken before each listing of sources
  // load/ keys left for the next run because they changed while this run read them.
  std::set<std::string> left_;
};

}  // namespace

Status IngestTable(const Lake& lake, const LakeTables& tables, WorkSession& session,
                   const IngestOptions& options, trail::Trail* trail, const KeptLease* lease,
                   TableIngestReport* report) {
  TableIngester ingester(lake, tables, session, options, trail, lease, report);
  return ingester.Run();
}

Status AppendRows(const Lake& lake, const LakeTables& tables, WorkSession& session,
                  const IngestOptions& options, trail::Trail* trail, const std::string& zone,
                  const RowBatch& batch, TableIngestReport* report) {
  TableIngester ingester(lake, tables, session, options, trail, nullptr, report, zone);
  return ingester.AppendBatch(batch);
}

}  // namespace atl::lake
