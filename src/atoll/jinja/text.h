// Text helpers of the Jinja engine (internal): UTF-8 code points, Python-like string
// operations (str.split, str.strip, str.splitlines, case changes on ASCII letters).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace atl::jinja::text {

// The code points of UTF-8 `s`; an invalid byte becomes one code point of its own
// (U+DC80..U+DCFF, like Python's surrogateescape) that Encode turns back into the byte.
std::u32string Decode(std::string_view s);
std::string Encode(std::u32string_view s);
void AppendCodePoint(std::string& out, char32_t c);
// Number of code points (Python's len(str)).
int64_t Length(std::string_view s);
bool IsAscii(std::string_view s);

// Python's str.isspace() for one code point (ASCII and the common Unicode spaces).
bool IsSpace(char32_t c);
std::string Strip(std::string_view s, bool left, bool right, const std::string* chars);
// str.split(sep, maxsplit): sep null splits on runs of whitespace.
std::vector<std::string> Split(std::string_view s, const std::string* sep, int64_t maxsplit);
// str.splitlines() without keepends.
std::vector<std::string> SplitLines(std::string_view s);
std::string Upper(std::string_view s);
std::string Lower(std::string_view s);
// str.capitalize() and str.title().
std::string Capitalize(std::string_view s);
std::string Title(std::string_view s);
// str.replace(old, new, count): count < 0 replaces all.
std::string Replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);

}  // namespace atl::jinja::text
