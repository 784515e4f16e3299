// Compares atoll's Avro reader with an independent one: Debian's avro-c `avrocat`
// (package avro-bin), which prints each datum as a JSON line. avro-c reads the null,
// deflate and snappy codecs; files it cannot open are skipped. Known avro-c quirks are
// tolerated: union branches named without namespace, and bytes/fixed values containing
// NUL or non-ASCII bytes (avro-c prints them through a C string) are not compared.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/formats/avro/reader.h"
#include "testing/testing.h"

namespace atl::avro {
namespace {

constexpr const char* kAvrocat = "/usr/bin/avrocat";
constexpr const char* kAnything = "\x01<any bytes>";

// Our JSON with avro-c's conventions: short branch names, unprintable bytes as wildcard.
nlohmann::json Normalize(const Node& node, const Value& value) {
  switch (node.type) {
    case Type::kBytes:
    case Type::kFixed:
      for (unsigned char c : value.bytes()) {
        if (c == 0 || c >= 0x80) return kAnything;
      }
      return value.bytes();
    case Type::kUnion: {
      const Node& b = *node.branches[value.branch()];
      if (b.type == Type::kNull) return nullptr;
      nlohmann::json out = nlohmann::json::object();
      out[b.is_named() ? std::string(b.short_name()) : std::string(TypeName(b.type))] =
          Normalize(b, value.branch_value());
      return out;
    }
    case Type::kArray: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& v : value.items()) out.push_back(Normalize(*node.items, v));
      return out;
    }
    case Type::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (size_t i = 0; i < value.map_keys().size(); ++i) {
        out[value.map_keys()[i]] = Normalize(*node.items, value.map_values()[i]);
      }
      return out;
    }
    case Type::kRecord: {
      nlohmann::json out = nlohmann::json::object();
      for (size_t i = 0; i < node.fields.size(); ++i) {
        out[node.fields[i].name] = Normalize(*node.fields[i].type, value.fields()[i]);
      }
      return out;
    }
    default:
      return nlohmann::json::parse(
          ToJson(node, value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

bool Matches(const nlohmann::json& ours, const nlohmann::json& theirs) {
  if (ours.is_string() && ours.get<std::string>() == kAnything) return true;
  if (ours.is_number() && theirs.is_number())
    return ours.get<double>() == theirs.get<double>() &&
           (!ours.is_number_integer() || ours == theirs);
  if (ours.type() != theirs.type()) return false;
  if (ours.is_object()) {
    if (ours.size() != theirs.size()) return false;
    for (auto it = ours.begin(); it != ours.end(); ++it) {
      if (!theirs.contains(it.key()) || !Matches(it.value(), theirs[it.key()])) return false;
    }
    return true;
  }
  if (ours.is_array()) {
    if (ours.size() != theirs.size()) return false;
    for (size_t i = 0; i < ours.size(); ++i) {
      if (!Matches(ours[i], theirs[i])) return false;
    }
    return true;
  }
  return ours == theirs;
}

// avrocat's output lines, or nullopt when it fails on the file.
std::optional<std::vector<std::string>> Avrocat(const std::string& path) {
  std::string cmd = std::string(kAvrocat) + " '" + path + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0) return std::nullopt;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    if (nl > start) lines.push_back(out.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

TEST(AvroOracleTest, AgreesWithAvrocatOnEveryFileItCanRead) {
  auto root = atl::testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata is absent: nothing to compare";
  if (!std::filesystem::exists(kAvrocat))
    GTEST_SKIP() << kAvrocat << " is absent (Debian package avro-bin)";
  int compared_files = 0;
  size_t compared_rows = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(*root)) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".avro" || path.find("truncated") != std::string::npos)
      continue;
    auto theirs = Avrocat(path);
    if (!theirs) continue;  // a codec avro-c lacks (bzip2, xz, zstandard)
    SCOPED_TRACE(path);
    ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(path));
    ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadAll());
    ASSERT_EQ(rows.size(), theirs->size());
    for (size_t i = 0; i < rows.size(); ++i) {
      auto ours = Normalize(reader->schema()->root(), rows[i]);
      auto other = nlohmann::json::parse((*theirs)[i], nullptr, false);
      ASSERT_FALSE(other.is_discarded()) << (*theirs)[i];
      EXPECT_TRUE(Matches(ours, other))
          << "row " << i << "\n ours:    " << ours.dump() << "\n avrocat: " << (*theirs)[i];
    }
    ++compared_files;
    compared_rows += rows.size();
  }
  EXPECT_GT(compared_files, 100);
  EXPECT_GT(compared_rows, 200u);
}

}  // namespace
}  // namespace atl::avro
