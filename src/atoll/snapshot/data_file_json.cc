#include "atoll/snapshot/data_file_json.h"

#include "atoll/iceberg/literal.h"

namespace atl::snapshot {

namespace {

template <typename M>
Json CountsToJson(const M& m) {
  Json out = Json::object();
  for (const auto& [id, n] : m) out[std::to_string(id)] = n;
  return out;
}

template <typename M>
Json BoundsToJson(const M& m) {
  Json out = Json::object();
  for (const auto& [id, b] : m) out[std::to_string(id)] = iceberg::ToHex(b);
  return out;
}

}  // namespace

Result<Json> DataFileToJson(const iceberg::DataFile& f) {
  Json partition = Json::array();
  for (const iceberg::Literal& l : f.partition) {
    ATOLL_ASSIGN_OR_RETURN(Json v, iceberg::LiteralToJson(l));
    partition.push_back(std::move(v));
  }
  return Json{{"file_path", f.file_path},
              {"file_format", f.file_format},
              {"record_count", f.record_count},
              {"file_size_in_bytes", f.file_size_in_bytes},
              {"partition", partition},
              {"column_sizes", CountsToJson(f.column_sizes)},
              {"value_counts", CountsToJson(f.value_counts)},
              {"null_value_counts", CountsToJson(f.null_value_counts)},
              {"nan_value_counts", CountsToJson(f.nan_value_counts)},
              {"lower_bounds", BoundsToJson(f.lower_bounds)},
              {"upper_bounds", BoundsToJson(f.upper_bounds)},
              {"split_offsets", f.split_offsets}};
}

Result<iceberg::DataFile> DataFileFromJson(const Json& doc,
                                           const iceberg::TypePtr& partition_type) {
  iceberg::DataFile f;
  try {
    f.file_path = doc.at("file_path").get<std::string>();
    f.file_format = doc.at("file_format").get<std::string>();
    f.record_count = doc.at("record_count").get<int64_t>();
    f.file_size_in_bytes = doc.at("file_size_in_bytes").get<int64_t>();
    const Json& partition = doc.at("partition");
    const auto& fields = partition_type->fields();
    if (!partition.is_array() || partition.size() != fields.size()) {
      return Corruption("data file ", f.file_path, ": partition tuple has ", partition.size(),
                        " values, the spec ", fields.size());
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      ATOLL_ASSIGN_OR_RETURN(iceberg::Literal l,
                             iceberg::LiteralFromJson(fields[i].type, partition[i]));
      f.partition.push_back(std::move(l));
    }
    auto counts = [&doc](const char* key, auto* out) {
      for (auto it = doc.at(key).begin(); it != doc.at(key).end(); ++it)
        out->emplace(std::stoi(it.key()), it.value().get<int64_t>());
    };
    counts("column_sizes", &f.column_sizes);
    counts("value_counts", &f.value_counts);
    counts("null_value_counts", &f.null_value_counts);
    counts("nan_value_counts", &f.nan_value_counts);
    for (const char* key : {"lower_bounds", "upper_bounds"}) {
      auto& out = std::string_view(key) == "lower_bounds" ? f.lower_bounds : f.upper_bounds;
      for (auto it = doc.at(key).begin(); it != doc.at(key).end(); ++it) {
        ATOLL_ASSIGN_OR_RETURN(std::string bytes, iceberg::FromHex(it.value().get<std::string>()));
        out.emplace(std::stoi(it.key()), std::move(bytes));
      }
    }
    f.split_offsets = doc.at("split_offsets").get<std::vector<int64_t>>();
  } catch (const std::exception& e) {
    return Corruption("data file entry: ", e.what());
  }
  return f;
}

}  // namespace atl::snapshot
