#include "atoll/ingest/prepare.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "atoll/common/local_fs.h"
#include "atoll/engine/engine.h"
#include "atoll/engine/memory_limit.h"
#include "atoll/ingest/field_ids.h"
#include "atoll/ingest/input_file.h"
#include "atoll/ingest/json_guard.h"
#include "atoll/ingest/lineage.h"
#include "atoll/ingest/reader_sql.h"
#include "atoll/ingest/rejects.h"
#include "atoll/ingest/source_check.h"
#include "atoll/lake/work_session.h"
#include "atoll/storage/local_store.h"
#include "atoll/table/avro_table.h"
#include "atoll/table/orc_table.h"

namespace atl::lake {

// sql-names: SampleSize, parts, field_ids
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace {

namespace fs = std::filesystem;
using engine::QuoteIdentifier;
using engine::QuoteString;

struct Input {
  SourceFile source;
  std::string name;  // relative to the table's folder
  DetectedFormat detected;
  FileFormat format = FileFormat::kUnknown;
  std::string local_path;
  bool local_is_source = false;  // local_path is the source itself (LocalStore): keep it
  std::string loaded_table;      // for Avro and ORC: the DuckDB table holding its rows
  std::string select_sql;        // SELECT producing its rows
};

struct LocalOutput {
  std::string path;
  int64_t rows = 0;
  uint64_t size = 0;
};

// Errors that say something about the file's content (reject it) rather than about the
// store or the machine (stop and report).
bool IsDataError(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruption:
    case StatusCode::kNotSupported:
    case StatusCode::kIOError:
      return true;
    default:
      return false;
  }
}

// Errors that make a file fail on its own, every run: its content (IsDataError), or the
// memory it needs beyond the lake's limit (DuckDB's kUnavailable, which a store's
// transient kUnavailable is not: engine::IsMemoryLimitError).
bool IsFileFault(const Status& st) { return IsDataError(st) || engine::IsMemoryLimitError(st); }

class TablePreparer {
 public:
  TablePreparer(const Lake& lake, std::string db, std::string table, const PrepareOptions& options,
                engine::Engine& engine, std::string work_dir)
      : store_(lake.store()),
        settings_(lake.settings()),
        options_(options),
        engine_(engine),
        work_dir_(std::move(work_dir)),
        table_options_(settings_.OptionsFor(db, table)),
        reader_sql_(table_options_, settings_.prepare.max_line_bytes) {
    report_.db = std::move(db);
    report_.table = std::move(table);
    prefix_ = Lake::TablePrefix(settings_.zones.prepare, report_.db, report_.table);
  }

  Result<TablePrepareReport> Run() {
    ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects,
                               storage::ListAll(store_, prefix_), StrCat("listing ", prefix_));
    std::vector<Input> inputs;
    const int64_t settled_before = Now() - settings_.prepare.min_age_ms;
    for (storage::ObjectInfo& o : objects) {
      Input in;
      in.name = o.key.substr(prefix_.size());
      if (IsHiddenPath(in.name)) continue;
      in.source = {o.key, o.size, o.etag};
      if (options_.skip && options_.skip(in.source)) continue;
      if (settings_.prepare.min_age_ms > 0 && o.mtime_ms > settled_before) {
        report_.left.push_back(in.source);  // may still be being written
        continue;
      }
      inputs.push_back(std::move(in));
    }
    std::sort(inputs.begin(), inputs.end(),
              [](const Input& a, const Input& b) { return a.source.key < b.source.key; });
    // Batches in key order.
    const uint64_t max_bytes =
        options_.batch_bytes > 0 ? options_.batch_bytes : settings_.prepare.batch_target_bytes;
    const size_t max_files = static_cast<size_t>(
        options_.batch_files > 0 ? options_.batch_files : settings_.prepare.max_files_per_batch);
    size_t i = 0;
    while (i < inputs.size()) {
      std::vector<Input*> batch;
      uint64_t bytes = 0;
      while (i < inputs.size() && batch.size() < max_files &&
             (batch.empty() || bytes + inputs[i].source.size <= max_bytes)) {
        bytes += inputs[i].source.size;
        batch.push_back(&inputs[i++]);
      }
      Status st = RunBatch(batch);
      CleanUp(batch);
      ATOLL_RETURN_NOT_OK(st);
    }
    return std::move(report_);
  }

