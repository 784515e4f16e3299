// storage_bench: PUT and GET of one large object and of many small objects, atoll's S3
// store against Debian's awscli (/usr/bin/aws) on the same S3 server in one run,
// printing both rates, the ratio and whether the goal is met:
//   1,000 x 64 KiB objects, PUT and GET: atoll >= 2x awscli
//   one 256 MiB object, PUT and GET:     atoll >= 1.5x awscli
//
// The server comes from ATOLL_TEST_SWIFT_{ENDPOINT,ACCESS_KEY,SECRET_KEY,REGION}
// (scripts/bench.sh starts Swift and sets them). Without an endpoint the program exits
// with status 77 (a skip for CTest), unless ATOLL_REQUIRE_SERVERS=1.
//
// Each client does the same work on its own prefix of one fresh bucket:
//   small PUT  atoll: parallel Puts of the files;  aws s3 cp --recursive DIR s3://...
//   small GET  atoll: list, then parallel Gets written to files;  aws s3 cp --recursive
//   large PUT  atoll: Put of a file body (parallel multipart upload);  aws s3 cp FILE
//   large GET  atoll: DownloadToFile (parallel ranged GETs);  aws s3 cp s3://... FILE
// awscli runs with its defaults (10 concurrent requests, 8 MiB parts), path-style
// addressing. Every download is compared byte for byte with its source (not timed).
// With --repeat N each transfer runs N times and the fastest run counts.
//
// Options: --small-count N (1000) --small-kib N (64) --large-mib N (256)
//          --parallel N (16, atoll's objects in flight) --repeat N (1)
//          --aws PATH (/usr/bin/aws) --work-dir DIR ($TMPDIR or /tmp)
// Exit status: 0 when every transfer succeeded (goals met or not), 1 on an error,
// 2 on a usage error, 77 when there is no server.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "atoll/storage/body.h"
#include "atoll/storage/s3/s3_store.h"
#include "atoll/storage/store.h"
#include "bench_util.h"

namespace atl::bench {
namespace {

namespace fs = std::filesystem;
using storage::Body;
using storage::S3Store;

struct Options {
  int small_count = 1000;
  uint64_t small_kib = 64;
  uint64_t large_mib = 256;
  int parallel = 16;
  int repeat = 1;
  std::string aws = "/usr/bin/aws";
  std::string work_dir;
  std::string server = "swift";  // which loopback server: swift or s3rver
};

std::string Env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

Result<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return InvalidArgument("option ", flag, " needs a value");
    std::string value = argv[++i];
    auto number = [&]() -> Result<long> {
      char* end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 1) {
        return InvalidArgument(flag, " needs a positive number, not '", value, "'");
      }
      return n;
    };
    if (flag == "--aws") {
      o.aws = value;
      continue;
    }
    if (flag == "--work-dir") {
      o.work_dir = value;
      continue;
    }
    if (flag == "--server") {
      if (value != "swift" && value != "s3rver")
        return InvalidArgument("--server is swift or s3rver, not '", value, "'");
      o.server = value;
      continue;
    }
    ATOLL_ASSIGN_OR_RETURN(long n, number());
    if (flag == "--small-count")
      o.small_count = static_cast<int>(n);
    else if (flag == "--small-kib")
      o.small_kib = static_cast<uint64_t>(n);
    else if (flag == "--large-mib")
      o.large_mib = static_cast<uint64_t>(n);
    else if (flag == "--parallel")
      o.parallel = static_cast<int>(n);
    else if (flag == "--repeat")
      o.repeat = static_cast<int>(n);
    else
      return InvalidArgument("unknown option ", flag);
  }
  return o;
}

std::string RandomBytes(size_t n, std::mt19937_64& rng) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return out;
}

std::string SmallName(size_t i) { return fmt::format("object-{:05}", i); }

// The benchmark's files: small/ with the small objects, large.bin, and empty output
// directories that each GET run refills.
class Workspace {
 public:
  explicit Workspace(std::string root) : root_(std::move(root)) {}
  ~Workspace() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  Status Fill(const Options& o) {
    std::mt19937_64 rng(20240611);
    fs::create_directories(small_dir());
    for (int i = 0; i < o.small_count; ++i) {
      ATOLL_RETURN_NOT_OK(
          WriteFile(small_dir() + "/" + SmallName(i), RandomBytes(o.small_kib << 10, rng)));
    }
    return WriteFile(large_file(), RandomBytes(o.large_mib << 20, rng));
  }
  // An empty directory for one download run.
  std::string FreshOutput(const std::string& name) {
    std::string dir = root_ + "/out-" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
  }
  std::string small_dir() const { return root_ + "/small"; }
  std::string large_file() const { return root_ + "/large.bin"; }
  std::string aws_config() const { return root_ + "/aws-config"; }

 private:
  std::string root_;
};

