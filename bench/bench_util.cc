#include "bench_util.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <thread>

#include "atoll/common/parallel.h"

extern char** environ;

namespace atl::bench {

Result<double> Time(const std::function<Status()>& fn) {
  auto start = std::chrono::steady_clock::now();
  ATOLL_RETURN_NOT_OK(fn());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Status WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return IOError("could not write ", path);
  return Status::OK();
}

Status SameFile(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa) return IOError("could not open ", a);
  if (!fb) return IOError("could not open ", b);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  uint64_t offset = 0;
  while (true) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    auto na = fa.gcount(), nb = fb.gcount();
    if (na != nb) return Corruption(b, " differs in size from ", a);
    if (std::memcmp(ba.data(), bb.data(), static_cast<size_t>(na)) != 0) {
      return Corruption(b, " differs from ", a, " in the MiB at offset ", offset);
    }
    if (na == 0) return Status::OK();
    offset += static_cast<uint64_t>(na);
  }
}

Status RunProgram(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int err = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  std::string command = argv[0];
  for (size_t i = 1; i < argv.size(); ++i) command += " " + argv[i];
  if (err != 0) return ErrnoToStatus(err, StrCat("starting ", command));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, StrCat("waiting for ", command));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::OK();
  if (WIFEXITED(status)) return IOError(command, " failed with exit status ", WEXITSTATUS(status));
  return IOError(command, " was killed by signal ", WTERMSIG(status));
}

Flags& Flags::Add(std::string name, int* value) {
  flags_.push_back({std::move(name), value});
  return *this;
}
Flags& Flags::Add(std::string name, int64_t* value) {
  flags_.push_back({std::move(name), value});
  return *this;
}
Flags& Flags::Add(std::string name, std::string* value) {
  flags_.push_back({std::move(name), value});
  return *this;
}
Flags& Flags::Switch(std::string name, bool* value) {
  flags_.push_back({std::move(name), value});
  return *this;
}

std::string Flags::Usage() const {
  std::string out = "usage: " + program_;
  bool repeat = false;
  for (const Flag& f : flags_) {
    repeat |= f.name == "--repeat";
    const char* meta = std::holds_alternative<bool*>(f.target)          ? ""
                       : std::holds_alternative<std::string*>(f.target) ? " TEXT"
                                                                        : " N";
    out += " [" + f.name + meta + "]";
  }
  if (!repeat) out += " [--repeat N]";
  return out;
}

bool Flags::ParseOrComplain(int argc, char** argv) const {
  Status st = Parse(argc, argv);
  if (!st.ok()) fmt::print(stderr, "{}\n", st.message());
  return st.ok();
}

Status Flags::Parse(int argc, char** argv) const {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    auto flag =
        std::find_if(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags_.end() && name != "--repeat") {
      return InvalidArgument("unknown option ", name, "\n", Usage());
    }
    if (flag != flags_.end() && std::holds_alternative<bool*>(flag->target)) {
      *std::get<bool*>(flag->target) = true;
      continue;
    }
    if (i + 1 >= argc) return InvalidArgument(name, " needs a value\n", Usage());
    const std::string value = argv[++i];
    if (flag == flags_.end()) continue;  // --repeat, unbound
    if (auto* text = std::get_if<std::string*>(&flag->target)) {
      **text = value;
      continue;
    }
    int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    const bool is_int = std::holds_alternative<int*>(flag->target);
    if (ec != std::errc() || end != value.data() + value.size() || n < 0 ||
        (is_int && n > std::numeric_limits<int>::max())) {
      return InvalidArgument(name, " needs a whole number, not '", value, "'\n", Usage());
    }
    if (is_int) {
      *std::get<int*>(flag->target) = static_cast<int>(n);
    } else {
      *std::get<int64_t*>(flag->target) = n;
    }
  }
  return Status::OK();
}

void PrintTable(const std::vector<Comparison>& rows, const std::string& other) {
  fmt::print("{:<22} {:>16} {:>16} {:>7} {:>6} {:>5}\n", "case", "atoll", other, "ratio", "goal",
             "met");
  for (const auto& r : rows) {
    auto rate = [&](double seconds) {
      return fmt::format("{:.1f} {}", r.amount / seconds, r.unit);
    };
    const bool info = r.goal <= 0;  // a row for information, without a goal
    fmt::print("{:<22} {:>16} {:>16} {:>7.2f} {:>6} {:>5}\n", r.name, rate(r.atoll_seconds),
               rate(r.other_seconds), r.Ratio(), info ? "-" : fmt::format("{:.1f}", r.goal),
               info ? "-" : (r.GoalMet() ? "yes" : "no"));
  }
  std::fflush(stdout);
}

}  // namespace atl::bench
