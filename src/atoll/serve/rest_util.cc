// Helpers of the REST handlers (rest_handlers.h): decoding, names, bodies, paging, access.
#include <charconv>

#include "atoll/serve/rest_handlers.h"

namespace atl::serve {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status CheckLevel(const std::string& level) {
  ATOLL_RETURN_NOT_OK(iceberg::ValidateNamespace({level}));
  if (std::string problem = lake::TableNameProblem(level); !problem.empty()) {
    return InvalidArgument(problem);
  }
  return Status::OK();
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return InvalidArgument("bad percent-encoding in '", text, "'");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<iceberg::Namespace> ParseNamespaceParam(std::string_view raw) {
  // Decoding turns "%1F" (and a literal 0x1F from clients that decoded the path) into the
  // separator byte; levels then may not hold one, since it is what splits them.
  ATOLL_ASSIGN_OR_RETURN(std::string decoded, PercentDecode(raw, false));
  return SplitLevels(decoded);
}

Result<iceberg::Namespace> SplitLevels(std::string_view decoded) {
  iceberg::Namespace ns;
  size_t start = 0;
  for (size_t i = 0; i <= decoded.size(); ++i) {
    if (i == decoded.size() || decoded[i] == '\x1f') {
      ns.emplace_back(decoded.substr(start, i - start));
      start = i + 1;
    }
  }
  for (const std::string& level : ns) ATOLL_RETURN_NOT_OK(CheckLevel(level));
  return ns;
}

Result<std::string> ParseNameParam(std::string_view raw) {
  ATOLL_ASSIGN_OR_RETURN(std::string name, PercentDecode(raw, false));
  ATOLL_RETURN_NOT_OK(CheckLevel(name));
  return name;
}

Result<nlohmann::json> ParseBody(const Call& call) {
  nlohmann::json j = nlohmann::json::parse(call.request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("the request body is not a JSON object");
  }
  return j;
}

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse res;
  res.status = status;
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

nlohmann::json NamespaceJson(const iceberg::Namespace& ns) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& level : ns) out.push_back(level);
  return out;
}

Result<iceberg::Namespace> NamespaceFromJson(const nlohmann::json& j) {
  if (!j.is_array() || j.empty())
    return InvalidArgument("a namespace is a non-empty array of strings");
  iceberg::Namespace ns;
  for (const auto& level : j) {
    if (!level.is_string()) return InvalidArgument("a namespace is a non-empty array of strings");
    ns.push_back(level.get<std::string>());
    ATOLL_RETURN_NOT_OK(CheckLevel(ns.back()));
  }
  return ns;
}

Result<iceberg::TableIdentifier> IdentifierFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("a table identifier is {namespace, name}");
  ATOLL_ASSIGN_OR_RETURN(iceberg::Namespace ns,
                         NamespaceFromJson(j.value("namespace", nlohmann::json())));
  if (!j.contains("name") || !j["name"].is_string()) {
    return InvalidArgument("a table identifier needs a name");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string name, ParseNameParam(j["name"].get<std::string>()));
  return iceberg::TableIdentifier{ns, name};
}

Result<Page> PageOf(const Call& call, size_t count) {
  Page page;
  page.end = count;
  auto parse = [](const std::string& text, const char* what) -> Result<size_t> {
    size_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) {
      return InvalidArgument(what, " must be a whole number, got '", text, "'");
    }
    return v;
  };
  if (auto token = call.Query("pageToken"); token && !token->empty()) {
    ATOLL_ASSIGN_OR_RETURN(page.begin, parse(*token, "pageToken"));
    page.begin = std::min(page.begin, count);
  }
  if (auto size = call.Query("pageSize")) {
    ATOLL_ASSIGN_OR_RETURN(size_t n, parse(*size, "pageSize"));
    if (n == 0) return InvalidArgument("pageSize must be at least 1");
    if (page.begin + n < count) {
      page.end = page.begin + n;
      page.next_token = std::to_string(page.end);
    }
  }
  return page;
}

Result<HttpResponse> IdentifierPage(const Call& call,
                                    const std::vector<iceberg::TableIdentifier>& ids) {
  ATOLL_ASSIGN_OR_RETURN(Page page, PageOf(call, ids.size()));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = page.begin; i < page.end; ++i) {
    list.push_back({{"namespace", NamespaceJson(ids[i].ns)}, {"name", ids[i].name}});
  }
  nlohmann::json body = {{"identifiers", list}};
  if (!page.next_token.empty()) body["next-page-token"] = page.next_token;
  return JsonResponse(200, body);
}

Status Authorize(const Call& call, const iceberg::Namespace& ns, bool write) {
  const Token& token = call.token;
  if (write && token.scope != TokenScope::kWrite) {
    return PermissionDenied("token '", token.name, "' may only read");
  }
  if (!TokenAllows(token, ns, false)) {
    return PermissionDenied("token '", token.name, "' is confined to namespace ",
                            iceberg::NamespaceToString(token.ns));
  }
  if (write) {
    const lake::Zones& z = call.state.lake->settings().zones;
    const std::string zone = ns.empty() ? "" : ns[0];
    if (zone == z.trail || zone == z.stats || zone == z.log) {
      return PermissionDenied("the ", zone, " zone is read-only");
    }
    if (zone != z.stg && zone != z.tmp && zone != z.prd) {
      return PermissionDenied("namespace '", iceberg::NamespaceToString(ns),
                              "' is not in a zone of tables (", z.stg, ", ", z.tmp, ", ", z.prd,
                              ")");
    }
  }
  return Status::OK();
}

}  // namespace atl::serve
