// atoll serve end to end: a lake with a table made by `atoll ingest`, three tokens made by
// `atoll token create`, `atoll serve` on a free loopback port, and a scripted session of
// the real client iceberg-js 1.0.0 (rest_session.mjs, run by `node --test`; icebird reads
// the ingested rows from metadata loaded through the server) whose every
// response is validated against the OpenAPI document. Afterwards: SIGTERM stops the
// server with exit code 0, a table created over REST is readable by `atoll query`, the
// trail names the token as the actor of the REST commits, the access log is in the log
// zone, and no secret appears in the access log or the trail.
//
// Skips (with a message) when node or the npm modules are missing, unless
// ATOLL_REQUIRE_SERVERS=1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/run_atoll.h"
#include "testing/find_program.h"
#include "testing/testing.h"

extern char** environ;

namespace atl {
namespace {

namespace fs = std::filesystem;
using cli::testing::RunAtoll;
using cli::testing::RunProgram;
using cli::testing::RunResult;

constexpr int kMaxBody = 65536;

std::string SourceDir() { return testing::Env("ATOLL_SOURCE_DIR").value_or(ATOLL_SOURCE_ROOT); }

std::optional<std::string> NodeModules() {
  std::string dir =
      testing::Env("ATOLL_NODE_MODULES").value_or(SourceDir() + "/.deps/node/node_modules");
  if (fs::exists(fs::path(dir) / "iceberg-js" / "dist" / "index.mjs") &&
      fs::exists(fs::path(dir) / "ajv" / "dist" / "2020.js")) {
    return dir;
  }
  return std::nullopt;
}

std::string SpecPath() {
  return testing::Env("ATOLL_TESTDATA").value_or(SourceDir() + "/../shared/testdata") +
         "/spec/rest-catalog-open-api.yaml";
}

// `atoll serve LAKE --listen 127.0.0.1:0 ...` as a child; the port is read from its stderr.
struct Server {
  pid_t pid = -1;
  int port = 0;
  std::string log_path;

  Status Start(const std::string& lake, const std::string& log,
               std::vector<std::string> extra = {}) {
    log_path = log;
    std::vector<std::string> args = {ATOLL_BINARY,
                                     "serve",
                                     lake,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--max-body-bytes",
                                     std::to_string(kMaxBody)};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid = ::fork();
    if (pid < 0) return Internal("fork failed");
    if (pid == 0) {
      FILE* f = std::freopen(log.c_str(), "w", stderr);
      (void)f;
      ::execve(ATOLL_BINARY, argv.data(), environ);
      ::_exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line)) {
        const std::string key = "://127.0.0.1:";
        size_t at = line.find(key);
        if (line.find("listening on") != std::string::npos && at != std::string::npos) {
          port = std::stoi(line.substr(at + key.size()));
          return Status::OK();
        }
      }
      int st = 0;
      if (::waitpid(pid, &st, WNOHANG) == pid) {
        pid = -1;
        return Internal("atoll serve exited early: ", ReadLog());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Internal("atoll serve did not start: ", ReadLog());
  }

