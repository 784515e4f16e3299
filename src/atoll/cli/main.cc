// The atoll binary: hands its arguments to the command registry (command.h).
#include <iostream>
#include <string>
#include <vector>

#include "atoll/cli/command.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  atl::cli::Io io{std::cout, std::cerr};
  return atl::cli::Main(args, io);
}
