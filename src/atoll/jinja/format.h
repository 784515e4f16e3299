// Python string formatting for the Jinja engine (internal): `"%s-%05.2f" % args` (also
// the `format` filter) and `"{} {name!r:>8}".format(...)`.
#pragma once

#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/jinja/value.h"

namespace atl::jinja {

class Interp;

// printf-style: `args` is a tuple (positional), a dict (for %(name)s) or one value.
Result<std::string> PercentFormat(Interp& in, std::string_view fmt, const Value& args);
// str.format(*positional, **keyword).
Result<std::string> BraceFormat(Interp& in, std::string_view fmt, const CallArgs& args);

}  // namespace atl::jinja
