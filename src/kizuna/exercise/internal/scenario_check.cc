// Kizuna.
#include "kizuna/exercise/internal/scenario_check.h"

#include <arpa/inet.h>

#include <set>

#include "absl/strings/numbers.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/nation.h"

namespace kizuna::exercise_internal {
namespace {

using exercise::Scenario;

class Checker {
 public:
  explicit Checker(const Scenario& s) : s_(s) {}

  absl::Status Bad(int line, std::string_view path, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat(s_.file, ":", line, ": ", path, ": ", what));
  }
  absl::Status Unique(std::set<std::string, std::less<>>& seen, const std::string& id, int line,
                      std::string_view path) const {
    if (id.empty()) return Bad(line, path, "must not be empty");
    if (!seen.insert(id).second) return Bad(line, path, StrCat("'", id, "' is used twice"));
    return absl::OkStatus();
  }
  absl::Status Team(std::string_view id, int line, std::string_view path) const {
    if (s_.FindTeam(id) != nullptr) return absl::OkStatus();
    return Bad(line, path, StrCat("no team '", id, "'"));
  }
  // A host name of the scenario or an IPv4 address.
  absl::Status Endpoint(std::string_view text, int line, std::string_view path) const {
    uint32_t ip = 0;
    if (ParseIpv4(s_.Address(text), ip)) return absl::OkStatus();
    return Bad(line, path,
               StrCat("'", text, "' is neither a host of the scenario nor an IPv4 address"));
  }
  absl::Status Time(int64_t seconds, int line, std::string_view path) const {
    if (seconds <= s_.meta.duration_s) return absl::OkStatus();
    return Bad(line, path,
               StrCat(seconds, " s is after the end of the exercise (", s_.meta.duration_s, " s)"));
  }
  absl::Status Artefacts(const exercise::Artefacts& a, int line, std::string_view path) const {
    if (a.Empty()) return Bad(line, path, "no artefacts: a step leaves at least one record");
    for (const auto& c : a.connections)
      KZ_RETURN_IF_ERROR(Endpoint(c.dst, line, StrCat(path, ".connections.dst")));
    for (const auto& h : a.http)
      KZ_RETURN_IF_ERROR(Endpoint(h.dst, line, StrCat(path, ".http.dst")));
    for (const auto& t : a.tls) KZ_RETURN_IF_ERROR(Endpoint(t.dst, line, StrCat(path, ".tls.dst")));
    for (const auto& f : a.files) {
      if (!f.dst.empty()) KZ_RETURN_IF_ERROR(Endpoint(f.dst, line, StrCat(path, ".files.dst")));
      if (f.sha256.size() != 64)
        return Bad(line, StrCat(path, ".files.sha256"), "expected 64 hex digits");
    }
    return absl::OkStatus();
  }

  absl::Status Run() const;

