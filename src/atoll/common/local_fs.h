// Local file system calls as Status. std::filesystem reports failures as std::error_code;
// ErrorCodeToStatus is the one place such a code becomes a Status (beside ErrnoToStatus in
// status.h, which it uses for the system's errno codes, so a missing directory is kNotFound
// and a full disk kIOError whichever API saw it).
//
// Thread safety: the functions may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "atoll/common/result.h"

namespace atl {

// `ec` as a Status "<what>: <reason>": errno codes (the generic and system categories) as
// ErrnoToStatus maps them, any other category as kIOError. OK when `ec` holds no error.
Status ErrorCodeToStatus(const std::error_code& ec, std::string_view what);

// Creates the local directory `path` and its missing parents (as `mkdir -p`); OK when it
// exists already. Errors read "creating <path>: <reason>".
Status CreateDirectories(const std::string& path);

// The size of the local file `path`. Errors read "sizing <path>: <reason>".
Result<uint64_t> LocalFileSize(const std::string& path);

}  // namespace atl