// Every file of `out` matches the source file of the same name, and all are present.
Status CheckSmall(const Workspace& ws, const std::string& out, int count) {
  return ParallelFor(static_cast<size_t>(count), 4, [&](size_t i) {
    return SameFile(ws.small_dir() + "/" + SmallName(i), out + "/" + SmallName(i));
  });
}

class StorageBench {
 public:
  StorageBench(Options o, S3Store& store, Workspace& ws)
      : o_(std::move(o)), store_(store), ws_(ws) {
    s3_root_ = "s3://" + store_.config().bucket;
  }

  Status Run(std::vector<Comparison>* rows) {
    std::string small = fmt::format("{} x {} KiB", o_.small_count, o_.small_kib);
    std::string large = fmt::format("1 x {} MiB", o_.large_mib);
    double objects = o_.small_count, mib = static_cast<double>(o_.large_mib);
    auto no_check = [] { return Status::OK(); };
    ATOLL_RETURN_NOT_OK(Compare(
        {"PUT " + small, objects, "objects/s", 2.0}, [&] { return AtollSmallPut(); },
        [&] {
          return AwsCopy({"--recursive", ws_.small_dir(), s3_root_ + "/aws/small/"});
        },
        no_check, rows));
    ATOLL_RETURN_NOT_OK(Compare(
        {"GET " + small, objects, "objects/s", 2.0}, [&] { return AtollSmallGet(); },
        [&] { return AwsSmallGet(); },
        [&] {
          ATOLL_RETURN_NOT_OK_CTX(CheckSmall(ws_, atoll_out_, o_.small_count), "atoll download");
          return CheckSmall(ws_, aws_out_, o_.small_count).WithContext("awscli download");
        },
        rows));
    ATOLL_RETURN_NOT_OK(Compare(
        {"PUT " + large, mib, "MiB/s", 1.5}, [&] { return AtollLargePut(); },
        [&] {
          return AwsCopy({ws_.large_file(), s3_root_ + "/aws/large.bin"});
        },
        no_check, rows));
    return Compare(
        {"GET " + large, mib, "MiB/s", 1.5}, [&] { return AtollLargeGet(); },
        [&] { return AwsLargeGet(); },
        [&] {
          ATOLL_RETURN_NOT_OK_CTX(SameFile(ws_.large_file(), atoll_out_ + "/large.bin"),
                                  "atoll download");
          return SameFile(ws_.large_file(), aws_out_ + "/large.bin").WithContext("awscli download");
        },
        rows);
  }

 private:
  using Step = std::function<Status()>;

  // Runs both sides o_.repeat times, alternating, keeping each side's fastest time, then
  // `check`s the last run's downloads (not timed) and appends the row.
  Status Compare(Comparison c, const Step& atoll, const Step& aws, const Step& check,
                 std::vector<Comparison>* rows) {
    c.atoll_seconds = c.other_seconds = 1e300;
    for (int r = 0; r < o_.repeat; ++r) {
      ATOLL_ASSIGN_OR_RETURN_CTX(double a, Time(atoll), "atoll: " + c.name);
      ATOLL_ASSIGN_OR_RETURN_CTX(double b, Time(aws), "awscli: " + c.name);
      c.atoll_seconds = std::min(c.atoll_seconds, a);
      c.other_seconds = std::min(c.other_seconds, b);
      fmt::print(stderr, "[bench] {}: atoll {:.2f} s, awscli {:.2f} s\n", c.name, a, b);
    }
    ATOLL_RETURN_NOT_OK_CTX(check(), "checking the downloads of " + c.name);
    rows->push_back(c);
    return Status::OK();
  }

  Status AtollSmallPut() {
    return ParallelFor(static_cast<size_t>(o_.small_count), o_.parallel, [&](size_t i) -> Status {
      ATOLL_ASSIGN_OR_RETURN(Body body, Body::FromFile(ws_.small_dir() + "/" + SmallName(i)));
      return store_.Put("atoll/small/" + SmallName(i), body).status();
    });
  }

  Status AtollSmallGet() {
    atoll_out_ = ws_.FreshOutput("atoll");
    ATOLL_ASSIGN_OR_RETURN(auto objects, storage::ListAll(store_, "atoll/small/"));
    return ParallelFor(objects.size(), o_.parallel, [&](size_t i) -> Status {
      const std::string& key = objects[i].key;
      ATOLL_ASSIGN_OR_RETURN(std::string data, store_.Get(key));
      return WriteFile(atoll_out_ + "/" + key.substr(key.rfind('/') + 1), data);
    });
  }

  Status AtollLargePut() {
    ATOLL_ASSIGN_OR_RETURN(Body body, Body::FromFile(ws_.large_file()));
    return store_.Put("atoll/large.bin", body).status();
  }