 private:
  absl::Status Teams() const;
  absl::Status Steps() const;
  absl::Status Rest() const;
  const Scenario& s_;
};

bool IsTlpName(std::string_view tlp) {
  return tlp == "clear" || tlp == "white" || tlp == "green" || tlp == "amber" ||
         tlp == "amber+strict" || tlp == "red";
}

absl::Status Checker::Teams() const {
  std::set<std::string, std::less<>> teams;
  std::set<std::string, std::less<>> hosts;
  for (size_t i = 0; i < s_.teams.size(); ++i) {
    const exercise::Team& t = s_.teams[i];
    std::string path = StrCat("teams[", i, "]");
    KZ_RETURN_IF_ERROR(Unique(teams, t.id, t.line, StrCat(path, ".id")));
    if (!identity::IsNationCode(t.nation)) {
      return Bad(t.line, StrCat(path, ".nation"),
                 StrCat("'", t.nation, "' is not an ISO 3166-1 alpha-3 code"));
    }
    uint32_t ip = 0, mask = 0;
    if (!t.network.empty() && !ParseCidr(t.network, ip, mask)) {
      return Bad(t.line, StrCat(path, ".network"), StrCat("'", t.network, "' is not an IPv4 CIDR"));
    }
    if (!t.dns_server.empty() && !ParseIpv4(t.dns_server, ip)) {
      return Bad(t.line, StrCat(path, ".dns_server"),
                 StrCat("'", t.dns_server, "' is not an IPv4 address"));
    }
    for (size_t h = 0; h < t.hosts.size(); ++h) {
      std::string host_path = StrCat(path, ".hosts[", h, "]");
      KZ_RETURN_IF_ERROR(
          Unique(hosts, t.hosts[h].name, t.hosts[h].line, StrCat(host_path, ".name")));
      if (!ParseIpv4(t.hosts[h].address, ip)) {
        return Bad(t.hosts[h].line, StrCat(host_path, ".address"),
                   StrCat("'", t.hosts[h].address, "' is not an IPv4 address"));
      }
    }
  }
  std::set<std::string, std::less<>> actors;
  for (size_t i = 0; i < s_.actors.size(); ++i) {
    KZ_RETURN_IF_ERROR(
        Unique(actors, s_.actors[i].id, s_.actors[i].line, StrCat("actors[", i, "].id")));
  }
  return absl::OkStatus();
}

absl::Status Checker::Steps() const {
  std::set<std::string, std::less<>> procedures;
  std::set<std::string, std::less<>> steps;
  for (size_t i = 0; i < s_.procedures.size(); ++i) {
    const exercise::Procedure& proc = s_.procedures[i];
    std::string path = StrCat("procedures[", i, "]");
    KZ_RETURN_IF_ERROR(Unique(procedures, proc.id, proc.line, StrCat(path, ".id")));
    bool known_actor = false;
    for (const auto& a : s_.actors) known_actor = known_actor || a.id == proc.actor;
    if (!known_actor)
      return Bad(proc.line, StrCat(path, ".actor"), StrCat("no actor '", proc.actor, "'"));
    for (size_t j = 0; j < proc.steps.size(); ++j) {
      const exercise::Step& st = proc.steps[j];
      std::string sp = StrCat(path, ".steps[", j, "]");
      KZ_RETURN_IF_ERROR(Unique(steps, st.id, st.line, StrCat(sp, ".id")));
      KZ_RETURN_IF_ERROR(Team(st.team, st.line, StrCat(sp, ".team")));
      KZ_RETURN_IF_ERROR(Endpoint(st.source, st.line, StrCat(sp, ".source")));
      if (!st.target.empty())
        KZ_RETURN_IF_ERROR(Endpoint(st.target, st.line, StrCat(sp, ".target")));
      KZ_RETURN_IF_ERROR(Time(st.end_s, st.line, StrCat(sp, ".window.end")));
      KZ_RETURN_IF_ERROR(Artefacts(st.artefacts, st.line, StrCat(sp, ".artefacts")));
    }
  }
  return absl::OkStatus();
}

absl::Status Checker::Rest() const {
  for (size_t i = 0; i < s_.background.size(); ++i) {
    KZ_RETURN_IF_ERROR(
        Team(s_.background[i].team, s_.background[i].line, StrCat("background[", i, "].team")));
  }
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < s_.lookalikes.size(); ++i) {
    const exercise::Lookalike& l = s_.lookalikes[i];
    std::string path = StrCat("lookalikes[", i, "]");
    KZ_RETURN_IF_ERROR(Unique(names, l.name, l.line, StrCat(path, ".name")));
    KZ_RETURN_IF_ERROR(Team(l.team, l.line, StrCat(path, ".team")));
    if (!l.source.empty()) KZ_RETURN_IF_ERROR(Endpoint(l.source, l.line, StrCat(path, ".source")));
    KZ_RETURN_IF_ERROR(Time(l.end_s, l.line, StrCat(path, ".window.end")));
    KZ_RETURN_IF_ERROR(Artefacts(l.artefacts, l.line, StrCat(path, ".artefacts")));
  }
  std::set<std::string, std::less<>> injects;
  for (size_t i = 0; i < s_.injects.size(); ++i) {
    const exercise::Inject& in = s_.injects[i];
    std::string path = StrCat("injects[", i, "]");
    KZ_RETURN_IF_ERROR(Unique(injects, in.id, in.line, StrCat(path, ".id")));
    for (const auto& t : in.audience)
      KZ_RETURN_IF_ERROR(Team(t, in.line, StrCat(path, ".audience")));
    KZ_RETURN_IF_ERROR(Time(in.at_s, in.line, StrCat(path, ".at")));
  }
  std::set<std::string, std::less<>> objectives;
  for (size_t i = 0; i < s_.sharing.size(); ++i) {
    const exercise::SharingObjective& o = s_.sharing[i];
    std::string path = StrCat("sharing[", i, "]");
    KZ_RETURN_IF_ERROR(Unique(objectives, o.id, o.line, StrCat(path, ".id")));
    KZ_RETURN_IF_ERROR(Team(o.from, o.line, StrCat(path, ".from")));
    for (const auto& t : o.to) KZ_RETURN_IF_ERROR(Team(t, o.line, StrCat(path, ".to")));
    if (s_.FindStep(o.step) == nullptr)
      return Bad(o.line, StrCat(path, ".step"), StrCat("no step '", o.step, "'"));
    if (!o.tlp.empty() && !IsTlpName(o.tlp))
      return Bad(o.line, StrCat(path, ".tlp"), StrCat("unknown TLP '", o.tlp, "'"));
    for (const auto& n : o.releasable_to) {
      if (!identity::IsNationCode(n))
        return Bad(o.line, StrCat(path, ".releasable_to"), StrCat("'", n, "' is not a nation"));
    }
  }
  return absl::OkStatus();
}

absl::Status Checker::Run() const {
  const exercise::Meta& m = s_.meta;
  if (m.id.empty() ||
      m.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return Bad(1, "meta.id", StrCat("'", m.id, "' must be lowercase letters, digits and '-'"));
  }
  if (!IsTlpName(m.tlp)) return Bad(1, "meta.tlp", StrCat("unknown TLP '", m.tlp, "'"));
  if (m.duration_s <= 0) return Bad(1, "meta.duration", "must be positive");
  KZ_RETURN_IF_ERROR(Teams());
  KZ_RETURN_IF_ERROR(Steps());
  return Rest();
}

}  // namespace

bool ParseIpv4(std::string_view text, uint32_t& out) {
  if (text.size() > 15) return false;
  char buf[16];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  in_addr addr{};
  if (inet_pton(AF_INET, buf, &addr) != 1) return false;
  out = ntohl(addr.s_addr);
  return true;
}

bool ParseCidr(std::string_view text, uint32_t& base, uint32_t& mask) {
  size_t slash = text.find('/');
  int bits = 32;
  if (slash != std::string_view::npos) {
    if (!absl::SimpleAtoi(AbslView(text.substr(slash + 1)), &bits) || bits < 0 || bits > 32)
      return false;
    text = text.substr(0, slash);
  }
  if (!ParseIpv4(text, base)) return false;
  mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return true;
}

bool InTeamNetwork(const Scenario& s, uint32_t ip) {
  for (const exercise::Team& t : s.teams) {
    uint32_t base = 0, mask = 0;
    if (ParseCidr(t.network, base, mask) && (ip & mask) == (base & mask)) return true;
  }
  return false;
}

absl::Status CheckScenario(const Scenario& s) { return Checker(s).Run(); }

}  // namespace kizuna::exercise_internal
