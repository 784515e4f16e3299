#include "atoll/sql/lake_ddl.h"

#include "atoll/lake/lake_tables.h"
#include "atoll/lake/settings.h"
#include "atoll/sql/sql_text.h"

namespace atl::lake {

namespace {

// A cursor over the tokens of one statement.
class Cursor {
 public:
  Cursor(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  bool done() const { return i_ >= tokens_.size(); }
  const Token* peek(size_t ahead = 0) const {
    return i_ + ahead < tokens_.size() ? &tokens_[i_ + ahead] : nullptr;
  }
  bool Accept(std::string_view keyword) {
    if (done() || !tokens_[i_].Is(keyword)) return false;
    ++i_;
    return true;
  }
  bool AcceptSymbol(char c) {
    if (done() || tokens_[i_].kind != TokenKind::kSymbol || tokens_[i_].text[0] != c) return false;
    ++i_;
    return true;
  }
  Status Expect(std::string_view keyword) {
    if (Accept(keyword)) return Status::OK();
    return InvalidArgument("expected ", keyword, Where());
  }
  std::string Where() const {
    if (done()) return " at the end of the statement";
    return StrCat(" at '", tokens_[i_].text, "' (byte ", tokens_[i_].offset, ")");
  }
  // A dotted name: name (. name)*.
  Result<std::vector<std::string>> Name() {
    std::vector<std::string> parts;
    do {
      if (done() || !tokens_[i_].IsName()) return InvalidArgument("expected a table name", Where());
      parts.push_back(tokens_[i_++].text);
    } while (AcceptSymbol('.'));
    return parts;
  }
  // The text between the '(' at the cursor and its matching ')', the cursor moved past it.
  Result<std::string> Parenthesized(std::vector<std::string>* items = nullptr) {
    if (done() || tokens_[i_].text != "(" || tokens_[i_].kind != TokenKind::kSymbol) {
      return InvalidArgument("expected '('", Where());
    }
    const size_t open = tokens_[i_].end;
    size_t item_start = open;
    int depth = 0;
    for (; i_ < tokens_.size(); ++i_) {
      const Token& t = tokens_[i_];
      if (t.kind != TokenKind::kSymbol) continue;
      if (t.text == "(") ++depth;
      if (t.text == ")" && --depth == 0) {
        if (items != nullptr) items->emplace_back(text_.substr(item_start, t.offset - item_start));
        ++i_;
        return std::string(text_.substr(open - 1, t.end - open + 1));
      }
      if (t.text == "," && depth == 1 && items != nullptr) {
        items->emplace_back(text_.substr(item_start, t.offset - item_start));
        item_start = t.end;
      }
    }
    return InvalidArgument("unbalanced parentheses after byte ", open);
  }
  bool AcceptName() {
    if (done() || !tokens_[i_].IsName()) return false;
    ++i_;
    return true;
  }
  size_t pos() const { return i_; }
  std::string_view Rest() const { return done() ? "" : text_.substr(tokens_[i_].offset); }

 private:
  std::string_view text_;
  std::vector<Token> tokens_;
  size_t i_ = 0;
};

Result<iceberg::TableIdentifier> LakeName(const std::vector<std::string>& parts) {
  iceberg::TableIdentifier id;
  id.ns = {parts[0], parts[1]};
  id.name = parts[2];
  return id;
}

// "days(ts)" -> "day(ts)"; "bucket ( 16 , id )" -> "bucket(16, id)"; "\"my col\"" -> "my col".
Result<std::string> PartitionField(std::string_view item) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Token> t, Tokenize(item));
  if (t.size() == 1 && t[0].IsName()) return t[0].text;
  if (t.size() >= 4 && t[0].kind == TokenKind::kWord && t[1].text == "(" && t.back().text == ")") {
    std::string fn = FoldCase(t[0].text);
    for (const char* plural : {"years", "months", "days", "hours"}) {
      if (fn == plural) fn.pop_back();
    }
    if (t.size() == 4 && t[2].IsName()) return StrCat(fn, "(", t[2].text, ")");
    if (t.size() == 6 && t[2].kind == TokenKind::kNumber && t[3].text == "," && t[4].IsName()) {
      return StrCat(fn, "(", t[2].text, ", ", t[4].text, ")");
    }
  }
  return InvalidArgument("partition field '", item,
                         "' is not col, year|month|day|hour(col), bucket(N, col) or "
                         "truncate(W, col)");
}

// (key = value, ...) into `properties`; format_version / format-version into *version
// (refused when `version` is null).
Status ParseProperties(Cursor& c, std::map<std::string, std::string>* properties,
                       std::optional<int>* version) {
  std::vector<std::string> items;
  ATOLL_RETURN_NOT_OK(c.Parenthesized(&items).status());
  for (const std::string& item : items) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Token> t, Tokenize(item));
    if (t.empty()) continue;
    if (t.size() != 3 || t[1].text != "=" || t[1].kind != TokenKind::kSymbol ||
        !(t[0].IsName() || t[0].kind == TokenKind::kString) || t[2].kind == TokenKind::kSymbol) {
      return InvalidArgument("properties are key = value pairs; got '", item, "'");
    }
    const std::string key = t[0].kind == TokenKind::kWord ? FoldCase(t[0].text) : t[0].text;
    if (key == "format_version" || key == "format-version") {
      if (version == nullptr) {
        return InvalidArgument("the format version of a table cannot be changed by ALTER TABLE");
      }
      if (t[2].text != "1" && t[2].text != "2" && t[2].text != "3") {
        return InvalidArgument("format_version must be 1, 2 or 3; got '", t[2].text, "'");
      }
      *version = t[2].text[0] - '0';
    } else {
      (*properties)[key] = t[2].text;
    }
  }
  return Status::OK();
}

