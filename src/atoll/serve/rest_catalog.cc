#include "atoll/serve/rest_catalog.h"

#include <chrono>
#include <utility>

#include "atoll/common/clock.h"
#include "atoll/records/lake_trail.h"
#include "atoll/serve/rest_handlers.h"

namespace atl::serve {

namespace {

// What GET /v1/config lists as implemented (the spec's endpoint strings).
const char* const kEndpoints[] = {
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "POST /v1/{prefix}/tables/rename",
    "POST /v1/{prefix}/transactions/commit",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
    "POST /v1/{prefix}/namespaces/{namespace}/views",
    "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/views/rename",
};

HttpResponse Unauthorized(std::string_view why) {
  HttpResponse res = ErrorResponse(401, "NotAuthorizedException", why);
  res.headers["WWW-Authenticate"] = "Bearer";
  return res;
}

HttpResponse NoRoute(const HttpRequest& req) {
  return ErrorResponse(404, "NoSuchEndpointException",
                       StrCat("no endpoint ", req.method, " at this path"));
}

// POST /v1/oauth/tokens, grant_type=client_credentials: client_id is the token's name,
// client_secret its secret; the access token answered is the secret itself (atoll mints no
// session tokens: the secret is already a bearer token). Errors in the OAuth shape.
HttpResponse OAuthTokens(RestCatalog::State& state, const HttpRequest& req) {
  auto oauth_error = [](int code, const char* error, const char* description) {
    return JsonResponse(code, {{"error", error}, {"error_description", description}});
  };
  std::map<std::string, std::string> form;
  size_t pos = 0;
  const std::string& body = req.body;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    std::string_view pair(body.data() + pos, amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      Result<std::string> k = PercentDecode(pair.substr(0, eq), true);
      Result<std::string> v = PercentDecode(pair.substr(eq + 1), true);
      if (k.ok() && v.ok()) form[*k] = *v;
    }
    pos = amp + 1;
  }
  if (form["grant_type"] != "client_credentials") {
    return oauth_error(400, "unsupported_grant_type", "only client_credentials is supported");
  }
  Result<std::optional<Token>> found = state.tokens->Find(form["client_secret"], state.Now());
  if (!found.ok()) return oauth_error(400, "invalid_request", "the tokens cannot be read");
  if (!found->has_value() || (*found)->name != form["client_id"]) {
    return oauth_error(401, "invalid_client", "unknown client or wrong secret");
  }
  return JsonResponse(200,
                      {{"access_token", form["client_secret"]},
                       {"token_type", "bearer"},
                       {"issued_token_type", "urn:ietf:params:oauth:token-type:access_token"}});
}

Result<HttpResponse> Config() {
  nlohmann::json endpoints = nlohmann::json::array();
  for (const char* e : kEndpoints) endpoints.push_back(e);
  return JsonResponse(200, {{"defaults", nlohmann::json::object()},
                            {"overrides", nlohmann::json::object()},
                            {"endpoints", endpoints}});
}

// Routes a call whose token is known. `missing` is set to what a kNotFound means.
Result<HttpResponse> Route(Call& call, Missing* missing, bool* for_namespace) {
  const std::vector<std::string>& s = call.segments;
  const std::string& m = call.request.method;
  const bool get = m == "GET" || m == "HEAD";
  const size_t n = s.size();
  if (n == 1 && s[0] == "config" && get) return Config();
  if (n == 2 && s[0] == "tables" && s[1] == "rename" && m == "POST") {
    *missing = Missing::kTable;
    return RenameTable(call);
  }
  if (n == 2 && s[0] == "transactions" && s[1] == "commit" && m == "POST") {
    *missing = Missing::kTable;
    return CommitTransaction(call);
  }
  if (n == 2 && s[0] == "views" && s[1] == "rename" && m == "POST") {
    *missing = Missing::kView;
    return RenameView(call);
  }
  if (n == 0 || s[0] != "namespaces") return NoRoute(call.request);
  *missing = Missing::kNamespace;
  *for_namespace = true;
  if (n == 1) {
    if (get) return ListNamespaces(call);
    if (m == "POST") return CreateNamespace(call);
    return NoRoute(call.request);
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::Namespace ns, ParseNamespaceParam(s[1]));
  call.subject = iceberg::NamespaceToString(ns);
  if (n == 2) {
    if (get) return LoadNamespace(call, ns);
    if (m == "DELETE") return DropNamespace(call, ns);
    return NoRoute(call.request);
  }
  *for_namespace = false;
  if (n == 3 && s[2] == "properties" && m == "POST") {
    *for_namespace = true;
    return UpdateNamespaceProperties(call, ns);
  }
  if (n == 3 && s[2] == "register" && m == "POST") return RegisterTable(call, ns);
  if (s[2] == "views") {
    *missing = n == 3 ? Missing::kNamespace : Missing::kView;
    if (n == 3) {
      if (get) return ListViews(call, ns);
      if (m == "POST") return CreateView(call, ns);
      return NoRoute(call.request);
    }
    if (n != 4) return NoRoute(call.request);
    ATOLL_ASSIGN_OR_RETURN(std::string view, ParseNameParam(s[3]));
    iceberg::TableIdentifier id{ns, view};
    call.subject = id.ToString();
    if (get) return LoadView(call, id);
    if (m == "POST") return ReplaceView(call, id);
    if (m == "DELETE") return DropView(call, id);
    return NoRoute(call.request);
  }
  if (s[2] != "tables") return NoRoute(call.request);
  if (n == 3) {
    if (get) return ListTables(call, ns);
    if (m == "POST") return CreateTable(call, ns);
    return NoRoute(call.request);
  }
  ATOLL_ASSIGN_OR_RETURN(std::string name, ParseNameParam(s[3]));
  iceberg::TableIdentifier id{ns, name};
  call.subject = id.ToString();
  *missing = Missing::kTable;
  if (n == 4) {
    if (get) return LoadTable(call, id);
    if (m == "POST") return CommitTable(call, id);
    if (m == "DELETE") return DropTable(call, id);
    return NoRoute(call.request);
  }
  if (n == 5 && s[4] == "metrics" && m == "POST") {
    ATOLL_RETURN_NOT_OK(Authorize(call, ns, false));
    ATOLL_RETURN_NOT_OK(ParseBody(call).status());
    HttpResponse res;
    res.status = 204;
    return res;
  }
  return NoRoute(call.request);
}

}  // namespace

