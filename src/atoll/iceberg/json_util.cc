#include "atoll/iceberg/json_util.h"

#include <limits>

#include "atoll/common/json_box_impl.h"

namespace atl {
template class JsonBox<nlohmann::json>;
}  // namespace atl

namespace atl::iceberg {
JsonValue EmptyJsonArray() { return JsonValue(Json::array()); }
}  // namespace atl::iceberg

namespace atl::iceberg::json {

namespace {

std::string_view KindName(const Json& v) { return v.type_name(); }

Status WrongType(const Json& v, std::string_view key, std::string_view want, std::string_view ctx) {
  return InvalidArgument(ctx, ": field '", key, "' must be ", want, ", found ", KindName(v));
}

// Member `key` read by `read` (a required-member reader), or nullopt when absent or null.
template <typename T>
Result<std::optional<T>> Optional(const Json& obj, std::string_view key, std::string_view ctx,
                                  Result<T> (*read)(const Json&, std::string_view,
                                                    std::string_view)) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<T>();
  ATOLL_ASSIGN_OR_RETURN(T value, read(obj, key, ctx));
  return std::optional<T>(std::move(value));
}

}  // namespace

Result<Json> Parse(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return Corruption(what, ": not valid JSON: ", e.what());
  }
}

std::string Dump(const Json& value) { return value.dump(2); }

Result<const Json*> Member(const Json& obj, std::string_view key, std::string_view ctx) {
  if (!obj.is_object())
    return InvalidArgument(ctx, ": expected a JSON object, found ", KindName(obj));
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null())
    return InvalidArgument(ctx, ": missing required field '", key, "'");
  return &*it;
}

Result<int64_t> AsInt64(const Json& v, std::string_view ctx) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument(ctx, ": integer ", std::to_string(u), " does not fit in 64 bits");
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return InvalidArgument(ctx, ": expected an integer, found ", KindName(v));
}

Result<int32_t> AsInt32(const Json& v, std::string_view ctx) {
  ATOLL_ASSIGN_OR_RETURN(int64_t n, AsInt64(v, ctx));
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
    return InvalidArgument(ctx, ": integer ", n, " does not fit in 32 bits");
  }
  return static_cast<int32_t>(n);
}

Result<int64_t> Int64(const Json& obj, std::string_view key, std::string_view ctx) {
  ATOLL_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, ctx));
  if (!v->is_number_integer()) return WrongType(*v, key, "an integer", ctx);
  return AsInt64(*v, StrCat(ctx, ": field '", key, "'"));
}

Result<int32_t> Int32(const Json& obj, std::string_view key, std::string_view ctx) {
  ATOLL_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, ctx));
  if (!v->is_number_integer()) return WrongType(*v, key, "an integer", ctx);
  return AsInt32(*v, StrCat(ctx, ": field '", key, "'"));
}

Result<std::string> String(const Json& obj, std::string_view key, std::string_view ctx) {
  ATOLL_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, ctx));
  if (!v->is_string()) return WrongType(*v, key, "a string", ctx);
  return v->get<std::string>();
}

Result<bool> Bool(const Json& obj, std::string_view key, std::string_view ctx) {
  ATOLL_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, ctx));
  if (!v->is_boolean()) return WrongType(*v, key, "a boolean", ctx);
  return v->get<bool>();
}

Result<std::optional<int64_t>> OptInt64(const Json& obj, std::string_view key,
                                        std::string_view ctx) {
  return Optional(obj, key, ctx, Int64);
}

Result<std::optional<int32_t>> OptInt32(const Json& obj, std::string_view key,
                                        std::string_view ctx) {
  return Optional(obj, key, ctx, Int32);
}

Result<std::optional<std::string>> OptString(const Json& obj, std::string_view key,
                                             std::string_view ctx) {
  return Optional(obj, key, ctx, String);
}

Result<std::vector<int32_t>> Int32List(const Json& obj, std::string_view key,
                                       std::string_view ctx) {
  std::vector<int32_t> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return WrongType(*it, key, "a list of integers", ctx);
  for (const Json& v : *it) {
    ATOLL_ASSIGN_OR_RETURN(int32_t n, AsInt32(v, StrCat(ctx, ": field '", key, "'")));
    out.push_back(n);
  }
  return out;
}

Result<std::map<std::string, std::string>> StringMap(const Json& obj, std::string_view key,
                                                     std::string_view ctx) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return WrongType(*it, key, "an object of strings", ctx);
  for (auto kv = it->begin(); kv != it->end(); ++kv) {
    if (!kv.value().is_string()) {
      return InvalidArgument(ctx, ": value of '", kv.key(), "' in '", key,
                             "' must be a string, found ", KindName(kv.value()));
    }
    out[kv.key()] = kv.value().get<std::string>();
  }
  return out;
}

}  // namespace atl::iceberg::json
