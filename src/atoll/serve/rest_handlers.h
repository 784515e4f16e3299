// Internal to the serve layer: the state the REST handlers share, one call's parsed
// request, and the handlers (rest_namespaces.cc, rest_tables.cc, rest_views.cc). Each
// handler returns the response or an error Status, which rest_catalog.cc turns into an
// ErrorModel (rest_errors.h). Authorization is checked by the handlers themselves through
// Authorize (they know the namespace and whether they write).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/event_log.h"
#include "atoll/serve/http.h"
#include "atoll/serve/rest_catalog.h"
#include "atoll/serve/rest_errors.h"
#include "atoll/serve/tokens.h"
#include "atoll/trail/log.h"

namespace atl::serve {

struct RestCatalog::State {
  std::shared_ptr<const lake::Lake> lake;
  lake::LakeTables tables;
  std::unique_ptr<trail::Trail> trail;
  std::unique_ptr<lake::EventLog> access_log;
  std::unique_ptr<TokenCache> tokens;
  RestCatalogOptions options;
  int64_t Now() const { return options.now_ms(); }

  // loadTable answers by metadata file and snapshots mode ("<location>|all"): a metadata
  // file never changes, so its answer is made once (the pointer is still read on every
  // request). At most kLoadCacheEntries; emptied when full.
  static constexpr size_t kLoadCacheEntries = 256;
  std::mutex load_cache_mu;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> load_cache;
};

// One request, parsed: the path segments after /iceberg/v1 (still percent-encoded), the
// decoded query parameters, the token, and the table the access event names.
struct Call {
  const HttpRequest& request;
  RestCatalog::State& state;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  Token token;
  std::string subject;  // "stg.shop.orders" for the access log, "" when none

  std::optional<std::string> Query(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
};

// A 403 (kPermissionDenied) unless the call's token may read (write) `ns`; writes to the
// read-only zones (trail, stats, log) and to the landing zones are refused too.
Status Authorize(const Call& call, const iceberg::Namespace& ns, bool write);

// Percent-decoding of one path segment or query value ('+' stays '+' in paths).
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);
// A namespace path parameter: levels separated by %1F (or the byte 0x1F), each decoded and
// checked (iceberg::ValidateNamespace, lake::TableNameProblem: no '.', '/', control
// characters, at most 100 bytes). kInvalidArgument otherwise.
Result<iceberg::Namespace> ParseNamespaceParam(std::string_view raw);
// Decoded text with levels separated by the byte 0x1F (the `parent` query parameter),
// checked like ParseNamespaceParam.
Result<iceberg::Namespace> SplitLevels(std::string_view decoded);
// A table or view name path parameter, decoded and checked like a namespace level.
Result<std::string> ParseNameParam(std::string_view raw);
// The body as a JSON object; kInvalidArgument otherwise.
Result<nlohmann::json> ParseBody(const Call& call);
// A JSON response.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
// A namespace as JSON (an array of strings).
nlohmann::json NamespaceJson(const iceberg::Namespace& ns);
// Parses a JSON namespace (array of strings) and checks it like ParseNamespaceParam.
Result<iceberg::Namespace> NamespaceFromJson(const nlohmann::json& j);
// {"namespace": [...], "name": "..."}, checked like the path parameters.
Result<iceberg::TableIdentifier> IdentifierFromJson(const nlohmann::json& j);
// pageToken / pageSize: the slice of `count` items to answer and the next page's token.
struct Page {
  size_t begin = 0;
  size_t end = 0;
  std::string next_token;  // "" on the last page
};
Result<Page> PageOf(const Call& call, size_t count);
// The answer of a list of tables or views: one page of `ids` as {"identifiers": [...],
// "next-page-token": ...}.
Result<HttpResponse> IdentifierPage(const Call& call,
                                    const std::vector<iceberg::TableIdentifier>& ids);

// --- handlers (segments after "v1") -------------------------------------------------------
Result<HttpResponse> ListNamespaces(Call& call);
Result<HttpResponse> CreateNamespace(Call& call);
Result<HttpResponse> LoadNamespace(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> DropNamespace(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> UpdateNamespaceProperties(Call& call, const iceberg::Namespace& ns);

Result<HttpResponse> ListTables(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> CreateTable(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> LoadTable(Call& call, const iceberg::TableIdentifier& id);
Result<HttpResponse> CommitTable(Call& call, const iceberg::TableIdentifier& id);
Result<HttpResponse> DropTable(Call& call, const iceberg::TableIdentifier& id);
Result<HttpResponse> RenameTable(Call& call);
Result<HttpResponse> RegisterTable(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> CommitTransaction(Call& call);

Result<HttpResponse> ListViews(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> CreateView(Call& call, const iceberg::Namespace& ns);
Result<HttpResponse> LoadView(Call& call, const iceberg::TableIdentifier& id);
Result<HttpResponse> ReplaceView(Call& call, const iceberg::TableIdentifier& id);
Result<HttpResponse> DropView(Call& call, const iceberg::TableIdentifier& id);
Result<HttpResponse> RenameView(Call& call);

}  // namespace atl::serve
