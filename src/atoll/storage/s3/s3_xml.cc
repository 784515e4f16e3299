#include "atoll/storage/s3/s3_xml.h"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

namespace atl::storage::s3xml {
namespace {

// A minimal element tree: S3 answers are small, so building it whole is simplest.
struct Node {
  std::string name;  // local name (namespace prefix, if any, stripped)
  std::string text;
  std::vector<std::unique_ptr<Node>> children;

  const Node* Child(std::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
  std::string ChildText(std::string_view n) const {
    const Node* c = Child(n);
    return c ? c->text : std::string();
  }
};

struct ParseState {
  std::unique_ptr<Node> root;
  std::vector<Node*> stack;
};

void OnStart(void* data, const XML_Char* name, const XML_Char** /*attrs*/) {
  auto* st = static_cast<ParseState*>(data);
  auto node = std::make_unique<Node>();
  std::string_view n(name);
  size_t colon = n.rfind(':');
  node->name = std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
  Node* raw = node.get();
  if (st->stack.empty()) {
    st->root = std::move(node);
  } else {
    st->stack.back()->children.push_back(std::move(node));
  }
  st->stack.push_back(raw);
}

void OnEnd(void* data, const XML_Char* /*name*/) {
  static_cast<ParseState*>(data)->stack.pop_back();
}

void OnText(void* data, const XML_Char* s, int len) {
  auto* st = static_cast<ParseState*>(data);
  if (!st->stack.empty()) st->stack.back()->text.append(s, static_cast<size_t>(len));
}

// Servers that ignore encoding-type=url (s3rver) and error answers that quote a key put
// control characters into their XML raw, which XML 1.0 cannot hold (expat stops at
// them). Before parsing, each such byte becomes kEscape followed by a private-use
// character carrying the byte (kEscape itself is doubled); UnescapeControls undoes it in
// the parsed text. A raw CR cannot be recovered this way: XML turns it into LF.
constexpr std::string_view kEscape = "\xEE\x80\x80";  // U+E000

bool IsXmlIllegalControl(unsigned char c) {
  return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

bool HasIllegalControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return IsXmlIllegalControl(static_cast<unsigned char>(c)); });
}

// U+E100 + c, in UTF-8 (c < 0x20).
std::string CarrierOf(unsigned char c) {
  const unsigned cp = 0xE100 + c;
  return {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
          static_cast<char>(0x80 | (cp & 0x3f))};
}

std::string EscapeControls(std::string_view xml) {
  std::string out;
  out.reserve(xml.size() + 64);
  for (size_t i = 0; i < xml.size(); ++i) {
    const auto c = static_cast<unsigned char>(xml[i]);
    if (IsXmlIllegalControl(c)) {
      out.append(kEscape).append(CarrierOf(c));
    } else if (xml.substr(i, kEscape.size()) == kEscape) {
      out.append(kEscape).append(kEscape);
      i += kEscape.size() - 1;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

void UnescapeControls(Node& node) {
  std::string& t = node.text;
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (std::string_view(t).substr(i, kEscape.size()) == kEscape &&
        i + 2 * kEscape.size() <= t.size()) {
      std::string_view next = std::string_view(t).substr(i + kEscape.size(), kEscape.size());
      i += 2 * kEscape.size() - 1;
      if (next == kEscape) {
        out.append(kEscape);
        continue;
      }
      // Decode the carrier U+E100 + c.
      const unsigned cp = ((next[0] & 0x0fu) << 12) | ((next[1] & 0x3fu) << 6) | (next[2] & 0x3fu);
      out.push_back(static_cast<char>(cp - 0xE100));
      continue;
    }
    out.push_back(t[i]);
  }
  t = std::move(out);
  for (auto& child : node.children) UnescapeControls(*child);
}

Result<std::unique_ptr<Node>> Parse(std::string_view raw, std::string_view what) {
  const bool escaped = HasIllegalControl(raw);
  std::string escaped_text;
  if (escaped) escaped_text = EscapeControls(raw);
  std::string_view xml = escaped ? std::string_view(escaped_text) : raw;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  if (parser == nullptr) return Internal("XML_ParserCreate failed");
  ParseState state;
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(parser, OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser, OnText);
  XML_Status rc = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  std::string error;
  if (rc != XML_STATUS_OK) {
    error = StrCat(XML_ErrorString(XML_GetErrorCode(parser)), " at line ",
                   static_cast<int64_t>(XML_GetCurrentLineNumber(parser)));
  }
  XML_ParserFree(parser);
  if (!error.empty()) return Corruption("S3 ", what, " answer is not valid XML: ", error);
  if (!state.root) return Corruption("S3 ", what, " answer is empty");
  if (escaped) UnescapeControls(*state.root);
  return std::move(state.root);
}

Result<std::unique_ptr<Node>> ParseRoot(std::string_view xml, std::string_view root) {
  ATOLL_ASSIGN_OR_RETURN(auto node, Parse(xml, root));
  if (node->name != root) {
    return Corruption("expected S3 <", root, "> answer, got <", node->name, ">");
  }
  return node;
}

void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      // As references, so that the parser keeps them (it would turn a raw CR into LF).
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
}

// Undoes the percent-encoding of encoding-type=url ('+' stays '+': S3 encodes a space
// as %20 there).
Result<std::string> UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    const int hi = i + 2 < s.size() ? hex(s[i + 1]) : -1;
    const int lo = hi >= 0 ? hex(s[i + 2]) : -1;
    if (lo < 0)
      return Corruption("S3 listing with encoding-type=url has a bad escape in '", s, "'");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

uint64_t ToU64(const std::string& s) {
  return s.empty() ? 0 : std::strtoull(s.c_str(), nullptr, 10);
}

}  // namespace

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

int64_t ParseIsoTime(std::string_view text) {
  std::tm tm{};
  int ms = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return 0;
  }
  size_t dot = s.find('.');
  if (dot != std::string::npos) {
    int digits = 0;
    for (size_t i = dot + 1;
         i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 3;
         ++i, ++digits) {
      ms = ms * 10 + (s[i] - '0');
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

ErrorBody ParseError(std::string_view xml) {
  ErrorBody out;
  if (xml.empty()) return out;
  auto node = Parse(xml, "error");
  if (!node.ok() || (*node)->name != "Error") return out;
  out.code = (*node)->ChildText("Code");
  out.message = (*node)->ChildText("Message");
  return out;
}

Result<ListResult> ParseListObjectsV2(std::string_view xml) {
  ATOLL_ASSIGN_OR_RETURN(auto root, ParseRoot(xml, "ListBucketResult"));
  ListResult out;
  // Keys are percent-encoded only when the server says so: one that ignored the request
  // for it sends them as they are, and decoding those would corrupt a literal '%'.
  const bool url_encoded = root->ChildText("EncodingType") == "url";
  auto name = [url_encoded](const Node& node, std::string_view child) -> Result<std::string> {
    if (!url_encoded) return node.ChildText(child);
    return UrlDecode(node.ChildText(child));
  };
  for (const auto& child : root->children) {
    if (child->name == "Contents") {
      ObjectInfo info;
      ATOLL_ASSIGN_OR_RETURN(info.key, name(*child, "Key"));
      info.size = ToU64(child->ChildText("Size"));
      info.etag = Unquote(child->ChildText("ETag"));
      info.mtime_ms = ParseIsoTime(child->ChildText("LastModified"));
      out.page.objects.push_back(std::move(info));
    } else if (child->name == "CommonPrefixes") {
      ATOLL_ASSIGN_OR_RETURN(std::string prefix, name(*child, "Prefix"));
      out.page.common_prefixes.push_back(std::move(prefix));
    }
  }
  if (root->ChildText("IsTruncated") == "true") {
    out.page.next_token = root->ChildText("NextContinuationToken");
    if (out.page.next_token.empty()) {
      return Corruption("S3 listing is truncated but has no NextContinuationToken");
    }
  }
  return out;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view xml) {
  ATOLL_ASSIGN_OR_RETURN(auto root, ParseRoot(xml, "InitiateMultipartUploadResult"));
  std::string id = root->ChildText("UploadId");
  if (id.empty()) return Corruption("S3 InitiateMultipartUploadResult has no UploadId");
  return id;
}

Result<ResultOrError> ParseCompleteOrCopy(std::string_view xml) {
  ATOLL_ASSIGN_OR_RETURN(auto root, Parse(xml, "CompleteMultipartUpload/CopyObject"));
  ResultOrError out;
  if (root->name == "Error") {
    out.error.code = root->ChildText("Code");
    out.error.message = root->ChildText("Message");
    return out;
  }
  if (root->name != "CompleteMultipartUploadResult" && root->name != "CopyObjectResult") {
    return Corruption("unexpected S3 answer <", root->name, ">");
  }
  out.etag = Unquote(root->ChildText("ETag"));
  out.mtime_ms = ParseIsoTime(root->ChildText("LastModified"));
  return out;
}

Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view xml) {
  ATOLL_ASSIGN_OR_RETURN(auto root, ParseRoot(xml, "DeleteResult"));
  std::vector<DeleteError> out;
  for (const auto& child : root->children) {
    if (child->name != "Error") continue;
    out.push_back({child->ChildText("Key"), child->ChildText("Code"), child->ChildText("Message")});
  }
  return out;
}

bool XmlCanHold(std::string_view text) { return !HasIllegalControl(text); }

std::string DeleteObjectsBody(const std::vector<std::string>& keys, size_t begin, size_t end) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>)";
  for (size_t i = begin; i < end; ++i) {
    out += "<Object><Key>";
    AppendEscaped(out, keys[i]);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

std::string CompleteMultipartBody(const std::vector<std::pair<int, std::string>>& parts) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>)";
  for (const auto& [number, etag] : parts) {
    out += StrCat("<Part><PartNumber>", number, "</PartNumber><ETag>\"");
    AppendEscaped(out, etag);
    out += "\"</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace atl::storage::s3xml