 private:
  Status RunBatch(const std::vector<Input*>& batch) {
    full_sample_ = false;
    std::vector<Input*> staged;
    for (Input* in : batch) {
      ATOLL_ASSIGN_OR_RETURN(bool ok, Stage(*in));
      if (ok) staged.push_back(in);
    }
    // Files that changed while they were read are dropped and the rest converted again
    // (each round drops one file at least).
    while (!staged.empty()) {
      ATOLL_ASSIGN_OR_RETURN(bool settled, Convert(&staged));
      if (settled) break;
    }
    full_sample_ = false;
    return Status::OK();
  }

  // Converts the staged files, straight into the table or through load/. False when
  // some changed while they were read: they were dropped from `staged` (left for a later
  // run) and nothing was published.
  Result<bool> Convert(std::vector<Input*>* staged) {
    full_sample_ = false;
    ATOLL_ASSIGN_OR_RETURN(Offer offer, OfferDirect(staged));
    if (offer != Offer::kDeclined) return offer == Offer::kLoaded;
    Result<LocalOutput> out = WriteParquet(*staged);
    if (out.ok()) return Publish(staged, *out);
    if (!IsFileFault(out.status())) return out.status();
    // Types are detected from a sample of the rows; a later value that does not fit fails
    // the conversion. Detect from every row, then (still failing) find the bad files. A
    // batch over the memory limit goes straight to its files one by one.
    const bool over_memory = engine::IsMemoryLimitError(out.status());
    if (!over_memory) {
      full_sample_ = true;
      out = WriteParquet(*staged);
      if (out.ok()) return Publish(staged, *out);
      if (!IsFileFault(out.status())) return out.status();
    }
    if (staged->size() == 1 && !over_memory) {
      ATOLL_RETURN_NOT_OK(Reject(*staged->front(), "convert", RejectReason(out.status())));
      return true;
    }
    // One bad file spoils the batch: convert the files one by one.
    for (Input* in : *staged) {
      std::vector<Input*> one = {in};
      Result<LocalOutput> converted = WriteParquet(one);
      if (!converted.ok() && IsDataError(converted.status()) && !full_sample_) {
        // Over the memory limit, the batch was not read again with every row sampled
        // (which takes more memory): each file is, when its sample fails it.
        full_sample_ = true;
        converted = WriteParquet(one);
        full_sample_ = false;
      }
      if (converted.ok()) {
        ATOLL_RETURN_NOT_OK(Publish(&one, *converted).status());  // false: left, as it should
      } else if (IsFileFault(converted.status())) {
        ATOLL_RETURN_NOT_OK(Reject(*in, "convert", RejectReason(converted.status())));
      } else {
        return converted.status();
      }
    }
    return true;
  }

  // Drops from `inputs` the files whose version changed since they were listed (they may
  // have been read half-written), leaving them for a later run. True when none changed.
  Result<bool> DropChanged(std::vector<Input*>* inputs, std::vector<SourceFile> changed) {
    if (changed.empty()) return true;
    std::set<std::string> keys;
    for (SourceFile& c : changed) {
      keys.insert(c.key);
      report_.left.push_back(std::move(c));
    }
    std::erase_if(*inputs, [&](const Input* in) { return keys.count(in->source.key) > 0; });
    return false;
  }

  Result<bool> DropChanged(std::vector<Input*>* inputs) {
    std::vector<SourceFile> sources;
    for (const Input* in : *inputs) sources.push_back(in->source);
    ATOLL_ASSIGN_OR_RETURN(std::vector<SourceFile> changed, ChangedSources(store_, sources));
    return DropChanged(inputs, std::move(changed));
  }

