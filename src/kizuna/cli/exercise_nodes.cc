// Kizuna.
#include "kizuna/cli/exercise_nodes.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/peer_url.h"
#include "simdjson.h"

namespace kizuna::cli {
namespace {

// Largest token file read.
constexpr uint64_t kMaxTokenFileBytes = 1 << 20;
// Most pages read from one collection in one pass.
constexpr int kMaxPages = 1000;

absl::StatusOr<std::map<std::string, std::string>> ReadTokens(const std::string& path) {
  std::map<std::string, std::string> tokens;
  if (path.empty()) return tokens;
  KZ_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(path, kMaxTokenFileBytes));
  int number = 0;
  for (absl::string_view piece : absl::StrSplit(AbslView(text), '\n')) {
    ++number;
    std::string_view line = Trim(View(piece));
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> words = absl::StrSplit(AbslView(line), absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.size() != 2) return absl::InvalidArgumentError(StrCat(path, ":", number, ": expected TEAM TOKEN"));
    tokens[std::string(View(words[0]))] = std::string(View(words[1]));
  }
  return tokens;
}

std::string EnvToken(const std::string& team) {
  std::string name = StrCat("KIZUNA_EXERCISE_TOKEN_", absl::AsciiStrToUpper(AbslView(team)));
  for (char& c : name) c = c == '-' ? '_' : c;
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? "" : value;
}

}  // namespace

absl::Status SplitTeamValue(std::string_view flag, const std::string& text, std::string& team,
                            std::string& value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return absl::InvalidArgumentError(StrCat(flag, ": expected TEAM=VALUE, not '", text, "'"));
  }
  team = text.substr(0, eq);
  value = text.substr(eq + 1);
  return absl::OkStatus();
}

std::string TeamNode::Collection(const std::string& purpose) const {
  auto it = team_.node.collections.find(purpose);
  return it == team_.node.collections.end() ? "" : it->second;
}

std::string TeamNode::Path(const std::string& alias, std::string_view endpoint) const {
  return StrCat("/", team_.node.api_root, "/collections/", alias, "/", endpoint, "/");
}

absl::StatusOr<std::string> TeamNode::Post(const std::string& alias, std::string envelope) {
  if (alias.empty()) return absl::InvalidArgumentError(StrCat("team ", team_.id, ": no such collection in its node's collections"));
  KZ_ASSIGN_OR_RETURN(sync::ClientResponse r, client_.Post(Path(alias), std::move(envelope)));
  if (r.status != 202) {
    return absl::UnavailableError(StrCat("team ", team_.id, ": POST to collection ", alias, ": HTTP ", r.status,
                                         " ", r.body.substr(0, 300)));
  }
  return std::move(r.body);
}

absl::StatusOr<std::vector<std::string>> TeamNode::ReadAll(const std::string& alias,
                                                           std::string_view endpoint,
                                                           std::string_view filter) {
  std::vector<std::string> pages;
  std::string next;
  simdjson::dom::parser parser;
  for (int i = 0; i < kMaxPages; ++i) {
    std::string target = StrCat(Path(alias, endpoint), "?limit=1000");
    if (!filter.empty()) StrAppend(target, "&", filter);
    if (!next.empty()) StrAppend(target, "&next=", next);
    KZ_ASSIGN_OR_RETURN(sync::ClientResponse r, client_.Get(target));
    if (r.status != 200) {
      return absl::UnavailableError(StrCat("team ", team_.id, ": GET collection ", alias, " ",
                                           endpoint, ": HTTP ", r.status, " ",
                                           r.body.substr(0, 300)));
    }
    simdjson::dom::element root;
    bool more = false;
    std::string_view token;
    if (parser.parse(r.body).get(root) == simdjson::SUCCESS) {
      if (root["more"].get_bool().get(more) != simdjson::SUCCESS) more = false;
      if (root["next"].get_string().get(token) != simdjson::SUCCESS) token = {};
    }
    next = std::string(token);
    pages.push_back(std::move(r.body));
    if (!more || next.empty()) break;
  }
  return pages;
}

absl::StatusOr<std::map<std::string, std::unique_ptr<TeamNode>>> ConnectTeams(
    const exercise::Scenario& scenario, const NodeFlags& flags) {
  KZ_ASSIGN_OR_RETURN(auto tokens, ReadTokens(flags.tokens_file));
  std::map<std::string, std::string> urls, cas;
  std::string ca_all;
  for (const std::string& text : flags.nodes) {
    std::string team, url;
    KZ_RETURN_IF_ERROR(SplitTeamValue("--node", text, team, url));
    if (scenario.FindTeam(team) == nullptr) return absl::InvalidArgumentError(StrCat("--node: no team '", team, "'"));
    urls[team] = url;
  }
  for (const std::string& text : flags.ca_files) {
    std::string team, file;
    if (text.find('=') == std::string::npos) {
      ca_all = text;
      continue;
    }
    KZ_RETURN_IF_ERROR(SplitTeamValue("--ca-file", text, team, file));
    cas[team] = file;
  }
  std::map<std::string, std::unique_ptr<TeamNode>> out;
  for (const exercise::Team& team : scenario.teams) {
    std::string url = urls.count(team.id) ? urls[team.id] : team.node.url;
    if (url.empty()) continue;
    KZ_ASSIGN_OR_RETURN(store::PeerUrl parsed, store::ParsePeerUrl(url));
    std::string token = tokens.count(team.id) ? tokens[team.id] : EnvToken(team.id);
    if (token.empty()) {
      return absl::InvalidArgumentError(StrCat("team ", team.id, ": no token (a line '", team.id,
                                               " TOKEN' in --tokens, or KIZUNA_EXERCISE_TOKEN_",
                                               absl::AsciiStrToUpper(AbslView(team.id)), ")"));
    }
    sync::Endpoint endpoint{.name = StrCat("team ", team.id), .url = url, .tls = parsed.tls,
                            .host = parsed.host, .port = parsed.port, .token = token,
                            .basic_user = "", .ca_file = cas.count(team.id) ? cas[team.id] : ca_all,
                            .client_cert = "", .client_key = ""};
    out.emplace(team.id, std::make_unique<TeamNode>(team, std::move(endpoint)));
  }
  return out;
}

}  // namespace kizuna::cli
