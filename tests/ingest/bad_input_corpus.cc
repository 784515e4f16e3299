#include "ingest/bad_input_corpus.h"

#include <zlib.h>
#include <zstd.h>

#include <random>
#include <stdexcept>

namespace atl::lake::testing {

namespace {

// The limits the corpus lake is initialised with (bad_input_corpus_test.cc writes them
// into its settings): lines/documents over 64 KiB and files over 8 MiB decompressed are
// rejected.
constexpr size_t kLineLimit = 64 * 1024;
constexpr size_t kSizeLimit = 8 * 1024 * 1024;

const char* kGoodCsv = "id,marker\n1,x\n2,y\n";

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A string literal with its embedded NUL characters.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// Case builder: one table per case under the db "corpus" unless a path is given.
class Builder {
 public:
  explicit Builder(std::vector<Case>* out) : out_(out) {}

  Case& Add(std::string id, std::string file, std::string bytes, Expect expect) {
    Case c;
    c.path = "corpus/" + id + "/" + file;
    c.id = std::move(id);
    c.bytes = std::move(bytes);
    c.expect = expect;
    out_->push_back(std::move(c));
    return out_->back();
  }
  // A case at an explicit path (names and depths).
  Case& At(std::string id, std::string path, std::string bytes, Expect expect) {
    Case& c = Add(std::move(id), "", std::move(bytes), expect);
    c.path = std::move(path);
    return c;
  }

