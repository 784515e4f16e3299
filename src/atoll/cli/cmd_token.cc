// atoll token create|list|revoke LAKE: the bearer tokens of `atoll serve` (serve/tokens.h).
// create prints the secret once, on stdout; the bucket keeps only its SHA-256.
#include <memory>
#include <string>

#include "atoll/cli/command.h"
#include "atoll/common/clock.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/lake/lake.h"
#include "atoll/serve/tokens.h"

namespace atl::cli {

namespace {

Status RunToken(const ParsedArgs& args, Io& io) {
  const std::string& sub = args.positional()[0];
  if (args.positional().size() != 2) {
    return InvalidArgument("usage: atoll token create|list|revoke LAKE");
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(args.positional()[1]));
  storage::Store& store = lake->store();
  if (sub == "create") {
    std::optional<std::string> name = args.Value("name");
    if (!name) return InvalidArgument("atoll token create needs --name");
    ATOLL_ASSIGN_OR_RETURN(serve::TokenScope scope,
                           serve::ParseTokenScope(args.Value("scope").value_or("read")));
    iceberg::Namespace ns;
    if (auto text = args.Value("namespace"); text && !text->empty()) {
      ns = iceberg::SplitNamespace(*text);
    }
    ATOLL_ASSIGN_OR_RETURN(serve::CreatedToken created,
                           serve::CreateToken(store, *name, scope, ns, SystemNowMs()));
    io.out << created.secret << "\n";
    io.err << "atoll: token '" << *name << "' (" << serve::TokenScopeName(scope)
           << (ns.empty() ? "" : ", namespace " + iceberg::NamespaceToString(ns))
           << ") created; the secret above is shown only now\n";
    return Status::OK();
  }
  if (sub == "list") {
    ATOLL_ASSIGN_OR_RETURN(std::vector<serve::Token> tokens, serve::ListTokens(store));
    for (const serve::Token& t : tokens) {
      io.out << t.name << "\t" << serve::TokenScopeName(t.scope) << "\t"
             << (t.ns.empty() ? "*" : iceberg::NamespaceToString(t.ns)) << "\n";
    }
    return Status::OK();
  }
  if (sub == "revoke") {
    std::optional<std::string> name = args.Value("name");
    if (!name) return InvalidArgument("atoll token revoke needs --name");
    ATOLL_RETURN_NOT_OK(serve::RevokeToken(store, *name));
    io.err << "atoll: token '" << *name << "' revoked\n";
    return Status::OK();
  }
  return InvalidArgument("unknown token subcommand '", sub, "' (create, list or revoke)");
}

}  // namespace

CommandSpec TokenCommand() {
  return {
      .name = "token",
      .summary = "Create, list or revoke the bearer tokens of atoll serve",
      .arguments = "create|list|revoke LAKE",
      .description =
          "create --name N --scope read|write [--namespace zone.db]: prints a new secret once\n"
          "(the lake keeps only its SHA-256 under _atoll/tokens/). A token with --namespace\n"
          "reaches that namespace only. list: name, scope, namespace. revoke --name N: the\n"
          "token stops working within a second.\n",
      .options = {{"name", 0, OptionKind::kString, "N", "The token's name (the trail's actor)"},
                  {"scope",
                   0,
                   OptionKind::kString,
                   "SCOPE",
                   "read (default) or write",
                   INT64_MIN,
                   INT64_MAX,
                   {"read", "write"}},
                  {"namespace", 0, OptionKind::kString, "NS", "Confine the token to zone.db"}},
      .min_positional = 2,
      .max_positional = 2,
      .run = RunToken,
  };
}

}  // namespace atl::cli