// PARTITIONED BY's list, each field normalized and checked.
Result<std::vector<std::string>> PartitionList(Cursor& c) {
  std::vector<std::string> items, out;
  ATOLL_RETURN_NOT_OK(c.Parenthesized(&items).status());
  for (const std::string& item : items) {
    ATOLL_ASSIGN_OR_RETURN(std::string field, PartitionField(item));
    ATOLL_RETURN_NOT_OK(ValidatePartitionField(field));
    out.push_back(std::move(field));
  }
  return out;
}

Result<std::optional<LakeDdl>> ParseCreate(Cursor& c) {
  CreateTableDdl ddl;
  if (c.Accept("OR")) {
    ATOLL_RETURN_NOT_OK(c.Expect("REPLACE"));
    ddl.or_replace = true;
  }
  if (!c.Accept("TABLE")) return std::optional<LakeDdl>();
  if (c.Accept("IF")) {
    ATOLL_RETURN_NOT_OK(c.Expect("NOT"));
    ATOLL_RETURN_NOT_OK(c.Expect("EXISTS"));
    ddl.if_not_exists = true;
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> name, c.Name());
  if (name.size() != 3) return std::optional<LakeDdl>();
  ATOLL_ASSIGN_OR_RETURN(ddl.id, LakeName(name));
  if (ddl.or_replace && ddl.if_not_exists) {
    return InvalidArgument("CREATE OR REPLACE TABLE and IF NOT EXISTS exclude each other");
  }
  if (c.peek() && c.peek()->kind == TokenKind::kSymbol && c.peek()->text == "(") {
    ATOLL_ASSIGN_OR_RETURN(ddl.columns_sql, c.Parenthesized());
  }
  while (!c.done()) {
    if (c.Accept("PARTITIONED")) {
      ATOLL_RETURN_NOT_OK(c.Expect("BY"));
      ATOLL_ASSIGN_OR_RETURN(ddl.partition, PartitionList(c));
    } else if (c.Accept("WITH")) {
      ATOLL_RETURN_NOT_OK(ParseProperties(c, &ddl.properties, &ddl.format_version));
    } else if (c.Accept("AS")) {
      ddl.query_sql = std::string(c.Rest());
      break;
    } else {
      return InvalidArgument("expected PARTITIONED BY, WITH or AS", c.Where());
    }
  }
  if (ddl.columns_sql.empty() == ddl.query_sql.empty()) {
    return InvalidArgument("CREATE TABLE ", ddl.id.ToString(),
                           " needs either a column list or AS query (not both)");
  }
  return std::optional<LakeDdl>(std::move(ddl));
}