 private:
  std::vector<Case>* out_;
};

Case& Rows(Case& c, int64_t rows) {
  c.rows = rows;
  return c;
}
Case& Why(Case& c, std::string reason) {
  c.reason = std::move(reason);
  return c;
}
Case& WithSibling(Case& c) {
  c.sibling = true;
  return c;
}

void CsvContents(Builder& b) {
  auto csv = [&](std::string id, std::string bytes, Expect e) -> Case& {
    return WithSibling(b.Add(std::move(id), "data.csv", std::move(bytes), e));
  };
  Why(csv("csv_empty", "", Expect::kReject), "empty");
  Why(csv("csv_whitespace", "   \n\n  \t \n", Expect::kReject),
      "empty|whitespace|no (columns|data|rows)");
  Why(csv("csv_newlines_only", "\n\n\n\n", Expect::kReject),
      "empty|whitespace|no (columns|data|rows)");
  Why(csv("csv_one_byte_newline", "\n", Expect::kReject),
      "empty|whitespace|no (columns|data|rows)");
  csv("csv_header_only", "id,marker\n", Expect::kEither);
  Rows(csv("csv_one_column", "x\n1\n2\n", Expect::kLoad), 2);
  Rows(csv("csv_crlf", "id,marker\r\n1,a\r\n2,b\r\n", Expect::kLoad), 2);
  csv("csv_cr_only", "id,marker\r1,a\r2,b\r", Expect::kEither);
  Rows(csv("csv_utf8_bom", "\xEF\xBB\xBFid,marker\n1,a\n", Expect::kLoad), 1);
  csv("csv_utf16le_bom",
      Bytes("\xFF\xFEi\0d\0,\0m\0\n\0"
            "1\0,\0a\0\n\0"),
      Expect::kEither);
  csv("csv_utf16be_bom",
      Bytes("\xFE\xFF\0i\0d\0,\0m\0\n\0"
            "1\0,\0a\0\n"),
      Expect::kEither);
  csv("csv_latin1", "id,name\n1,caf\xE9\n2,na\xEFve\n", Expect::kEither);
  csv("csv_invalid_utf8", "id,name\n1,\xC3\x28\n2,\xF0\x28\x8C\x28\n", Expect::kEither);
  Why(csv("csv_nul_bytes", Bytes("id,marker\n1,a\0b\n2,c\n"), Expect::kReject), "nul");
  Why(csv("csv_extra_fields", "id,marker\n1,a,EXTRA\n2,b\n", Expect::kReject),
      "field|column|value");
  Why(csv("csv_missing_fields", "id,marker,third\n1,a\n2,b,c\n", Expect::kReject),
      "field|column|value");
  csv("csv_unbalanced_quote", "id,marker\n1,\"abc\n2,b\n", Expect::kEither);
  Rows(csv("csv_embedded_newline", "id,marker\n1,\"a\nb\"\n2,c\n", Expect::kLoad), 2);
  Why(csv("csv_json_lines", "{\"a\":1}\n{\"a\":2}\n", Expect::kReject), "json");
  Why(csv("csv_json_array", "[{\"a\":1},{\"a\":2}]\n", Expect::kReject), "json");
  Why(csv("csv_binary_garbage", RandomBytes(4096, 1), Expect::kReject), ".");
  Why(csv("csv_binary_garbage_small", RandomBytes(100, 2), Expect::kReject), ".");
  csv("csv_gzip_inside", Gzip(kGoodCsv), Expect::kEither);
  csv("csv_zstd_inside", Zstd(kGoodCsv), Expect::kEither);
  Rows(csv("csv_tab_separated", "id\tmarker\n1\ta\n2\tb\n", Expect::kLoad), 2);
  Rows(csv("csv_semicolon", "id;marker\n1;a\n2;b\n", Expect::kLoad), 2);
  Rows(csv("csv_pipe", "id|marker\n1|a\n2|b\n", Expect::kLoad), 2);
  Why(csv("csv_line_over_limit", "id,marker\n1," + std::string(kLineLimit + 100, 'x') + "\n",
          Expect::kReject),
      "line|limit|max_line");
  Rows(csv("csv_line_under_limit", "id,marker\n1," + std::string(kLineLimit / 2, 'x') + "\n",
           Expect::kLoad),
       1);
  {
    std::string header, row;
    for (int i = 0; i < 2000; ++i) {
      header += (i ? ",c" : "c") + std::to_string(i);
      row += i ? ",1" : "1";
    }
    csv("csv_wide_2000_columns", header + "\n" + row + "\n", Expect::kEither);
  }
  csv("csv_duplicate_header", "a,a,a\n1,2,3\n", Expect::kEither);
  csv("csv_empty_header_names", ",,\n1,2,3\n", Expect::kEither);
  csv("csv_case_duplicate_header", "Col,col\n1,2\n", Expect::kEither);
  Rows(csv("csv_keyword_header", "select,from,where\n1,2,3\n", Expect::kLoad), 1);
  Rows(csv("csv_quote_in_header", "\"a\"\"b\",c'd\n1,2\n", Expect::kLoad), 1);
  Rows(csv("csv_semicolon_comment_header", "\"x;--\",\"/*y*/\"\n1,2\n", Expect::kLoad), 1);
  csv("csv_loaded_at_header", "_etl_loaded_at,x\n2020-01-01 00:00:00,1\n", Expect::kEither);
  csv("csv_long_header_name", std::string(1000, 'h') + "\n1\n", Expect::kEither);
  Rows(csv("csv_unicode_header", "\xE5\x90\x8D\xE5\x89\x8D,\xC3\xBC\n1,2\n", Expect::kLoad), 1);
  Rows(csv("csv_int_overflow", "n\n99999999999999999999999999999999\n1\n", Expect::kLoad), 2);
  Rows(csv("csv_mixed_types", "v\n1\nabc\n2.5\ntrue\n", Expect::kLoad), 4);
  csv("csv_extreme_dates", "d\n0001-01-01\n9999-12-31\n", Expect::kEither);
  Rows(csv("csv_invalid_dates", "d\n2020-13-45\n2020-02-30\n", Expect::kLoad), 2);
  Rows(csv("csv_bool_variants", "b\ntrue\nFALSE\nT\n0\n", Expect::kLoad), 4);
  Rows(csv("csv_no_trailing_newline", "id,marker\n1,a\n2,b", Expect::kLoad), 2);
  csv("csv_control_chars_in_cells", "id,marker\n1,a\x01\x02\x1b[31m\n2,\x7f\n", Expect::kEither);
  // Hive's text format: fields separated by \x01, no header.
  csv("csv_hive_ctrl_a",
      "1\x01"
      "a\x01"
      "x\n2\x01"
      "b\x01"
      "y\n3\x01"
      "c\x01"
      "z\n",
      Expect::kLoad);
  csv("csv_comment_line", "# exported by X\nid,marker\n1,a\n", Expect::kEither);
  csv("csv_single_char", "a", Expect::kEither);
  Rows(csv("csv_quotes_only_cell", "v\n\"\"\"\"\"\"\n", Expect::kLoad), 1);
  {
    std::string big = "n\n";
    for (int i = 0; i < 120000; ++i) big += std::to_string(i) + "\n";
    big += "not-a-number\n";  // past the 100k-row type sample
    Rows(csv("csv_type_change_after_sample", big, Expect::kLoad), 120001);
  }
  Rows(csv("csv_decimal_precision", "p\n12345678901234567890.123456789\n0.1\n", Expect::kLoad), 2);
  Rows(csv("csv_timestamps_tz", "t\n2024-01-02 03:04:05+02:00\n2024-01-02T03:04:05Z\n",
           Expect::kLoad),
       2);
  Rows(csv("csv_many_empty_cells", "a,b,c\n,,\n,,\n", Expect::kLoad), 2);
  csv("csv_sql_in_cells", "id,marker\n1,'); DROP TABLE x; --\n2,$(touch pwned)\n", Expect::kLoad)
      .rows = 2;
}

void Compression(Builder& b) {
  const std::string good = kGoodCsv;
  Rows(b.Add("gz_good", "data.csv.gz", Gzip(good), Expect::kLoad), 2);
  Rows(b.Add("zst_good", "data.csv.zst", Zstd(good), Expect::kLoad), 2);
  const std::string gz = Gzip(good + Repeat("3,z\n", 1000));
  Why(WithSibling(
          b.Add("gz_truncated", "data.csv.gz", gz.substr(0, gz.size() / 2), Expect::kReject)),
      "gzip|truncat|compress|corrupt");
  Why(WithSibling(b.Add("gz_not_gzip", "data.csv.gz", "id,marker\n1,a\n", Expect::kReject)),
      "gzip|compress|corrupt|header");
  Rows(b.Add("gz_multi_member", "data.csv.gz", Gzip("id,marker\n1,a\n") + Gzip("2,b\n"),
             Expect::kLoad),
       2);
  b.Add("gz_trailing_garbage", "data.csv.gz", Gzip(good) + "GARBAGE", Expect::kEither);
  const std::string zst = Zstd(good + Repeat("3,z\n", 1000));
  Why(WithSibling(
          b.Add("zst_truncated", "data.csv.zst", zst.substr(0, zst.size() / 2), Expect::kReject)),
      "zstd|truncat|compress|corrupt");
  Why(WithSibling(b.Add("zst_not_zstd", "data.csv.zst", "id,marker\n1,a\n", Expect::kReject)),
      "zstd|compress|corrupt|frame");
  const std::string zeros = "id,marker\n" + std::string(kSizeLimit * 4, '0');
  Why(WithSibling(b.Add("gz_bomb", "data.csv.gz", Gzip(zeros), Expect::kReject)), "limit|exceeds");
  Why(WithSibling(b.Add("zst_bomb", "data.csv.zst", Zstd(zeros), Expect::kReject)),
      "limit|exceeds");
  b.Add("gz_double", "data.csv.gz", Gzip(Gzip(good)), Expect::kEither);
  Why(b.Add("gz_of_empty", "data.csv.gz", Gzip(""), Expect::kReject),
      "empty|no (columns|data|rows)");
  Why(b.Add("gz_zero_bytes", "data.csv.gz", "", Expect::kReject), "empty");
  Rows(b.Add("gz_json", "data.json.gz", Gzip("[{\"a\":1},{\"a\":2}]"), Expect::kLoad), 2);
  Rows(b.Add("gz_no_extension", "data", Gzip(good), Expect::kLoad), 2);
  Rows(b.Add("zst_no_extension", "data", Zstd(good), Expect::kLoad), 2);
  Rows(b.Add("gz_uppercase_ext", "DATA.CSV.GZ", Gzip(good), Expect::kLoad), 2);
  b.Add("gz_random", "data.csv.gz", RandomBytes(2048, 3), Expect::kReject);
  b.Add("zst_random", "data.csv.zst", RandomBytes(2048, 4), Expect::kReject);
  Rows(b.Add("gz_ndjson", "data.ndjson.gz", Gzip("{\"a\":1}\n{\"a\":2}\n"), Expect::kLoad), 2);
}

void JsonContents(Builder& b) {
  auto json = [&](std::string id, std::string file, std::string bytes, Expect e) -> Case& {
    return b.Add(std::move(id), std::move(file), std::move(bytes), e);
  };
  Rows(json("json_object", "d.json", "{\"a\":1,\"b\":\"x\"}", Expect::kLoad), 1);
  Rows(json("json_array", "d.json", "[{\"a\":1},{\"a\":2}]", Expect::kLoad), 2);
  json("json_empty_array", "d.json", "[]", Expect::kEither);
  json("json_empty_object", "d.json", "{}", Expect::kEither);
  Why(json("json_deep_array", "d.json", Repeat("[", 30000) + Repeat("]", 30000), Expect::kReject),
      "nest|depth");
  Why(json("json_deep_array_unclosed", "d.json", Repeat("[", 30000), Expect::kReject), ".");
  Why(json("json_deep_object", "d.json", Repeat("{\"a\":", 30000) + "1" + Repeat("}", 30000),
           Expect::kReject),
      "nest|depth");
  Why(json("ndjson_deep", "d.ndjson",
           "{\"a\":1}\n" + Repeat("[", 30000) + Repeat("]", 30000) + "\n", Expect::kReject),
      "nest|depth");
  Why(json("json_deep_no_extension", "d", Repeat("[", 30000) + Repeat("]", 30000), Expect::kReject),
      "nest|depth");
  Why(json("json_deep_gz", "d.json.gz", Gzip(Repeat("[", 30000) + Repeat("]", 30000)),
           Expect::kReject),
      "nest|depth");
  json("json_moderate_nesting", "d.json", Repeat("{\"a\":", 20) + "1" + Repeat("}", 20),
       Expect::kLoad)
      .rows = 1;
  json("json_scalar", "d.json", "42", Expect::kEither);
  json("json_null", "d.json", "null", Expect::kEither);
  json("json_string", "d.json", "\"text\"", Expect::kEither);
  Why(json("json_truncated", "d.json", "[{\"a\":1},{\"a\":", Expect::kReject), ".");
  json("ndjson_bad_line", "d.ndjson", "{\"a\":1}\n{\"a\":\n{\"a\":3}\n", Expect::kEither);
  Rows(json("ndjson_blank_lines", "d.ndjson", "{\"a\":1}\n\n\n{\"a\":2}\n", Expect::kLoad), 2);
  json("json_duplicate_keys", "d.json", "{\"a\":1,\"a\":2}", Expect::kEither);
  Rows(json("json_key_with_quote", "d.json", "{\"a\\\"b\":1,\"c'd\":2}", Expect::kLoad), 1);
  Rows(json("json_key_with_sql", "d.json", "{\"x\\\"); COPY (SELECT 1) TO 'p.csv'; --\":1}",
            Expect::kLoad),
       1);
  json("json_empty_key", "d.json", "{\"\":1}", Expect::kEither);
  Rows(json("json_huge_number", "d.json", "{\"n\":123456789012345678901234567890}", Expect::kLoad),
       1);
  json("json_nan_literal", "d.json", "{\"n\":NaN}", Expect::kEither);
  json("json_bom", "d.json", "\xEF\xBB\xBF{\"a\":1}", Expect::kEither);
  Why(json("ndjson_line_over_limit", "d.ndjson",
           "{\"a\":1}\n{\"a\":\"" + std::string(kLineLimit + 100, 'x') + "\"}\n", Expect::kReject),
      "limit|max_line|size");
  Why(json("json_document_over_limit", "d.json",
           "[{\"a\":\"" + std::string(kLineLimit + 100, 'x') + "\"}]", Expect::kReject),
      "limit|max_line|size");
  json("json_array_of_scalars", "d.json", "[1,2,3]", Expect::kEither);
  json("json_mixed_array", "d.json", "[1,{\"a\":1},\"x\"]", Expect::kEither);
  Rows(json("json_unicode_escapes", "d.json", "{\"s\":\"\\u00e9\\ud83d\\ude00\"}", Expect::kLoad),
       1);
  json("json_invalid_utf8", "d.json", "{\"s\":\"\xC3\x28\"}", Expect::kEither);
  Why(json("json_whitespace_only", "d.json", "  \n\t\n ", Expect::kReject), ".");
  json("ndjson_holding_array", "d.ndjson", "[{\"a\":1},{\"a\":2}]", Expect::kEither);
  Why(json("json_binary_garbage", "d.json", RandomBytes(1024, 5), Expect::kReject), ".");
  Rows(json("ndjson_varying_keys", "d.ndjson", "{\"a\":1}\n{\"b\":2}\n{\"a\":3,\"c\":[1]}\n",
            Expect::kLoad),
       3);
  Rows(json("jsonl_extension", "d.jsonl", "{\"a\":1}\n", Expect::kLoad), 1);
  json(
      "json_many_keys", "d.json",
      [] {
        std::string s = "{";
        for (int i = 0; i < 3000; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
        return s + "}";
      }(),
      Expect::kEither);
}

void BinaryFormats(Builder& b, const std::string& plain, const std::string& empty,
                   const std::string& nested, const std::string& odd,
                   const std::string& loaded_at) {
  Rows(b.Add("parquet_good", "d.parquet", plain, Expect::kLoad), 2);
  Why(WithSibling(b.Add("parquet_not_parquet", "d.parquet", "hello, world\n", Expect::kReject)),
      "parquet");
  Why(b.Add("parquet_truncated", "d.parquet", plain.substr(0, plain.size() / 2), Expect::kReject),
      ".");
  Why(b.Add("parquet_magic_only", "d.parquet", "PAR1", Expect::kReject), ".");
  Why(b.Add("parquet_double_magic", "d.parquet", "PAR1PAR1", Expect::kReject), ".");
  b.Add("parquet_zero_rows", "d.parquet", empty, Expect::kEither);
  Rows(b.Add("parquet_nested", "d.parquet", nested, Expect::kLoad), 2);
  Rows(b.Add("parquet_odd_column_names", "d.parquet", odd, Expect::kLoad), 1);
  b.Add("parquet_loaded_at_column", "d.parquet", loaded_at, Expect::kEither);
  {
    std::string broken = plain;
    for (size_t i = broken.size() - 40; i < broken.size() - 8; ++i) broken[i] = '\x5a';
    Why(b.Add("parquet_corrupt_footer", "d.parquet", broken, Expect::kReject), ".");
  }
  Rows(b.Add("parquet_no_extension", "d", plain, Expect::kLoad), 2);
  Why(b.Add("parquet_csv_named_parquet", "d.parquet", kGoodCsv, Expect::kReject), "parquet");
  Why(b.Add("avro_garbage", "d.avro", std::string("Obj\x01", 4) + RandomBytes(500, 6),
            Expect::kReject),
      ".");
  Why(b.Add("avro_not_avro", "d.avro", "hello, world\n", Expect::kReject), ".");
  Why(b.Add("avro_magic_only", "d.avro", std::string("Obj\x01", 4), Expect::kReject), ".");
  Why(b.Add("orc_garbage", "d.orc", "ORC" + RandomBytes(500, 7), Expect::kReject), ".");
  Why(b.Add("orc_not_orc", "d.orc", "hello, world\n", Expect::kReject), ".");
  Why(b.Add("orc_magic_only", "d.orc", "ORC", Expect::kReject), ".");
  b.Add("unknown_extension_csv", "d.txt", kGoodCsv, Expect::kEither);
  b.Add("xml_file", "d.xml", "<?xml version=\"1.0\"?><a><b>1</b></a>", Expect::kEither);
}

// Good CSV content under hostile file names.
void FileNames(Builder& b) {
  const std::string good = kGoodCsv;
  const std::vector<std::pair<std::string, std::string>> names = {
      {"name_space", "with space.csv"},
      {"name_single_quote", "quote'.csv"},
      {"name_double_quote", "dq\".csv"},
      {"name_semicolon", "semi;colon.csv"},
      {"name_leading_dash", "-x.csv"},
      {"name_double_dash", "-- comment.csv"},
      {"name_unicode", "\xE5\x90\x8D\xE5\x89\x8D.csv"},
      {"name_emoji", "\xF0\x9F\x98\x80.csv"},
      {"name_control_char", "ctrl\x01.csv"},
      {"name_newline", "new\nline.csv"},
      {"name_tab", "t\tab.csv"},
      {"name_escape_seq", "esc\x1b[31m.csv"},
      {"name_star", "star*.csv"},
      {"name_question", "q?.csv"},
      {"name_brackets", "br[1].csv"},
      {"name_braces", "br{a,b}.csv"},
      {"name_percent", "pct%20%2F.csv"},
      {"name_backslash", "back\\slash.csv"},
      {"name_shell", "$(touch pwned).csv"},
      {"name_backtick", "`touch pwned`.csv"},
      {"name_sql", "x'); COPY (SELECT 1) TO 'pwned.csv'; --.csv"},
      {"name_long", std::string(240, 'n') + ".csv"},
      {"name_no_extension", "data"},
      {"name_upper_ext", "DATA.CSV"},
      {"name_double_ext", "x.csv.bak"},
      {"name_trailing_dot", "trailing."},
      {"name_invalid_utf8", "bad\xC3\x28.csv"},
      {"name_hash", "a#b.csv"},
      {"name_ampersand", "a&b|c.csv"},
  };
  for (const auto& [id, name] : names) b.Add(id, name, good, Expect::kEither);
  b.Add("name_hidden", ".hidden.csv", good, Expect::kStays);
  b.Add("name_underscore", "_partial.csv", good, Expect::kStays);
  b.Add("name_dots", "...csv", good, Expect::kStays);
  b.Add("name_spark_temporary", "_temporary/0/part-00000.csv", good, Expect::kStays);
  b.Add("name_hidden_subfolder", ".staging/part-00000.csv", good, Expect::kStays);
}

// Good CSV content under hostile db and table folder names.
void FolderNames(Builder& b) {
  const std::string good = kGoodCsv;
  const std::vector<std::pair<std::string, std::string>> tables = {
      {"folder_dot", "b.c"},
      {"folder_space", "with space"},
      {"folder_quote", "quo'te"},
      {"folder_double_quote", "dq\"x"},
      {"folder_keyword", "select"},
      {"folder_unicode", "\xE5\x90\x8D\xE5\x89\x8D"},
      {"folder_long", std::string(200, 't')},
      {"folder_dash", "-dash"},
      {"folder_control", "ctrl\x01"},
      {"folder_semicolon", "a;b"},
      {"folder_shell", "$(touch pwned)"},
      {"folder_percent", "%2F"},
      {"folder_star", "st*r"},
      {"folder_case_upper", "Sales"},
      {"folder_case_lower", "sales"},
      {"folder_sql", "t\"; COPY (SELECT 1) TO 'pwned.csv'; --"},
  };
  for (const auto& [id, table] : tables) {
    b.At(id, "corpus/" + table + "/data.csv", good, Expect::kEither);
  }
  const std::vector<std::pair<std::string, std::string>> dbs = {
      {"db_dot", "d.b"},       {"db_quote", "d'b"},       {"db_keyword", "from"},
      {"db_zone_name", "stg"}, {"db_case_upper", "Corp"}, {"db_case_lower", "corp"},
  };
  for (const auto& [id, db] : dbs) b.At(id, db + "/t/data.csv", good, Expect::kEither);
}

void Depths(Builder& b) {
  const std::string good = kGoodCsv;
  b.At("depth_1", "top-level.csv", good, Expect::kStays).warn = true;
  b.At("depth_2", "corpus/in-db-folder.csv", good, Expect::kStays).warn = true;
  b.At("depth_4", "corpus/deep4/sub/data.csv", good, Expect::kEither);
  b.At("depth_6", "corpus/deep6/a/b/c/data.csv", good, Expect::kEither);
  b.At("hidden_table_folder", "corpus/.hidden/data.csv", good, Expect::kStays);
  Case& link = b.At("symlink_to_host_file", "corpus/symlink/passwd.csv", "", Expect::kStays);
  link.symlink_to = "/etc/passwd";
  link.warn = true;
  Case& dir_link = b.At("symlink_to_dir", "corpus/symdir/etc", "", Expect::kStays);
  dir_link.symlink_to = "/etc";
}

}  // namespace

std::string SiblingCsv() { return "id,marker\n101,good\n102,good\n103,good\n"; }

std::string Gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("zstd");
  out.resize(n);
  return out;
}

std::vector<Case> Corpus(const std::string& parquet_plain, const std::string& parquet_empty,
                         const std::string& parquet_nested, const std::string& parquet_odd_names,
                         const std::string& parquet_loaded_at) {
  std::vector<Case> cases;
  cases.reserve(512);  // the builders hand out references into the vector
  Builder b(&cases);
  CsvContents(b);
  Compression(b);
  JsonContents(b);
  BinaryFormats(b, parquet_plain, parquet_empty, parquet_nested, parquet_odd_names,
                parquet_loaded_at);
  FileNames(b);
  FolderNames(b);
  Depths(b);
  return cases;
}

}  // namespace atl::lake::testing