  // A CSV the sniffer read as one column, or without a header (column0, column1, ...):
  // rows with extra or missing fields make it do that, and would stay in the table as
  // junk columns (CheckRaggedCsv). Files with a declared schema or delimiter are read as
  // told.
  Status CheckColumns(const Input& in) {
    const bool tsv = in.format == FileFormat::kTsv;
    if ((in.format != FileFormat::kCsv && !tsv) || !table_options_.columns.empty() ||
        table_options_.delimiter || table_options_.header) {
      return Status::OK();
    }
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult described,
                           engine_.Query(StrCat("DESCRIBE ", in.select_sql)));
    bool generated = true;  // DuckDB's names for a file without header
    for (size_t i = 0; i < described.rows.size() && generated; ++i) {
      const auto& name = described.rows[i].empty() ? std::nullopt : described.rows[i][0];
      generated = name && *name == StrCat("column", i);
    }
    if (described.rows.size() != 1 && !generated) return Status::OK();
    return CheckRaggedCsv(in.local_path, tsv ? "\t" : ",;|\t", described.rows.size());
  }

  enum class Offer { kDeclined, kLoaded, kChanged };

  // Offers a batch of CSV/TSV files to options_.direct. kChanged: some files changed
  // while the sink read them; they were dropped from `inputs`, nothing was loaded.
  Result<Offer> OfferDirect(std::vector<Input*>* inputs) {
    if (!options_.direct) return Offer::kDeclined;
    for (const Input* in : *inputs) {
      if (in->format != FileFormat::kCsv && in->format != FileFormat::kTsv) return Offer::kDeclined;
    }
    DirectBatch batch;
    batch.query = BatchQuery(*inputs);
    Result<engine::QueryResult> described = engine_.Query(StrCat("DESCRIBE ", batch.query));
    if (!described.ok()) return Offer::kDeclined;  // the load/ way reports it
    for (const engine::Row& row : described->rows) {
      if (row.size() < 2 || !row[0] || !row[1]) return Offer::kDeclined;
      batch.columns.emplace_back(*row[0], *row[1]);
    }
    for (const Input* in : *inputs) batch.sources.push_back(in->source);
    ATOLL_ASSIGN_OR_RETURN(DirectOutcome outcome, options_.direct(batch));
    if (!outcome.changed.empty()) {
      (void)DropChanged(inputs, std::move(outcome.changed));
      return Offer::kChanged;
    }
    if (!outcome.loaded) return Offer::kDeclined;
    PreparedFile prepared;
    prepared.loaded_into = std::move(outcome.table);
    prepared.rows = outcome.rows;
    prepared.sources = std::move(batch.sources);
    report_.prepared.push_back(std::move(prepared));
    return Offer::kLoaded;
  }

  int64_t Now() const { return options_.now_ms ? options_.now_ms() : SystemNowMs(); }

  // The reason a file rejected for `st` (IsFileFault) gets.
  std::string RejectReason(const Status& st) const {
    if (engine::IsMemoryLimitError(st))
      return MemoryLimitReason(settings_.prepare.memory_limit, st);
    return st.message();
  }

  // Rows the CSV/JSON sniffers read to detect types: a sample first (fast: files are
  // read once more, not twice), every row after a conversion failed (full_sample_).
  int64_t SampleSize() const { return full_sample_ ? -1 : kSampleRows; }
  static constexpr int64_t kSampleRows = 100000;

  // Fetches, decompresses and opens one input. False when it was rejected or vanished.
  Result<bool> Stage(Input& in) {
    const std::string id = std::to_string(next_id_++);
    in.detected = DetectFromName(in.source.key);
    if (in.source.size == 0) {
      ATOLL_RETURN_NOT_OK(Reject(in, "read", "empty file (0 bytes)"));
      return false;
    }
    if (in.detected.compression == Compression::kNone &&
        in.detected.format == FileFormat::kUnknown) {
      Result<std::string> head = store_.Get(in.source.key, storage::ByteRange::Slice(0, 8));
      if (!head.ok() && head.status().code() == StatusCode::kNotFound) return false;
      if (!head.ok()) return head.status().WithContext(StrCat("reading ", in.source.key));
      in.detected.compression = SniffCompression(*head);
    }
    const bool compressed = in.detected.compression != Compression::kNone;
    if (!compressed && in.source.size > settings_.prepare.max_decompressed_bytes) {
      ATOLL_RETURN_NOT_OK(Reject(in, "fetch",
                                 StrCat("file of ", in.source.size, " bytes exceeds the limit of ",
                                        settings_.prepare.max_decompressed_bytes,
                                        " bytes (prepare.max_decompressed_bytes)")));
      return false;
    }
    if (!compressed && ReadInPlace(in)) {
      in.format = in.detected.format;
      if (table_options_.format) in.format = FileFormatFromName(*table_options_.format);
      if (in.format == FileFormat::kUnknown) {
        Result<std::string> head = ReadLocalHead(in.local_path, 4096);
        if (!head.ok()) return false;  // deleted meanwhile
        in.format = SniffFormat(*head);
      }
      return Open(in, id);
    }
    in.local_path = StrCat(work_dir_, "/in-", id);
    Result<uint64_t> fetched =
        FetchToLocal(store_, in.source.key, in.detected.compression, in.local_path,
                     settings_.prepare.max_decompressed_bytes);
    if (!fetched.ok()) {
      if (fetched.status().code() == StatusCode::kNotFound) return false;  // deleted meanwhile
      if (fetched.status().code() == StatusCode::kInvalidArgument) {
        ATOLL_RETURN_NOT_OK(Reject(in, "decompress", fetched.status().message()));
        return false;
      }
      return fetched.status().WithContext(StrCat("fetching ", in.source.key));
    }
    in.format = in.detected.format;
    if (table_options_.format) in.format = FileFormatFromName(*table_options_.format);
    if (in.format == FileFormat::kUnknown) {
      ATOLL_ASSIGN_OR_RETURN(std::string head, ReadLocalHead(in.local_path, 4096));
      in.format = SniffFormat(head);
    }
    return Open(in, id);
  }

  // Points `in.local_path` at the source file itself when the store is a local directory
  // and DuckDB can take the path literally (no glob characters). False otherwise.
  bool ReadInPlace(Input& in) const {
    const auto* local = dynamic_cast<const storage::LocalStore*>(&store_);
    if (local == nullptr) return false;
    std::string path = StrCat(local->root(), "/", in.source.key);
    if (path.find_first_of("*?[]{}") != std::string::npos) return false;
    in.local_path = std::move(path);
    in.local_is_source = true;
    return true;
  }

  // Checks `in`'s content (CheckInputContent: what would crash DuckDB or load as junk),
  // then builds its SELECT; rejects it when either fails. False when rejected or gone.
  Result<bool> Open(Input& in, const std::string& id) {
    JsonLimits json;
    json.max_depth = settings_.prepare.max_json_depth;
    json.max_document_bytes = settings_.prepare.max_line_bytes;
    Status guard = CheckInputContent(in.local_path, in.format, json);
    if (guard.code() == StatusCode::kNotFound) return false;  // deleted meanwhile
    if (guard.code() == StatusCode::kInvalidArgument) {
      ATOLL_RETURN_NOT_OK(Reject(in, "read", guard.message()));
      return false;
    }
    ATOLL_RETURN_NOT_OK(guard);
    Status st = BuildSelect(in, id);
    if (st.ok()) st = CheckColumns(in);
    if (!st.ok()) {
      if (!IsFileFault(st)) return st;
      ATOLL_RETURN_NOT_OK(Reject(in, "read", RejectReason(st)));
      return false;
    }
    return true;
  }

  // The table function reading local `paths` (all of format `format`) with the table's
  // options; several paths are combined by column name.
  std::string TableReaderSql(FileFormat format, const std::vector<std::string>& paths) const {
    if (paths.size() == 1 && !full_sample_) {
      auto sniffed = sniffed_csv_.find(paths[0]);
      if (sniffed != sniffed_csv_.end()) return sniffed->second;
    }
    return reader_sql_.Reader(format, paths, SampleSize());
  }

  Status BuildSelect(Input& in, const std::string& id) {
    std::string from;
    switch (in.format) {
      case FileFormat::kCsv:
      case FileFormat::kTsv:
      case FileFormat::kJson:
      case FileFormat::kNdjson:
      case FileFormat::kParquet:
        from = TableReaderSql(in.format, {in.local_path});
        break;
      case FileFormat::kAvro: {
        in.loaded_table = StrCat("atoll_avro_", id);
        table::AvroTableOptions ao;
        ao.max_block_bytes =
            std::min<uint64_t>(ao.max_block_bytes, settings_.prepare.max_decompressed_bytes);
        ATOLL_RETURN_NOT_OK(
            table::LoadAvroFile(engine_, in.local_path, in.name, in.loaded_table, ao).status());
        from = QuoteIdentifier(in.loaded_table);
        break;
      }
      case FileFormat::kOrc: {
        // Read stripe by stripe with atoll's ORC reader into a table, like Avro.
        in.loaded_table = StrCat("atoll_orc_", id);
        orc::ReaderOptions ro;
        ro.default_timezone = options_.orc_default_timezone;
        ro.max_decompressed_stripe_bytes = std::min<uint64_t>(
            ro.max_decompressed_stripe_bytes, settings_.prepare.max_decompressed_bytes);
        ATOLL_RETURN_NOT_OK(
            table::LoadOrcFile(engine_, in.local_path, in.name, in.loaded_table, ro).status());
        from = QuoteIdentifier(in.loaded_table);
        break;
      }
      case FileFormat::kUnknown:
        return NotSupported("unknown file format");
    }
    const bool csv = in.format == FileFormat::kCsv || in.format == FileFormat::kTsv;
    if (csv && !full_sample_ && table_options_.columns.empty()) {
      // Sniff once (see SniffedCsvReader). A file whose sniffed options do not bind keeps
      // the auto-detecting form (and fails below with DuckDB's message).
      Result<std::string> sniffed =
          reader_sql_.SniffedCsvReader(engine_, in.format, in.local_path, SampleSize());
      if (sniffed.ok()) {
        in.select_sql = reader_sql_.Select(in.format, *sniffed);
        if (engine_.Query(StrCat("DESCRIBE ", in.select_sql)).ok()) {
          sniffed_csv_[in.local_path] = *sniffed;
          return Status::OK();
        }
      }
    }
    in.select_sql = reader_sql_.Select(in.format, from);
    // Bind now, so that files DuckDB cannot even open or sniff are rejected individually.
    Result<engine::QueryResult> described = engine_.Query(StrCat("DESCRIBE ", in.select_sql));
    if (!described.ok()) return described.status();
    if (described->rows.empty()) return InvalidArgument("the file has no columns");
    return Status::OK();
  }

  // One query for the rows of `inputs`: files of one reader are read by one call (so that
  // JSON schemas are detected across the files), the groups combined by column name.
  std::string BatchQuery(const std::vector<Input*>& inputs) const {
    if (inputs.size() == 1 && !inputs[0]->loaded_table.empty()) return inputs[0]->select_sql;
    std::vector<std::pair<FileFormat, std::vector<std::string>>> groups;
    std::vector<std::string> parts;
    for (const Input* in : inputs) {
      FileFormat key = in->format == FileFormat::kNdjson ? FileFormat::kJson : in->format;
      if (!in->loaded_table.empty()) continue;  // Avro, ORC: read from their tables below
      auto it =
          std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
      if (it == groups.end()) {
        groups.push_back({key, {}});
        it = groups.end() - 1;
      }
      it->second.push_back(in->local_path);
    }
    for (const auto& [format, paths] : groups)
      parts.push_back(reader_sql_.Select(format, TableReaderSql(format, paths)));
    for (const Input* in : inputs) {
      if (!in->loaded_table.empty()) parts.push_back(in->select_sql);
    }
    std::string query;
    for (size_t i = 0; i < parts.size(); ++i)
      query += StrCat(i ? " UNION ALL BY NAME " : "", "(", parts[i], ")");
    return query;
  }

  Result<LocalOutput> WriteParquet(const std::vector<Input*>& inputs) {
    const std::string query = BatchQuery(inputs);
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult described,
                           engine_.Query(StrCat("DESCRIBE ", query)));
    std::vector<std::pair<std::string, std::string>> columns;
    for (const engine::Row& row : described.rows) {
      if (row.size() < 2 || !row[0] || !row[1]) return Internal("unexpected DESCRIBE result");
      columns.emplace_back(*row[0], *row[1]);
    }
    ATOLL_ASSIGN_OR_RETURN(std::string field_ids, FieldIdsOption(columns, nullptr));
    std::vector<SourceFile> sources;
    for (const Input* in : inputs) sources.push_back(in->source);
    LocalOutput out;
    out.path = StrCat(work_dir_, "/out-", next_id_++, ".parquet");
    ATOLL_ASSIGN_OR_RETURN(
        engine::QueryResult copied,
        engine_.Query(StrCat("COPY (", query, ") TO ", QuoteString(out.path),
                             " (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, FIELD_IDS ",
                             field_ids, ", KV_METADATA {", QuoteString(kLineageMetadataKey), ": ",
                             QuoteString(LineageJson(sources)), "})")));
    if (!copied.rows.empty() && !copied.rows[0].empty() && copied.rows[0][0]) {
      out.rows = std::stoll(*copied.rows[0][0]);
    }
    ATOLL_ASSIGN_OR_RETURN(out.size, LocalFileSize(out.path));
    return out;
  }

  // Uploads the output, then deletes its sources (those still the version read). False,
  // with nothing uploaded, when some sources changed while they were read: they were
  // dropped from `inputs`.
  Result<bool> Publish(std::vector<Input*>* inputs, const LocalOutput& out) {
    ATOLL_ASSIGN_OR_RETURN(bool unchanged, DropChanged(inputs));
    if (!unchanged) return false;
    PreparedFile prepared;
    for (const Input* in : *inputs) prepared.sources.push_back(in->source);
    prepared.output_key = StrCat(Lake::TablePrefix(settings_.zones.load, report_.db, report_.table),
                                 "prepared-", BatchHash(prepared.sources), ".parquet");
    ATOLL_ASSIGN_OR_RETURN(storage::Body body, storage::Body::FromFile(out.path));
    storage::PutOptions put;
    put.content_type = "application/vnd.apache.parquet";
    ATOLL_RETURN_NOT_OK_CTX(store_.Put(prepared.output_key, body, put).status(),
                            StrCat("writing ", prepared.output_key));
    // A source replaced since the check above stays: the lineage names the version read,
    // so the next run converts the new one in full.
    ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<SourceFile> replaced,
                               DeleteUnchanged(store_, prepared.sources),
                               StrCat("deleting the sources of ", prepared.output_key));
    for (SourceFile& r : replaced) report_.left.push_back(std::move(r));
    prepared.output_size = out.size;
    prepared.rows = out.rows;
    report_.prepared.push_back(std::move(prepared));
    return true;
  }

  // Moves `in` to the rejected zone with its reason, unless it changed since it was listed
  // (it may have been read half-written: it is left for a later run instead).
  Status Reject(const Input& in, std::string stage, std::string reason) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<SourceFile> changed, ChangedSources(store_, {in.source}));
    if (!changed.empty()) {
      report_.left.push_back(in.source);
      return Status::OK();
    }
    RejectRequest request;
    request.source = {in.source.key, in.source.size, in.source.etag, 0};
    request.rejected_key = StrCat(settings_.zones.rejected, "/", settings_.zones.prepare, "/",
                                  report_.db, "/", report_.table, "/", in.name);
    request.stage = stage;
    request.reason = reason;
    request.time_ms = Now();
    ATOLL_ASSIGN_OR_RETURN(bool moved, MoveToRejected(store_, request));
    if (!moved) return Status::OK();  // deleted or changed meanwhile
    RejectedFile r;
    r.source = in.source;
    r.stage = std::move(stage);
    r.reason = std::move(reason);
    r.rejected_key = request.rejected_key;
    report_.rejected.push_back(std::move(r));
    return Status::OK();
  }

  void CleanUp(const std::vector<Input*>& batch) {
    for (Input* in : batch) {
      if (!in->loaded_table.empty()) {
        (void)engine_.Execute(StrCat("DROP TABLE IF EXISTS ", QuoteIdentifier(in->loaded_table)));
      }
      if (!in->local_path.empty() && !in->local_is_source) {
        std::error_code ec;
        fs::remove(in->local_path, ec);
      }
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(work_dir_, ec)) {
      if (entry.path().filename().string().starts_with("out-")) fs::remove(entry.path(), ec);
    }
  }

  storage::Store& store_;
  const Settings& settings_;
  const PrepareOptions& options_;
  engine::Engine& engine_;
  std::string work_dir_;
  std::string prefix_;
  TableOptions table_options_;
  ReaderSql reader_sql_;  // reads files with table_options_
  TablePrepareReport report_;
  int next_id_ = 0;
  bool full_sample_ = false;
  // Local CSV path -> read_csv(...) with the options its sniff found (used unless full_sample_).
  std::map<std::string, std::string> sniffed_csv_;
};

}  // namespace

