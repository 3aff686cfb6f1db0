// Kizuna. `kizuna admin token create|list|revoke`.
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"
#include "kizuna/taxii/auth/token.h"

namespace kizuna::cli::admin {
namespace {

constexpr std::string_view kShownOnce =
    "this token is shown once and cannot be shown again: store it now";

struct TokenFlags {
  std::string user, label, expires_in, id;
  bool json = false;
};

int Create(const GlobalOptions& global, const TokenFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  std::optional<int64_t> expires;
  if (!f.expires_in.empty()) expires = SystemClock().NowMicros() + *ParseDuration(f.expires_in);
  auto issued = taxii::IssueToken(**db, kActor, {f.user, f.label, expires}, SecureRandom());
  if (!issued.ok()) return ReportError(issued.status());
  if (f.json) {
    boost::json::object out = TokenJson(issued->token);
    out["token"] = issued->text;
    out["warning"] = kShownOnce;
    PrintJson(out);
    return kExitOk;
  }
  // The token alone on stdout, so that TOKEN=$(kizuna admin token create alice) works.
  Print(StrCat(issued->text, "\n"));
  std::string note =
      StrCat("kizuna: created token ", issued->token.id, " for user '", f.user, "'",
             expires ? StrCat(", expires ", Time(expires)) : "", "; ", kShownOnce, "\n");
  std::fputs(note.c_str(), stderr);
  return kExitOk;
}

int List(const GlobalOptions& global, const TokenFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto tokens = (*db)->ListTokens(f.user);
  if (!tokens.ok()) return ReportError(tokens.status());
  boost::json::array out;
  int64_t now = SystemClock().NowMicros();
  for (const store::Token& t : *tokens) {
    if (f.json) {
      out.push_back(TokenJson(t));
      continue;
    }
    std::string_view state = t.revoked_us ? "revoked" : (t.ActiveAt(now) ? "active" : "expired");
    Print(StrCat(t.id, "  ", t.user, "  ", state, "  created ", Time(t.created_us), "  expires ",
                 Time(t.expires_us), "  last used ", Time(t.last_used_us),
                 t.label.empty() ? "" : StrCat("  ", t.label), "\n"));
  }
  if (f.json) PrintJson(out);
  return kExitOk;
}

int Revoke(const GlobalOptions& global, const TokenFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  std::string id = f.id;
  if (auto parts = taxii::ParseToken(f.id)) id = parts->id;  // the whole token names its id
  absl::Status s = (*db)->RevokeToken(kActor, id);
  if (!s.ok()) return ReportError(s);
  Print(StrCat("revoked token ", id, "\n"));
  return kExitOk;
}

}  // namespace

void AddTokenCommands(CLI::App& admin, GlobalOptions& global) {
  auto* token = admin.add_subcommand("token", "API tokens: create (shown once), list, revoke");
  token->require_subcommand(1);
  auto f = std::make_shared<TokenFlags>();

  auto* create = token->add_subcommand(
      "create", "Create a token for a user and print it once (only its hash is stored)");
  create->add_option("USER", f->user, "User the token authenticates")->required();
  create->add_option("--expires-in", f->expires_in, "Lifetime, e.g. 12h, 30d, 8w (default: none)")
      ->check(Duration());
  create->add_option("--label", f->label, "A note on where the token is used");
  create->add_flag("--json", f->json, "Print the token and its record as JSON");
  create->callback([&global, f] { global.exit_code = Create(global, *f); });

  auto* list = token->add_subcommand("list", "List tokens (never their secrets)");
  list->add_option("USER", f->user, "Only this user's tokens");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = List(global, *f); });

  auto* revoke = token->add_subcommand("revoke", "Revoke a token for good");
  revoke->add_option("TOKEN-ID", f->id, "The token's id (the 16 hex digits after kz_)")->required();
  revoke->callback([&global, f] { global.exit_code = Revoke(global, *f); });
}

}  // namespace kizuna::cli::admin