  std::string ReadLog() const {
    std::ifstream in(log_path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // SIGTERM, then the exit code (-1 when it did not exit normally).
  int Stop() {
    if (pid <= 0) return -1;
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    pid = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  ~Server() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(ServeClientTest, IcebergJsSessionConformsToTheSpecAndIsRecorded) {
  std::optional<std::string> node = ::atl::testing::FindOnPath("node");
  std::optional<std::string> modules = NodeModules();
  if (!node || !modules) {
    const char* what = !node ? "node is not on PATH"
                             : "iceberg-js or ajv npm modules are missing (run scripts/setup.sh)";
    if (testing::ServersRequired()) FAIL() << what;
    GTEST_SKIP() << what;
  }
  ASSERT_TRUE(fs::exists(SpecPath())) << SpecPath();
  testing::TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  fs::create_directories(lake + "/prepare/sales/items");
  std::ofstream(lake + "/prepare/sales/items/a.csv") << "id,name\n1,a\n2,b\n3,c\n";
  RunResult ingest = RunAtoll({"ingest", lake});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;

  std::map<std::string, std::string> secrets;
  for (const auto& [name, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"alice", {"--scope", "write"}},
           {"bob", {"--scope", "read"}},
           {"shop", {"--scope", "write", "--namespace", "stg.shop"}}}) {
    std::vector<std::string> argv = {"token", "create", lake, "--name", name};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult made = RunAtoll(argv);
    ASSERT_EQ(made.exit_code, 0) << made.err;
    secrets[name] = Trimmed(made.out);
    ASSERT_EQ(secrets[name].size(), 68u) << made.out;
  }
  // Only hashes are kept in the bucket.
  for (const auto& entry : fs::recursive_directory_iterator(lake + "/_atoll/tokens")) {
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    for (const auto& [name, secret] : secrets) EXPECT_EQ(ss.str().find(secret), std::string::npos);
  }

  Server server;
  ASSERT_OK(server.Start(lake, dir.Join("serve.log")));
  RunResult session = RunProgram(
      {*node, "--test", "--test-reporter=spec", SourceDir() + "/tests/serve/rest_session.mjs"}, "",
      {{"ATOLL_NODE_MODULES", *modules},
       {"ATOLL_SPEC", SpecPath()},
       {"ATOLL_REST_URI", "http://127.0.0.1:" + std::to_string(server.port) + "/iceberg"},
       {"ATOLL_TOKEN_WRITE", secrets["alice"]},
       {"ATOLL_TOKEN_READ", secrets["bob"]},
       {"ATOLL_TOKEN_SHOP", secrets["shop"]},
       {"ATOLL_MAX_BODY", std::to_string(kMaxBody)},
       {"ATOLL_LAKE", lake}});
  EXPECT_EQ(session.exit_code, 0) << session.out << session.err;
  EXPECT_NE(session.out.find("concurrent commits: 16 succeeded"), std::string::npos) << session.out;
  // Every case of the script ran and passed (none skipped).
  EXPECT_NE(session.out.find("\xE2\x84\xB9 pass 14\n"), std::string::npos) << session.out;
  EXPECT_NE(session.out.find("\xE2\x84\xB9 fail 0\n"), std::string::npos) << session.out;
  EXPECT_EQ(server.Stop(), 0) << server.ReadLog();
  EXPECT_NE(server.ReadLog().find("atoll serve: stopped"), std::string::npos);

  // A table created over REST is read by atoll query, with the columns the clients added.
  RunResult query = RunAtoll({"query", lake, "--format", "csv",
                              "SELECT count(*), count(c0), count(c15) FROM stg.web.events"});
  EXPECT_EQ(query.exit_code, 0) << query.err;
  EXPECT_NE(query.out.find("0,0,0"), std::string::npos) << query.out;
  RunResult staged =
      RunAtoll({"query", lake, "--format", "csv", "SELECT count(*) FROM stg.web.staged"});
  EXPECT_EQ(staged.exit_code, 0) << staged.err;

  // The view made over REST is a view of atoll query (duckdb dialect).
  RunResult view = RunAtoll({"query", lake, "--format", "csv", "SELECT n FROM stg.web.tally"});
  EXPECT_EQ(view.exit_code, 0) << view.err;
  EXPECT_NE(view.out.find("42"), std::string::npos) << view.out;

  // The trail names the tokens as the actors of the REST changes.
  RunResult trail = RunAtoll({"trail", "show", lake});
  ASSERT_EQ(trail.exit_code, 0) << trail.err;
  EXPECT_NE(trail.out.find("create stg.web.events by alice@"), std::string::npos) << trail.out;
  EXPECT_NE(trail.out.find("create stg.shop.orders by shop@"), std::string::npos) << trail.out;
  EXPECT_NE(trail.out.find("schema_change stg.web.events by alice@"), std::string::npos);
  EXPECT_NE(trail.out.find("properties_change stg.web.events by alice@"), std::string::npos);
  EXPECT_NE(trail.out.find("drop stg.web.doomed by alice@"), std::string::npos) << trail.out;
  EXPECT_NE(trail.out.find("rename stg.web.old by alice@"), std::string::npos) << trail.out;
  EXPECT_NE(trail.out.find("rename stg.web.renamed by alice@"), std::string::npos) << trail.out;
  EXPECT_FALSE(fs::exists(lake + "/stg/web/doomed/metadata")) << "purge left the files";
  RunResult verify = RunAtoll({"trail", "verify", lake});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // The access log is in the log zone, and names tokens, never secrets.
  RunResult log = RunAtoll({"query", lake, "--format", "csv",
                            "SELECT count(*) FILTER (WHERE fields LIKE '%\"token\":\"alice\"%'), "
                            "count(*) FILTER (WHERE fields LIKE '%atl\\_%' ESCAPE '\\' OR "
                            "message LIKE '%atl\\_%' ESCAPE '\\') FROM log.atoll.events "
                            "WHERE command = 'atoll serve'"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::string counts = log.out.substr(log.out.find('\n') + 1);
  int with_alice = std::stoi(counts.substr(0, counts.find(',')));
  int with_secret = std::stoi(counts.substr(counts.find(',') + 1));
  EXPECT_GT(with_alice, 50) << log.out;
  EXPECT_EQ(with_secret, 0) << log.out;
  for (const auto& [name, secret] : secrets) {
    EXPECT_EQ(trail.out.find(secret), std::string::npos);
    EXPECT_EQ(server.ReadLog().find(secret), std::string::npos);
  }
}

TEST(ServeClientTest, ServesHttpsRefusesPlainHttpOffLoopbackAndHonoursRevocation) {
  std::optional<std::string> node = ::atl::testing::FindOnPath("node");
  if (!node || ::access("/usr/bin/openssl", X_OK) != 0) {
    if (testing::ServersRequired()) FAIL() << "node or /usr/bin/openssl missing";
    GTEST_SKIP() << "node or /usr/bin/openssl missing";
  }
  testing::TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  RunResult made = RunAtoll({"token", "create", lake, "--name", "t", "--scope", "read"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string secret = Trimmed(made.out);

  RunResult refused = RunAtoll({"serve", lake, "--listen", "0.0.0.0:0"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("without TLS"), std::string::npos) << refused.err;

  const std::string cert = dir.Join("cert.pem"), key = dir.Join("key.pem");
  RunResult gen =
      RunProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                  key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  Server server;
  ASSERT_OK(server.Start(lake, dir.Join("serve.log"), {"--tls-cert", cert, "--tls-key", key}));
  EXPECT_NE(server.ReadLog().find("listening on https://"), std::string::npos);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port) + "/iceberg/v1/config";
  RunResult got =
      RunProgram({*node, "-e",
                  "fetch(process.argv[1], {headers: {Authorization: 'Bearer ' + process.argv[2]}})"
                  ".then(async r => console.log(r.status, (await r.json()).endpoints.length))",
                  url, secret},
                 "", {{"NODE_TLS_REJECT_UNAUTHORIZED", "0"}});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out.rfind("200 ", 0), 0u) << got.out << got.err;

  // token list names it; after token revoke the server refuses it within a second.
  RunResult listed = RunAtoll({"token", "list", lake});
  EXPECT_EQ(listed.out, "t\tread\t*\n") << listed.err;
  EXPECT_EQ(RunAtoll({"token", "revoke", lake, "--name", "t"}).exit_code, 0);
  EXPECT_EQ(RunAtoll({"token", "revoke", lake, "--name", "t"}).exit_code, 1);
  EXPECT_EQ(RunAtoll({"token", "list", lake}).out, "");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  RunResult revoked =
      RunProgram({*node, "-e",
                  "fetch(process.argv[1], {headers: {Authorization: 'Bearer ' + process.argv[2]}})"
                  ".then(r => console.log(r.status))",
                  url, secret},
                 "", {{"NODE_TLS_REJECT_UNAUTHORIZED", "0"}});
  EXPECT_EQ(revoked.out.rfind("401", 0), 0u) << revoked.out << revoked.err;
  EXPECT_EQ(server.Stop(), 0) << server.ReadLog();
}

}  // namespace
}  // namespace atl