size_t PrepareReport::files_prepared() const {
  size_t n = 0;
  for (const auto& t : tables) {
    for (const auto& p : t.prepared) n += p.sources.size();
  }
  return n;
}

size_t PrepareReport::files_rejected() const {
  size_t n = 0;
  for (const auto& t : tables) n += t.rejected.size();
  return n;
}

bool PrepareReport::ok() const {
  for (const auto& t : tables) {
    if (!t.error.empty()) return false;
  }
  return true;
}

namespace {

// `options` whose skip also leaves alone the files whose names cannot be taken.
PrepareOptions UsableFilesOnly(const PrepareOptions& options) {
  PrepareOptions out = options;
  out.skip = [skip = options.skip](const SourceFile& s) {
    return !CheckSourceKey(s.key).reason.empty() || (skip && skip(s));
  };
  return out;
}

// Trouble with the store (or the local disk) rather than with one table: stops Prepare.
bool StopsTheRun(const Status& st) {
  switch (st.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kUnknownOutcome:
    case StatusCode::kPermissionDenied:
    case StatusCode::kIOError:
    case StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<TablePrepareReport> PrepareTable(const Lake& lake, const std::string& db,
                                        const std::string& table, const PrepareOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<WorkSession> session,
                         WorkSession::Open(lake, options.work_dir, options.threads, "prepare"));
  const PrepareOptions usable = UsableFilesOnly(options);
  return TablePreparer(lake, db, table, usable, session->engine(), session->dir()).Run();
}

Result<PrepareReport> Prepare(const Lake& lake, const PrepareOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<TableFolder> folders,
                         ScanTableFolders(lake.store(), lake.settings().zones.prepare));
  ATOLL_RETURN_NOT_OK(KeepTableFolders(lake.store(), lake.settings().zones.prepare, folders));
  PrepareReport report;
  if (folders.empty()) return report;
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<WorkSession> session,
                         WorkSession::Open(lake, options.work_dir, options.threads, "prepare"));
  const PrepareOptions usable = UsableFilesOnly(options);
  for (const TableFolder& folder : folders) {
    const std::string name = StrCat(folder.db, ".", folder.table);
    if (!options.tables.empty() &&
        std::find(options.tables.begin(), options.tables.end(), name) == options.tables.end()) {
      continue;
    }
    TablePrepareReport r;
    Result<std::vector<storage::ObjectInfo>> set_aside = SetAsideUnusable(
        lake, folder, options.now_ms ? options.now_ms() : SystemNowMs(), &r.rejected, &r.skipped);
    Status failed = set_aside.status();
    if (set_aside.ok() && folder.problem.empty()) {
      Result<TablePrepareReport> ran =
          TablePreparer(lake, folder.db, folder.table, usable, session->engine(), session->dir())
              .Run();
      if (ran.ok()) {
        ran->rejected.insert(ran->rejected.begin(), r.rejected.begin(), r.rejected.end());
        ran->skipped = std::move(r.skipped);
        r = std::move(ran).value();
      }
      failed = ran.status();
    }
    if (!failed.ok()) {
      failed = failed.WithContext(StrCat("preparing ", name));
      if (StopsTheRun(failed)) return failed;
      r.error = failed.message();
    }
    r.db = folder.db;
    r.table = folder.table;
    if (!r.prepared.empty() || !r.rejected.empty() || !r.skipped.empty() || !r.error.empty()) {
      report.tables.push_back(std::move(r));
    }
  }
  return report;
}

}  // namespace atl::lake
