// Small helpers for reading Iceberg JSON (table metadata, schemas, name mappings) with
// nlohmann::json and turning every shape error into a clear Status instead of an exception.
//
// Integers are read as int64 exactly (snapshot ids exceed 2^53); a number that does not
// fit the requested width is an error, never silently truncated.
//
// `ctx` names what is being read (e.g. "snapshot 3051729675574597004") and is put in front
// of error messages. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/json_fwd.h"

namespace atl::iceberg {

namespace json {

// Parses `text`; on a syntax error returns Corruption naming `what` and the position.
Result<Json> Parse(std::string_view text, std::string_view what);

// Pretty-prints with 2-space indent (deterministic: object keys are sorted).
std::string Dump(const Json& value);

// Required members: InvalidArgument when absent, null or of the wrong type.
Result<const Json*> Member(const Json& obj, std::string_view key, std::string_view ctx);
Result<int64_t> Int64(const Json& obj, std::string_view key, std::string_view ctx);
Result<int32_t> Int32(const Json& obj, std::string_view key, std::string_view ctx);
Result<std::string> String(const Json& obj, std::string_view key, std::string_view ctx);
Result<bool> Bool(const Json& obj, std::string_view key, std::string_view ctx);

// Optional members: nullopt when absent or JSON null; an error when of the wrong type.
Result<std::optional<int64_t>> OptInt64(const Json& obj, std::string_view key,
                                        std::string_view ctx);
Result<std::optional<int32_t>> OptInt32(const Json& obj, std::string_view key,
                                        std::string_view ctx);
Result<std::optional<std::string>> OptString(const Json& obj, std::string_view key,
                                             std::string_view ctx);

// A JSON value converted to an integer of the given width (error names `ctx`).
Result<int64_t> AsInt64(const Json& value, std::string_view ctx);
Result<int32_t> AsInt32(const Json& value, std::string_view ctx);

// An optional list of ints / string-to-string object (absent or null gives empty).
Result<std::vector<int32_t>> Int32List(const Json& obj, std::string_view key, std::string_view ctx);
Result<std::map<std::string, std::string>> StringMap(const Json& obj, std::string_view key,
                                                     std::string_view ctx);

}  // namespace json
}  // namespace atl::iceberg
