#include "bench_util.h"

#include "atoll/common/parallel.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/core.h>

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

void PrintTable(const std::vector<Comparison>& rows, const std::string& other) {
  fmt::print("{:<22} {:>16} {:>16} {:>7} {:>6} {:>5}\n", "case", "atoll", other, "ratio",
             "goal", "met");
  for (const auto& r : rows) {
    auto rate = [&](double seconds) { return fmt::format("{:.1f} {}", r.amount / seconds, r.unit); };
    const bool info = r.goal <= 0;  // a row for information, without a goal
    fmt::print("{:<22} {:>16} {:>16} {:>7.2f} {:>6} {:>5}\n", r.name, rate(r.atoll_seconds),
               rate(r.other_seconds), r.Ratio(), info ? "-" : fmt::format("{:.1f}", r.goal),
               info ? "-" : (r.GoalMet() ? "yes" : "no"));
  }
  std::fflush(stdout);
}

}  // namespace atl::bench