Result<std::optional<LakeDdl>> ParseDrop(Cursor& c) {
  DropTableDdl ddl;
  if (!c.Accept("TABLE")) return std::optional<LakeDdl>();
  if (c.Accept("IF")) {
    ATOLL_RETURN_NOT_OK(c.Expect("EXISTS"));
    ddl.if_exists = true;
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> name, c.Name());
  if (name.size() != 3) return std::optional<LakeDdl>();
  ATOLL_ASSIGN_OR_RETURN(ddl.id, LakeName(name));
  if (c.Accept("PURGE")) ddl.purge = true;
  if (!c.done()) return InvalidArgument("unexpected text after DROP TABLE", c.Where());
  return std::optional<LakeDdl>(std::move(ddl));
}

Result<std::string> ColumnName(Cursor& c) {
  const Token* t = c.peek();
  if (t == nullptr || !t->IsName()) return InvalidArgument("expected a column name", c.Where());
  std::string name = t->text;
  c.AcceptName();
  return name;
}

// The rest of the statement: a type or a partition field.
Result<std::string> RestText(Cursor& c, const char* what) {
  std::string rest(c.Rest());
  if (rest.empty()) return InvalidArgument("expected ", what, c.Where());
  return rest;
}

Result<std::optional<LakeDdl>> ParseAlter(Cursor& c) {
  AlterTableDdl ddl;
  using A = AlterTableDdl::Action;
  if (!c.Accept("TABLE")) return std::optional<LakeDdl>();
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> name, c.Name());
  if (name.size() != 3) return std::optional<LakeDdl>();
  ATOLL_ASSIGN_OR_RETURN(ddl.id, LakeName(name));
  bool rest_is_type = false, rest_is_field = false;
  if (c.Accept("ADD")) {
    if (c.Accept("PARTITION")) {
      ATOLL_RETURN_NOT_OK(c.Expect("FIELD"));
      ddl.action = A::kAddPartitionField;
      rest_is_field = true;
    } else {
      c.Accept("COLUMN");
      if (c.Accept("IF")) {
        ATOLL_RETURN_NOT_OK(c.Expect("NOT"));
        ATOLL_RETURN_NOT_OK(c.Expect("EXISTS"));
        ddl.if_exists = true;
      }
      ddl.action = A::kAddColumn;
      ATOLL_ASSIGN_OR_RETURN(ddl.column, ColumnName(c));
      rest_is_type = true;
    }
  } else if (c.Accept("RENAME")) {
    c.Accept("COLUMN");
    ddl.action = A::kRenameColumn;
    ATOLL_ASSIGN_OR_RETURN(ddl.column, ColumnName(c));
    ATOLL_RETURN_NOT_OK(c.Expect("TO"));
    ATOLL_ASSIGN_OR_RETURN(ddl.new_name, ColumnName(c));
  } else if (c.Accept("DROP")) {
    if (c.Accept("PARTITION")) {
      ATOLL_RETURN_NOT_OK(c.Expect("FIELD"));
      ddl.action = A::kDropPartitionField;
      rest_is_field = true;
    } else {
      c.Accept("COLUMN");
      if (c.Accept("IF")) {
        ATOLL_RETURN_NOT_OK(c.Expect("EXISTS"));
        ddl.if_exists = true;
      }
      ddl.action = A::kDropColumn;
      ATOLL_ASSIGN_OR_RETURN(ddl.column, ColumnName(c));
    }
  } else if (c.Accept("ALTER")) {
    c.Accept("COLUMN");
    ATOLL_ASSIGN_OR_RETURN(ddl.column, ColumnName(c));
    if (c.Accept("DROP")) {
      ATOLL_RETURN_NOT_OK(c.Expect("NOT"));
      ATOLL_RETURN_NOT_OK(c.Expect("NULL"));
      ddl.action = A::kDropNotNull;
    } else {
      if (c.Accept("SET")) c.Accept("DATA");
      ATOLL_RETURN_NOT_OK(c.Expect("TYPE"));
      ddl.action = A::kSetType;
      rest_is_type = true;
    }
  } else if (c.Accept("SET")) {
    if (c.Accept("PARTITIONED")) {
      ATOLL_RETURN_NOT_OK(c.Expect("BY"));
      ddl.action = A::kSetPartitioning;
      ATOLL_ASSIGN_OR_RETURN(ddl.partition, PartitionList(c));
    } else {
      if (!c.Accept("TBLPROPERTIES")) ATOLL_RETURN_NOT_OK(c.Expect("PROPERTIES"));
      ddl.action = A::kSetProperties;
      ATOLL_RETURN_NOT_OK(ParseProperties(c, &ddl.properties, nullptr));
    }
  } else if (c.Accept("RESET")) {
    ATOLL_RETURN_NOT_OK(c.Expect("PARTITIONED"));
    ATOLL_RETURN_NOT_OK(c.Expect("BY"));
    ddl.action = A::kSetPartitioning;
  } else if (c.Accept("UNSET")) {
    if (!c.Accept("TBLPROPERTIES")) ATOLL_RETURN_NOT_OK(c.Expect("PROPERTIES"));
    if (c.Accept("IF")) {
      ATOLL_RETURN_NOT_OK(c.Expect("EXISTS"));
      ddl.if_exists = true;
    }
    ddl.action = A::kUnsetProperties;
    std::vector<std::string> items;
    ATOLL_RETURN_NOT_OK(c.Parenthesized(&items).status());
    for (const std::string& item : items) {
      ATOLL_ASSIGN_OR_RETURN(std::vector<Token> t, Tokenize(item));
      if (t.size() != 1 || t[0].kind == TokenKind::kSymbol || t[0].kind == TokenKind::kNumber) {
        return InvalidArgument("UNSET PROPERTIES takes keys; got '", item, "'");
      }
      ddl.keys.push_back(t[0].kind == TokenKind::kWord ? FoldCase(t[0].text) : t[0].text);
    }
  } else {
    return InvalidArgument(
        "ALTER TABLE ", ddl.id.ToString(),
        " takes ADD | RENAME | DROP | ALTER [COLUMN], SET | UNSET PROPERTIES, SET | RESET "
        "PARTITIONED BY or ADD | DROP PARTITION FIELD",
        c.Where());
  }
  if (rest_is_type) {
    ATOLL_ASSIGN_OR_RETURN(ddl.type_sql, RestText(c, "a type"));
  } else if (rest_is_field) {
    ATOLL_ASSIGN_OR_RETURN(std::string text, RestText(c, "a partition field"));
    ATOLL_ASSIGN_OR_RETURN(std::string field, PartitionField(text));
    ATOLL_RETURN_NOT_OK(ValidatePartitionField(field));
    ddl.partition.push_back(std::move(field));
  } else if (!c.done()) {
    return InvalidArgument("unexpected text in ALTER TABLE", c.Where());
  }
  return std::optional<LakeDdl>(std::move(ddl));
}

Result<std::optional<LakeDdl>> ParseInsertOverwrite(Cursor& c, std::string_view statement) {
  if (!c.Accept("OVERWRITE")) return std::optional<LakeDdl>();
  c.Accept("TABLE");
  const size_t name_at = c.peek() ? c.peek()->offset : statement.size();
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> name, c.Name());
  if (name.size() != 3) {
    return InvalidArgument("INSERT OVERWRITE takes a lake table zone.db.table");
  }
  InsertOverwriteDdl ddl;
  ATOLL_ASSIGN_OR_RETURN(ddl.id, LakeName(name));
  ddl.insert_sql = StrCat("INSERT INTO ", statement.substr(name_at));
  return std::optional<LakeDdl>(std::move(ddl));
}

}  // namespace

Result<std::optional<LakeDdl>> ParseLakeDdl(std::string_view statement) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(statement));
  Cursor c(statement, std::move(tokens));
  if (c.Accept("CREATE")) return ParseCreate(c);
  if (c.Accept("DROP")) return ParseDrop(c);
  if (c.Accept("ALTER")) return ParseAlter(c);
  if (c.Accept("INSERT")) return ParseInsertOverwrite(c, statement);
  return std::optional<LakeDdl>();
}

}  // namespace atl::lake