  Status AtollLargeGet() {
    atoll_out_ = ws_.FreshOutput("atoll");
    return storage::DownloadToFile(store_, "atoll/large.bin", atoll_out_ + "/large.bin",
                                   store_.config().max_parallel, store_.config().part_size);
  }

  Status AwsSmallGet() {
    aws_out_ = ws_.FreshOutput("aws");
    return AwsCopy({"--recursive", s3_root_ + "/aws/small/", aws_out_});
  }

  Status AwsLargeGet() {
    aws_out_ = ws_.FreshOutput("aws");
    return AwsCopy({s3_root_ + "/aws/large.bin", aws_out_ + "/large.bin"});
  }

  Status AwsCopy(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {o_.aws, "--endpoint-url",    store_.config().endpoint, "s3",
                                     "cp",   "--only-show-errors"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv);
  }

  Options o_;
  S3Store& store_;
  Workspace& ws_;
  std::string s3_root_;
  std::string atoll_out_, aws_out_;
};

// awscli reads its settings from the environment; nothing from ~/.aws is used.
Status ConfigureAwsCli(const storage::S3Config& c, const std::string& config_file) {
  ATOLL_RETURN_NOT_OK(WriteFile(config_file, "[default]\ns3 =\n  addressing_style = path\n"));
  const std::pair<const char*, std::string> vars[] = {
      {"AWS_CONFIG_FILE", config_file},
      {"AWS_SHARED_CREDENTIALS_FILE", config_file + ".absent"},
      {"AWS_ACCESS_KEY_ID", c.access_key_id},
      {"AWS_SECRET_ACCESS_KEY", c.secret_access_key},
      {"AWS_DEFAULT_REGION", c.region},
      {"AWS_MAX_ATTEMPTS", "3"},
      {"AWS_RETRY_MODE", "standard"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
      {"AWS_PAGER", ""}};
  for (const auto& [name, value] : vars) ::setenv(name, value.c_str(), 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::unsetenv("AWS_PROFILE");
  return Status::OK();
}

Status CleanUp(S3Store& store) {
  ATOLL_ASSIGN_OR_RETURN(auto objects, storage::ListAll(store, ""));
  std::vector<std::string> keys;
  for (const auto& o : objects) keys.push_back(o.key);
  return store.DeleteMany(keys);
}

int Main(int argc, char** argv) {
  auto options = ParseOptions(argc, argv);
  if (!options.ok()) {
    fmt::print(stderr, "storage_bench: {}\n", options.status().message());
    return 2;
  }
  storage::S3Config config;
  // The server's endpoint and keys come from ATOLL_TEST_<SERVER>_* (scripts/bench.sh).
  const std::string prefix =
      "ATOLL_TEST_" + std::string(options->server == "swift" ? "SWIFT" : "S3RVER");
  auto var = [&](const char* suffix, const char* fallback = "") {
    return Env((prefix + suffix).c_str(), fallback);
  };
  config.endpoint = var("_ENDPOINT");
  if (config.endpoint.empty()) {
    fmt::print(
        stderr,
        "storage_bench: {}_ENDPOINT is not set (scripts/bench.sh starts the servers and sets it)\n",
        prefix);
    return Env("ATOLL_REQUIRE_SERVERS") == "1" ? 1 : 77;
  }
  config.access_key_id = var("_ACCESS_KEY");
  config.secret_access_key = var("_SECRET_KEY");
  config.region = var("_REGION", "us-east-1");
  config.path_style = true;
  config.bucket = fmt::format("atoll-bench-{}-{}", ::getpid(), std::random_device()() % 100000);

  std::string base = options->work_dir.empty() ? Env("TMPDIR", "/tmp") : options->work_dir;
  Workspace ws(fmt::format("{}/atoll-bench-{}", base, ::getpid()));
  auto run = [&]() -> Status {
    ATOLL_RETURN_NOT_OK_CTX(ws.Fill(*options), "writing the benchmark's files");
    ATOLL_RETURN_NOT_OK(ConfigureAwsCli(config, ws.aws_config()));
    ATOLL_ASSIGN_OR_RETURN(auto store, S3Store::Open(config));
    ATOLL_RETURN_NOT_OK(store->CreateBucket());
    fmt::print("storage_bench: {} on {} at {}, atoll parallel {}, best of {}\n", store->Describe(),
               options->server, config.endpoint, options->parallel, options->repeat);
    std::vector<Comparison> rows;
    Status st = StorageBench(*options, *store, ws).Run(&rows);
    Status cleaned = CleanUp(*store);
    ATOLL_RETURN_NOT_OK(st);
    PrintTable(rows, "awscli");
    return cleaned.WithContext("deleting the benchmark's objects");
  };
  Status st = run();
  if (!st.ok()) {
    fmt::print(stderr, "storage_bench: {}\n", st.ToString());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace atl::bench

int main(int argc, char** argv) { return atl::bench::Main(argc, argv); }
