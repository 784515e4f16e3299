// Parsing Avro schema JSON into a Schema (see schema.h for the contract).
#include "atoll/formats/avro/schema.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace atl::avro {
namespace {

constexpr int kMaxSchemaDepth = 200;

const std::map<std::string_view, Type, std::less<>>& Primitives() {
  static const std::map<std::string_view, Type, std::less<>> kPrimitives = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
      {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
      {"bytes", Type::kBytes}, {"string", Type::kString},
  };
  return kPrimitives;
}

// The specification's name rule ([A-Za-z_][A-Za-z0-9_]*), kept for enum symbols, which
// fastavro checks too.
bool IsValidSymbol(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

// Names of named types, their namespaces and field names are taken as written, as Java's
// container-file reader (its schema parser runs without name validation) and fastavro (which
// never checks names) take them: Java's reflect API writes "Outer$Inner" and namespaces such
// as "com.example.Outer$", fastavro writes whatever name it is given. Only an empty name,
// which nothing could refer to, is refused.
bool IsUsableName(std::string_view s) { return !s.empty(); }

// Largest decimal precision a fixed of `size` bytes can hold (two's complement).
int MaxFixedPrecision(size_t size) {
  if (size == 0) return 0;
  if (size >= 128) return 1000;  // beyond any realistic precision
  return static_cast<int>(std::floor(std::log10(2.0) * (8.0 * static_cast<double>(size) - 1.0)));
}

}  // namespace

class SchemaParser {
 public:
  explicit SchemaParser(Schema* schema) : schema_(schema) {}

  Result<const Node*> Parse(const Json& j, const std::string& ns, const std::string& where,
                            int depth) {
    if (depth > kMaxSchemaDepth) return Error(where, "schema nested more than 200 levels deep");
    if (j.is_string()) return ParseName(j.get<std::string>(), ns, where);
    if (j.is_array()) return ParseUnion(j, ns, where, depth);
    if (!j.is_object())
      return Error(where, "a schema must be a string, an object or an array, not ", j.dump());
    auto type_it = j.find("type");
    if (type_it == j.end()) return Error(where, "object without \"type\"");
    if (!type_it->is_string()) {
      // {"type": {...}} or {"type": [...]}: the attributes of the wrapper are dropped.
      return Parse(*type_it, ns, where, depth + 1);
    }
    const std::string type = type_it->get<std::string>();
    if (auto p = Primitives().find(type); p != Primitives().end()) {
      Node* node = NewNode(p->second);
      CopyAttributes(j, {"type"}, &node->attributes.get());
      ApplyLogicalType(node);
      return node;
    }
    if (type == "record" || type == "error") return ParseRecord(j, ns, where, depth);
    if (type == "enum") return ParseEnum(j, ns, where);
    if (type == "fixed") return ParseFixed(j, ns, where);
    if (type == "array" || type == "map") {
      const char* key = type == "array" ? "items" : "values";
      auto it = j.find(key);
      if (it == j.end()) return Error(where, type, " without \"", key, "\"");
      Node* node = NewNode(type == "array" ? Type::kArray : Type::kMap);
      ATOLL_ASSIGN_OR_RETURN(node->items,
                             Parse(*it, ns, StrCat(where, " ", type, " ", key), depth + 1));
      CopyAttributes(j, {"type", key}, &node->attributes.get());
      return node;
    }
    // {"type": "SomeName"} refers to a named type.
    return ParseName(type, ns, where);
  }

  std::vector<const Node*> named;

 private:
  template <typename... Args>
  static Status Error(const std::string& where, const Args&... args) {
    return InvalidArgument("avro schema: ", where.empty() ? "" : where + ": ", args...);
  }

  Node* NewNode(Type type) {
    schema_->nodes_.push_back(std::make_unique<Node>());
    Node* n = schema_->nodes_.back().get();
    n->type = type;
    return n;
  }

