#include "atoll/ingest/field_ids.h"

#include <cctype>

#include "atoll/engine/engine.h"

namespace atl::lake {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<DuckType> ParseAll() {
    ATOLL_ASSIGN_OR_RETURN(DuckType t, ParseType());
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text");
    return t;
  }

 private:
  Status Error(std::string_view what) const {
    return InvalidArgument("cannot parse DuckDB type '", s_, "' at offset ", pos_, ": ", what);
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeKeyword(std::string_view kw) {
    SkipSpace();
    if (s_.size() - pos_ < kw.size() + 1) return false;
    for (size_t i = 0; i < kw.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(s_[pos_ + i])) != kw[i]) return false;
    }
    size_t j = pos_ + kw.size();
    while (j < s_.size() && s_[j] == ' ') ++j;
    if (j >= s_.size() || s_[j] != '(') return false;
    pos_ = j + 1;
    return true;
  }
  Result<std::string> ParseName() {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      std::string out;
      ++pos_;
      while (pos_ < s_.size()) {
        if (s_[pos_] == '"') {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
            out += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          return out;
        }
        out += s_[pos_++];
      }
      return Error("unterminated quoted name");
    }
    size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == start) return Error("missing field name");
    return std::string(s_.substr(start, pos_ - start));
  }
  Status ParseMembers(DuckType* t) {
    if (Consume(')')) return Status::OK();
    while (true) {
      ATOLL_ASSIGN_OR_RETURN(std::string name, ParseName());
      ATOLL_ASSIGN_OR_RETURN(DuckType child, ParseType());
      t->children.emplace_back(std::move(name), std::move(child));
      if (Consume(')')) return Status::OK();
      if (!Consume(',')) return Error("expected ',' or ')'");
    }
  }
  Result<DuckType> ParseType() {
    if (++depth_ > 200) return Error("nested too deeply");
    DuckType t;
    SkipSpace();
    if (ConsumeKeyword("STRUCT")) {
      t.kind = DuckType::Kind::kStruct;
      ATOLL_RETURN_NOT_OK(ParseMembers(&t));
    } else if (ConsumeKeyword("UNION")) {
      t.kind = DuckType::Kind::kUnion;
      ATOLL_RETURN_NOT_OK(ParseMembers(&t));
    } else if (ConsumeKeyword("MAP")) {
      t.kind = DuckType::Kind::kMap;
      ATOLL_ASSIGN_OR_RETURN(DuckType k, ParseType());
      if (!Consume(',')) return Error("expected ',' in MAP");
      ATOLL_ASSIGN_OR_RETURN(DuckType v, ParseType());
      if (!Consume(')')) return Error("expected ')' after MAP");
      t.children.emplace_back("key", std::move(k));
      t.children.emplace_back("value", std::move(v));
    } else {
      size_t start = pos_;
      int parens = 0;
      while (pos_ < s_.size()) {
        char c = s_[pos_];
        if (c == '(') ++parens;
        if (c == ')') {
          if (parens == 0) break;
          --parens;
        }
        if (parens == 0 && (c == ',' || c == '[')) break;
        ++pos_;
      }
      std::string_view leaf = s_.substr(start, pos_ - start);
      while (!leaf.empty() && std::isspace(static_cast<unsigned char>(leaf.back())))
        leaf.remove_suffix(1);
      if (leaf.empty()) return Error("missing type");
      t.text = std::string(leaf);
    }
    // List and array suffixes.
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '[') break;
      ++pos_;
      DuckType outer;
      outer.kind = DuckType::Kind::kList;
      if (!Consume(']')) {
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        if (!Consume(']')) return Error("expected ']'");
        outer.kind = DuckType::Kind::kArray;
      }
      outer.children.emplace_back("element", std::move(t));
      t = std::move(outer);
    }
    --depth_;
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

std::string Emit(const DuckType& t, int* next) {
  const int id = (*next)++;
  if (t.kind == DuckType::Kind::kLeaf) return std::to_string(id);
  std::string out = StrCat("{'__duckdb_field_id': ", id);
  for (const auto& [name, child] : t.children) {
    out += StrCat(", ", engine::QuoteString(name), ": ", Emit(child, next));
  }
  return out + "}";
}

}  // namespace

Result<DuckType> ParseDuckType(std::string_view text) { return Parser(text).ParseAll(); }

Result<std::string> FieldIdsOption(const std::vector<std::pair<std::string, std::string>>& columns,
                                   int* count) {
  int next = 1;
  std::string out = "{";
  for (size_t i = 0; i < columns.size(); ++i) {
    ATOLL_ASSIGN_OR_RETURN(DuckType t, ParseDuckType(columns[i].second));
    out += StrCat(i ? ", " : "", engine::QuoteString(columns[i].first), ": ", Emit(t, &next));
  }
  if (count != nullptr) *count = next - 1;
  return out + "}";
}

}  // namespace atl::lake
