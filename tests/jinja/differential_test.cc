// The differential test of the Jinja engine: every template of tests/jinja/corpus/ is
// rendered by Debian's python3-jinja2 (jinja2_render.py under /usr/bin/python3) and by
// atoll's engine with the same settings and context; outputs must be equal byte for
// byte, and where jinja2 raises, atoll must fail too.
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atoll/jinja/environment.h"
#include "atoll/jinja/json.h"
#include "testing/testing.h"

namespace atl::jinja {
namespace {

std::string SourceDir() {
  auto dir = testing::Env("ATOLL_SOURCE_DIR");
  return dir ? *dir : std::string(ATOLL_SOURCE_DIR_FALLBACK);
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("no file ", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(JinjaDifferentialTest, CorpusRendersLikePythonJinja2) {
  const std::string corpus = SourceDir() + "/tests/jinja/corpus";
  testing::TempDir tmp;
  const std::string expected_path = tmp.Join("jinja2.json");
  const std::string cmd = "/usr/bin/python3 " + SourceDir() + "/tests/jinja/jinja2_render.py " +
                          corpus + " " + expected_path;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "the reference renderer failed: " << cmd;
  auto expected = nlohmann::json::parse(testing::ReadFile(expected_path));
  ASSERT_GE(expected.size(), 200u) << "the corpus should hold at least 200 cases";

  Environment env;
  env.SetLoader([&](const std::string& name) { return ReadText(corpus + "/_lib/" + name); });
  int outputs = 0, errors = 0;
  std::vector<std::string> failures;
  for (const auto& [name, want] : expected.items()) {
    ASSERT_OK_AND_ASSIGN(std::string source, ReadText(corpus + "/" + name + ".j2"));
    Value context = Value::Dict();
    if (auto ctx_text = ReadText(corpus + "/" + name + ".json"); ctx_text.ok()) {
      ASSERT_OK_AND_ASSIGN(context, ValueFromJson(*ctx_text));
    }
    auto got = env.Render(source, name + ".j2", context);
    // The corpus names its error cases err_*: a case that changes sides is a corpus bug.
    EXPECT_EQ(name.rfind("err_", 0) == 0, !want["ok"].get<bool>())
        << name << ": the err_ prefix must mark exactly the cases where jinja2 raises";
    if (want["ok"].get<bool>()) {
      ++outputs;
      const std::string out = want["output"].get<std::string>();
      if (!got.ok()) {
        failures.push_back(name + ": jinja2 rendered, atoll failed: " + got.status().ToString());
      } else if (*got != out) {
        failures.push_back(name + ": outputs differ\n--- jinja2:\n" + out + "\n--- atoll:\n" +
                           *got);
      }
    } else {
      ++errors;
      if (got.ok()) {
        failures.push_back(name + ": jinja2 raised (" + want["error"].get<std::string>() +
                           "), atoll rendered:\n" + *got);
      }
    }
  }
  std::cout << expected.size() << " cases: " << outputs << " outputs compared, " << errors
            << " error cases; " << failures.size() << " differ\n";
  for (const auto& f : failures) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace atl::jinja