RestCatalog::RestCatalog(std::unique_ptr<State> state) : state_(std::move(state)) {}
RestCatalog::~RestCatalog() = default;

Result<std::unique_ptr<RestCatalog>> RestCatalog::Open(std::shared_ptr<const lake::Lake> lake,
                                                       RestCatalogOptions options) {
  auto state = std::make_unique<State>();
  if (!options.now_ms) options.now_ms = [] { return SystemNowMs(); };
  ATOLL_ASSIGN_OR_RETURN(state->tables, lake::OpenLakeTables(*lake));
  ATOLL_ASSIGN_OR_RETURN(state->trail, lake::OpenLakeTrail(*lake));
  lake::EventLogOptions log_options;
  log_options.command = options.command;
  log_options.echo = options.echo;
  log_options.echo_level = lake::LogLevel::kWarn;
  // Each flush is a commit of the event table (and a trail record): under load, one per
  // 50,000 requests or 10 s, whichever comes first.
  log_options.flush_every_events = 50000;
  log_options.flush_every_ms = 10 * 1000;
  log_options.max_pending = 200000;
  state->access_log = std::make_unique<lake::EventLog>(log_options);
  state->tokens = std::make_unique<TokenCache>(lake->store(), options.token_cache_ms);
  state->lake = std::move(lake);
  state->options = std::move(options);
  return std::unique_ptr<RestCatalog>(new RestCatalog(std::move(state)));
}

HttpResponse RestCatalog::Handle(const HttpRequest& request) {
  State& state = *state_;
  const int64_t started = state.Now();
  Call call{request, state, {}, {}, {}, ""};
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view query =
      path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
  HttpResponse res;
  constexpr std::string_view kBase = "/iceberg/v1/";
  if (path.substr(0, kBase.size()) != kBase) {
    res = NoRoute(request);
  } else {
    std::string_view rest = path.substr(kBase.size());
    size_t pos = 0;
    while (pos <= rest.size()) {
      size_t slash = rest.find('/', pos);
      if (slash == std::string_view::npos) slash = rest.size();
      call.segments.emplace_back(rest.substr(pos, slash - pos));
      pos = slash + 1;
    }
    for (size_t p = 0; p < query.size();) {
      size_t amp = query.find('&', p);
      if (amp == std::string_view::npos) amp = query.size();
      std::string_view pair = query.substr(p, amp - p);
      size_t eq = pair.find('=');
      Result<std::string> k = PercentDecode(pair.substr(0, eq), true);
      Result<std::string> v = PercentDecode(
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (k.ok() && v.ok()) call.query[*k] = *v;
      p = amp + 1;
    }
    if (call.segments.size() == 2 && call.segments[0] == "oauth" && call.segments[1] == "tokens" &&
        request.method == "POST") {
      res = OAuthTokens(state, request);
    } else {
      std::string auth = request.Header("authorization");
      constexpr std::string_view kBearer = "Bearer ";
      Result<std::optional<Token>> token = std::optional<Token>();
      if (auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0) {
        token = state.tokens->Find(std::string_view(auth).substr(kBearer.size()), state.Now());
      }
      if (!token.ok()) {
        res = StatusResponse(token.status().WithContext("reading the tokens"));
      } else if (!token->has_value()) {
        res = Unauthorized(auth.empty() ? "a bearer token is required"
                                        : "the bearer token is not valid");
      } else {
        call.token = **token;
        Missing missing = Missing::kOther;
        bool for_namespace = false;
        Result<HttpResponse> routed = InvalidArgument("the request body has an ill-typed field");
        try {
          routed = Route(call, &missing, &for_namespace);
        } catch (const nlohmann::json::exception& e) {
          routed = InvalidArgument("the request body has an ill-typed field: ", e.what());
        }
        res = routed.ok() ? std::move(*routed)
                          : StatusResponse(routed.status(), missing, for_namespace);
      }
    }
  }
  lake::LogFields fields = {{"method", request.method},
                            {"path", std::string(path)},
                            {"status", static_cast<int64_t>(res.status)},
                            {"ms", state.Now() - started},
                            {"remote", request.remote}};
  if (!call.token.name.empty()) fields.emplace_back("token", call.token.name);
  state.access_log->Log(res.status >= 500 ? lake::LogLevel::kError : lake::LogLevel::kInfo,
                        call.subject, "request", std::move(fields));
  if (request.method == "HEAD") {
    res.body.clear();
    if (res.status == 200) res.status = 204;  // the spec's answer to HEAD
  }
  return res;
}

bool RestCatalog::AccessLogDue() const { return state_->access_log->FlushDue(state_->Now()); }

void RestCatalog::FlushAccessLog(engine::Engine& engine) {
  state_->access_log->FlushOrWarn(*state_->lake, state_->tables, engine, state_->trail.get());
}

}  // namespace atl::serve