  static void CopyAttributes(const Json& j, std::initializer_list<std::string_view> skip,
                             Json* out) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool skipped = false;
      for (auto s : skip) skipped = skipped || it.key() == s;
      if (!skipped) (*out)[it.key()] = it.value();
    }
  }

  Result<const Node*> ParseName(const std::string& name, const std::string& ns,
                                const std::string& where) {
    if (auto p = Primitives().find(name); p != Primitives().end()) return NewNode(p->second);
    if (name.find('.') == std::string::npos && !ns.empty()) {
      if (auto it = names_.find(ns + "." + name); it != names_.end()) return it->second;
    }
    if (auto it = names_.find(name); it != names_.end()) return it->second;
    return Error(where, "unknown type '", name, "'");
  }

  // Fills full_name/name_space of a named node and registers it.
  Status DefineName(const Json& j, const std::string& ns, const std::string& where, Node* node) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string()) {
      return Error(where, TypeName(node->type), " without a string \"name\"");
    }
    std::string name = name_it->get<std::string>();
    std::string space = ns;
    if (auto ns_it = j.find("namespace"); ns_it != j.end()) {
      if (ns_it->is_string()) {
        space = ns_it->get<std::string>();
      } else if (ns_it->is_null()) {
        space.clear();
      } else {
        return Error(where, "\"namespace\" of '", name, "' is not a string");
      }
    }
    size_t dot = name.rfind('.');
    if (dot != std::string::npos) {
      space = name.substr(0, dot);
      node->full_name = name;
    } else {
      node->full_name = space.empty() ? name : space + "." + name;
    }
    node->name_space = space;
    if (!IsUsableName(node->short_name()))
      return Error(where, "invalid name '", node->full_name, "'");
    if (Primitives().count(node->short_name())) {
      return Error(where, "a named type may not be called '", node->full_name, "'");
    }
    if (!names_.emplace(node->full_name, node).second) {
      return Error(where, "type '", node->full_name, "' is defined twice");
    }
    named.push_back(node);
    return Status::OK();
  }

  Result<const Node*> ParseRecord(const Json& j, const std::string& ns, const std::string& where,
                                  int depth) {
    Node* node = NewNode(Type::kRecord);
    ATOLL_RETURN_NOT_OK(DefineName(j, ns, where, node));
    const std::string here = StrCat("record '", node->full_name, "'");
    auto fields_it = j.find("fields");
    if (fields_it == j.end() || !fields_it->is_array())
      return Error(here, "\"fields\" is not an array");
    std::set<std::string> seen;
    for (const Json& fj : *fields_it) {
      if (!fj.is_object()) return Error(here, "a field is not an object");
      auto name_it = fj.find("name");
      if (name_it == fj.end() || !name_it->is_string())
        return Error(here, "a field has no string \"name\"");
      Field field;
      field.name = name_it->get<std::string>();
      if (!IsUsableName(field.name)) return Error(here, "invalid field name '", field.name, "'");
      if (!seen.insert(field.name).second)
        return Error(here, "field '", field.name, "' appears twice");
      auto type_it = fj.find("type");
      if (type_it == fj.end()) return Error(here, "field '", field.name, "' has no \"type\"");
      ATOLL_ASSIGN_OR_RETURN(field.type,
                             Parse(*type_it, node->name_space,
                                   StrCat("field '", field.name, "' of ", here), depth + 1));
      if (auto d = fj.find("default"); d != fj.end()) field.default_value = *d;
      CopyAttributes(fj, {"name", "type", "default"}, &field.attributes.get());
      node->fields.push_back(std::move(field));
    }
    CopyAttributes(j, {"type", "name", "namespace", "fields"}, &node->attributes.get());
    return node;
  }

  Result<const Node*> ParseEnum(const Json& j, const std::string& ns, const std::string& where) {
    Node* node = NewNode(Type::kEnum);
    ATOLL_RETURN_NOT_OK(DefineName(j, ns, where, node));
    const std::string here = StrCat("enum '", node->full_name, "'");
    auto sym_it = j.find("symbols");
    if (sym_it == j.end() || !sym_it->is_array()) return Error(here, "\"symbols\" is not an array");
    std::set<std::string> seen;
    for (const Json& s : *sym_it) {
      if (!s.is_string() || !IsValidSymbol(s.get<std::string>()))
        return Error(here, "invalid symbol ", s.dump());
      if (!seen.insert(s.get<std::string>()).second)
        return Error(here, "symbol ", s.dump(), " appears twice");
      node->symbols.push_back(s.get<std::string>());
    }
    if (auto d = j.find("default"); d != j.end()) {
      if (!d->is_string() || !seen.count(d->get<std::string>())) {
        return Error(here, "default ", d->dump(), " is not one of its symbols");
      }
      node->enum_default = d->get<std::string>();
    }
    CopyAttributes(j, {"type", "name", "namespace", "symbols", "default"}, &node->attributes.get());
    return node;
  }

  Result<const Node*> ParseFixed(const Json& j, const std::string& ns, const std::string& where) {
    Node* node = NewNode(Type::kFixed);
    ATOLL_RETURN_NOT_OK(DefineName(j, ns, where, node));
    auto size_it = j.find("size");
    if (size_it == j.end() || !size_it->is_number_integer() || size_it->get<int64_t>() < 0 ||
        size_it->get<int64_t>() > (int64_t{1} << 30)) {
      return Error(StrCat("fixed '", node->full_name, "'"),
                   "\"size\" is not an integer in [0, 2^30]");
    }
    node->fixed_size = size_it->get<size_t>();
    CopyAttributes(j, {"type", "name", "namespace", "size"}, &node->attributes.get());
    ApplyLogicalType(node);
    return node;
  }

  Result<const Node*> ParseUnion(const Json& j, const std::string& ns, const std::string& where,
                                 int depth) {
    Node* node = NewNode(Type::kUnion);
    std::set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      ATOLL_ASSIGN_OR_RETURN(const Node* b,
                             Parse(j[i], ns, StrCat(where, " union branch ", i), depth + 1));
      if (b->type == Type::kUnion) return Error(where, "a union may not directly contain a union");
      std::string key = b->is_named() ? b->full_name : std::string(TypeName(b->type));
      if (!seen.insert(key).second)
        return Error(where, "union has two branches of type '", key, "'");
      node->branches.push_back(b);
    }
    return node;
  }

  // Interprets "logicalType"; leaves the node as its base type when invalid.
  static void ApplyLogicalType(Node* node) {
    auto lt = node->attributes->find("logicalType");
    if (lt == node->attributes->end() || !lt->is_string()) return;
    const std::string name = lt->get<std::string>();
    const Type t = node->type;
    auto set_if = [&](bool ok, LogicalType l) {
      if (ok) node->logical = l;
    };
    if (name == "decimal") {
      auto p = node->attributes->find("precision");
      auto s = node->attributes->find("scale");
      if (p == node->attributes->end() || !p->is_number_integer()) return;
      int precision = p->get<int>();
      int scale = 0;
      if (s != node->attributes->end()) {
        if (!s->is_number_integer()) return;
        scale = s->get<int>();
      }
      if (precision <= 0 || scale < 0 || scale > precision) return;
      if (t == Type::kFixed && precision > MaxFixedPrecision(node->fixed_size)) return;
      if (t != Type::kBytes && t != Type::kFixed) return;
      node->logical = LogicalType::kDecimal;
      node->precision = precision;
      node->scale = scale;
    } else if (name == "uuid") {
      set_if(t == Type::kString || (t == Type::kFixed && node->fixed_size == 16),
             LogicalType::kUuid);
    } else if (name == "duration") {
      set_if(t == Type::kFixed && node->fixed_size == 12, LogicalType::kDuration);
    } else {
      // The logical types of a plain int or long, by the names LogicalTypeName gives.
      static constexpr std::pair<LogicalType, Type> kOnNumbers[] = {
          {LogicalType::kDate, Type::kInt},
          {LogicalType::kTimeMillis, Type::kInt},
          {LogicalType::kTimeMicros, Type::kLong},
          {LogicalType::kTimestampMillis, Type::kLong},
          {LogicalType::kTimestampMicros, Type::kLong},
          {LogicalType::kTimestampNanos, Type::kLong},
          {LogicalType::kLocalTimestampMillis, Type::kLong},
          {LogicalType::kLocalTimestampMicros, Type::kLong},
          {LogicalType::kLocalTimestampNanos, Type::kLong},
      };
      for (const auto& [logical, base] : kOnNumbers) {
        if (name == LogicalTypeName(logical)) set_if(t == base, logical);
      }
    }
  }

  Schema* schema_;
  std::map<std::string, const Node*> names_;
};

Result<std::shared_ptr<const Schema>> Schema::FromJson(const Json& json) {
  auto schema = std::make_shared<Schema>();
  SchemaParser parser(schema.get());
  ATOLL_ASSIGN_OR_RETURN(schema->root_, parser.Parse(json, "", "", 0));
  schema->named_ = std::move(parser.named);
  return std::shared_ptr<const Schema>(std::move(schema));
}

Result<std::shared_ptr<const Schema>> Schema::Parse(std::string_view json_text) {
  Json j = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return InvalidArgument("avro schema: not valid JSON: ", json_text.substr(0, 200));
  return FromJson(j);
}

}  // namespace atl::avro
