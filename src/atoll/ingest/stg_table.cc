#include "atoll/ingest/stg_table.h"

#include <utility>

#include "atoll/common/clock.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/commit.h"
#include "atoll/ingest/ingest.h"
#include "atoll/ingest/ingest_run.h"

namespace atl::lake {

std::string NewBatchId(int64_t now_ms) {
  std::string iso = IsoTimeMs(now_ms);  // 2026-12-04T20:00:00.123Z
  std::string compact;
  for (char c : iso) {
    if (c != '-' && c != ':' && c != '.') compact += c;
  }
  return StrCat(compact, "-", iceberg::RandomUuid().substr(0, 8));
}

Result<std::vector<iceberg::UnboundPartitionField>> PartitionFields(
    const std::vector<std::string>& spec_texts, const iceberg::Schema& schema) {
  std::vector<iceberg::UnboundPartitionField> out;
  for (const std::string& text : spec_texts) {
    std::string transform = "identity";
    std::string column = text;
    size_t open = text.find('(');
    if (open != std::string::npos && text.back() == ')') {
      std::string name = text.substr(0, open);
      std::string args = text.substr(open + 1, text.size() - open - 2);
      size_t comma = args.find(',');
      if (comma != std::string::npos) {
        std::string n = args.substr(0, comma);
        column = args.substr(comma + 1);
        while (!column.empty() && column.front() == ' ') column.erase(column.begin());
        while (!n.empty() && n.back() == ' ') n.pop_back();
        transform = StrCat(name, "[", n, "]");
      } else {
        column = args;
        transform = name;
      }
    }
    while (!column.empty() && column.back() == ' ') column.pop_back();
    const iceberg::NestedField* field = schema.FindFieldByName(column);
    if (field == nullptr) continue;
    ATOLL_ASSIGN_OR_RETURN_CTX(iceberg::Transform t, iceberg::Transform::Parse(transform),
                               StrCat("partition field '", text, "'"));
    std::string suffix;
    if (transform != "identity") {
      std::string base = transform.substr(0, transform.find('['));
      suffix = "_" + (base == "truncate" ? std::string("trunc") : base);
    }
    out.push_back({{field->id}, column + suffix, t});
  }
  return out;
}

Result<iceberg::CreateTableOptions> NewStgTableOptions(const Settings& settings,
                                                       const iceberg::Schema& first) {
  std::vector<iceberg::NestedField> fields = first.fields();
  iceberg::NestedField loaded_at;
  loaded_at.id = first.HighestFieldId() + 1;
  loaded_at.name = std::string(kLoadedAtColumn);
  loaded_at.type = iceberg::Type::TimestampTz();
  fields.push_back(loaded_at);
  ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema, iceberg::Schema::Make(0, std::move(fields)));
  iceberg::CreateTableOptions co;
  co.schema = schema;
  ATOLL_ASSIGN_OR_RETURN(co.partition, PartitionFields(settings.partition_by, schema));
  co.properties = {{"write.format.default", "parquet"},
                   {"write.parquet.compression-codec", "zstd"},
                   {"atoll.zone", settings.zones.stg}};
  return co;
}

Status RenameOwnLoadedAt(DuckColumns* columns, bool* renamed) {
  *renamed = false;
  bool taken = false;
  for (auto& [name, type] : *columns) {
    if (name == kLoadedAtColumn) {
      name = std::string(kOwnLoadedAtColumn);
      *renamed = true;
    } else if (name == kOwnLoadedAtColumn) {
      taken = true;
    }
  }
  if (*renamed && taken) {
    return InvalidArgument("the file has columns ", kLoadedAtColumn, " and ", kOwnLoadedAtColumn,
                           ": ", kLoadedAtColumn,
                           " is the load time ingest adds, and a file's own ", kLoadedAtColumn,
                           " is kept as ", kOwnLoadedAtColumn, "; rename one of these columns");
  }
  return Status::OK();
}

std::string WithOwnLoadedAtRenamed(const std::string& from) {
  return StrCat("(SELECT * EXCLUDE (", engine::QuoteIdentifier(kLoadedAtColumn), "), ",
                engine::QuoteIdentifier(kLoadedAtColumn), " AS ",
                engine::QuoteIdentifier(kOwnLoadedAtColumn), " FROM ", from, ")");
}

std::string TableSelect(const iceberg::Schema& schema, const std::set<std::string>& present,
                        const std::string& from, int64_t loaded_at_ms) {
  std::string select;
  for (const iceberg::NestedField& field : schema.fields()) {
    if (!select.empty()) select += ", ";
    if (field.name == kLoadedAtColumn) {
      select += StrCat(engine::QuoteString(IsoTimeMs(loaded_at_ms)), "::TIMESTAMPTZ AS ",
                       engine::QuoteIdentifier(field.name));
    } else if (present.count(field.name)) {
      select += engine::QuoteIdentifier(field.name);
    } else {
      select += StrCat("NULL AS ", engine::QuoteIdentifier(field.name));
    }
  }
  return StrCat("SELECT ", select, " FROM ", from);
}

Result<std::optional<std::vector<iceberg::Literal>>> ConstantPartition(
    const iceberg::Schema& schema, const iceberg::PartitionSpec& spec, int64_t loaded_at_ms) {
  const iceberg::NestedField* loaded_at = schema.FindFieldByName(kLoadedAtColumn);
  std::vector<iceberg::Literal> tuple;
  for (const iceberg::PartitionField& pf : spec.fields) {
    if (loaded_at == nullptr || pf.source_ids.size() != 1 || pf.source_id() != loaded_at->id) {
      return std::optional<std::vector<iceberg::Literal>>();
    }
    ATOLL_ASSIGN_OR_RETURN(iceberg::Literal value,
                           pf.transform.Apply(iceberg::Literal::TimestampTz(loaded_at_ms * 1000)));
    tuple.push_back(std::move(value));
  }
  return std::optional<std::vector<iceberg::Literal>>(std::move(tuple));
}

}  // namespace atl::lake
