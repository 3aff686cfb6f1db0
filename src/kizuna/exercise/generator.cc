// Kizuna.
#include "kizuna/exercise/generator.h"

#include <algorithm>
#include <cmath>

#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/internal/scenario_check.h"
#include "kizuna/exercise/internal/team_writer.h"

namespace kizuna::exercise {
namespace {

using exercise_internal::Event;
using exercise_internal::EventKind;
using exercise_internal::ParseIpv4;

// Spacing of the artefacts of one repetition, in scenario microseconds.
constexpr int64_t kArtefactGapUs = 150'000;
// Names background hosts resolve when the scenario lists none.
constexpr std::string_view kDefaultDomains[] = {
    "www.example.com",  "update.example.org", "mail.example.net", "cdn.example.com",
    "time.example.org", "news.example.com",   "docs.example.net", "portal.example.org",
    "api.example.com",  "static.example.net"};

uint64_t Fnv(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

uint64_t Seed(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  SeededRandom r(a ^ (b * 0x9e3779b97f4a7c15ULL) ^ (c * 0xc2b2ae3d27d4eb4fULL) ^
                 (d * 0x165667b19e3779f9ULL));
  r.Next();
  return r.Next();
}

uint32_t Address(const Scenario& s, std::string_view host_or_address) {
  uint32_t ip = 0;
  ParseIpv4(s.Address(host_or_address), ip);
  return ip;
}

// The team network's resolver: dns_server, else .53 of its network, else 10.0.0.53.
uint32_t Resolver(const Team& t) {
  uint32_t ip = 0, mask = 0;
  if (!t.dns_server.empty() && ParseIpv4(t.dns_server, ip)) return ip;
  if (exercise_internal::ParseCidr(t.network, ip, mask)) return (ip & mask) | 53;
  return (10u << 24) | 53;
}

// Appends the events of one set of artefacts left at `ts_us` (scenario time, before scaling).
class Scripted {
 public:
  Scripted(const Scenario& s, const Team& team, std::vector<Event>& out)
      : s_(s), resolver_(Resolver(team)), out_(out) {}

  void Add(const Artefacts& a, uint32_t label, uint32_t src, int64_t start_us, int64_t end_us) {
    for (uint32_t rep = 0; rep < a.repeat; ++rep) {
      uint64_t seed = Seed(s_.meta.seed, label, rep, 0);
      double frac = static_cast<double>(seed >> 11) / 9007199254740992.0;
      int64_t span = end_us - start_us;
      int64_t base =
          start_us + static_cast<int64_t>((static_cast<double>(span) * (rep + frac)) / a.repeat);
      int idx = 0;
      auto next = [&](EventKind kind) -> Event& {
        Event& e = out_.emplace_back();
        e.kind = kind;
        e.label = label;
        e.src = src;
        e.rnd = Seed(s_.meta.seed, label, rep, static_cast<uint64_t>(idx) + 1);
        e.ts_us = std::min(base + kArtefactGapUs * idx++, end_us);
        return e;
      };
      for (const auto& d : a.dns) {
        Event& e = next(EventKind::kDns);
        e.dst = resolver_, e.dport = 53, e.udp = true, e.service = "dns", e.query = d.query,
        e.qtype = d.qtype;
        e.answers = d.answers;
      }
      for (const auto& t : a.tls) {
        Event& e = next(EventKind::kTls);
        e.dst = Address(s_, t.dst), e.dport = t.port, e.service = "ssl", e.sni = t.sni;
        e.subject = t.subject, e.issuer = t.issuer;
      }
      for (const auto& h : a.http) {
        Event& e = next(EventKind::kHttp);
        e.dst = Address(s_, h.dst), e.dport = h.port, e.service = "http", e.method = h.method,
        e.host = h.host;
        e.uri = h.uri, e.user_agent = h.user_agent, e.status = h.status;
      }
      for (const auto& c : a.connections) {
        Event& e = next(EventKind::kConn);
        e.dst = Address(s_, c.dst), e.dport = c.port, e.udp = c.proto == "udp",
        e.service = c.service;
        e.orig_bytes = c.orig_bytes, e.resp_bytes = c.resp_bytes;
      }
      for (const auto& f : a.files) {
        Event& e = next(EventKind::kFile);
        e.dst = f.dst.empty() ? src : Address(s_, f.dst), e.dport = 80, e.service = "http";
        e.file_name = f.name, e.mime = f.mime, e.md5 = f.md5, e.sha1 = f.sha1, e.sha256 = f.sha256,
        e.size = f.size;
      }
      for (const auto& n : a.notices) {
        Event& e = next(EventKind::kNotice);
        e.dst = resolver_, e.note = n.note, e.msg = n.msg;
      }
    }
  }

 private:
  const Scenario& s_;
  uint32_t resolver_;
  std::vector<Event>& out_;
};

// The background traffic of one team network: a Poisson stream of events.
class BackgroundStream {
 public:
  BackgroundStream(const Scenario& s, const Team& team, double scale)
      : rng_(Seed(s.meta.seed, Fnv(team.id), 0, 0)) {
    for (const Background& b : s.background) {
      if (b.team != team.id) continue;
      rate_ += b.records_per_second * scale;
      for (const auto& [kind, weight] : b.mix) mix_[kind] += weight;
      for (const auto& d : b.domains) domains_.push_back(d);
    }
    if (domains_.empty()) domains_.assign(std::begin(kDefaultDomains), std::end(kDefaultDomains));
    for (const std::string& d : domains_) {
      uint32_t ip = (198u << 24) | (18u << 16) | static_cast<uint32_t>(Fnv(d) & 0x1ffff);
      char buf[16];
      answers_.push_back({std::string(exercise_internal::Ipv4Text(ip, buf))});
      addresses_.push_back(ip);
    }
    for (const Host& h : team.hosts) hosts_.push_back(Address(s, h.address));
    uint32_t base = 0, mask = 0;
    if (hosts_.empty() && exercise_internal::ParseCidr(team.network, base, mask)) {
      for (uint32_t i = 10; i < 74; ++i) hosts_.push_back((base & mask) | (i & ~mask));
    }
    if (hosts_.empty()) hosts_.push_back((10u << 24) | 10);
    resolver_ = Resolver(team);
    if (mix_.empty()) mix_ = {{"dns", 40}, {"tls", 30}, {"http", 10}, {"conn", 15}, {"files", 5}};
    for (const auto& [kind, weight] : mix_) total_ += weight;
  }

  bool Empty() const { return rate_ <= 0 || total_ <= 0; }

  // Draws the next event after `prev_s` (scenario seconds); returns its time.
  double Next(double prev_s, Event& e) {
    uint64_t r = rng_.Next();
    double u = (static_cast<double>(r >> 11) + 0.5) / 9007199254740992.0;
    double t = prev_s - std::log(u) / rate_;
    e = Event{};
    e.rnd = rng_.Next();
    double pick = static_cast<double>(e.rnd % 1'000'000) / 1e6 * total_;
    std::string_view kind = "dns";
    for (const auto& [k, w] : mix_) {
      kind = k;
      if (pick < w) break;
      pick -= w;
    }
    size_t d = (e.rnd >> 20) % domains_.size();
    e.src = hosts_[(e.rnd >> 40) % hosts_.size()];
    e.dst = addresses_[d];
    if (kind == "dns") {
      e.kind = EventKind::kDns, e.dst = resolver_, e.dport = 53, e.udp = true, e.service = "dns";
      e.query = domains_[d], e.answers = answers_[d];
    } else if (kind == "tls") {
      e.kind = EventKind::kTls, e.dport = 443, e.service = "ssl", e.sni = domains_[d];
    } else if (kind == "http") {
      e.kind = EventKind::kHttp, e.dport = 80, e.service = "http", e.method = "GET",
      e.host = domains_[d];
      e.uri = "/", e.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", e.resp_bytes = 5120;
    } else if (kind == "files") {
      e.kind = EventKind::kFile, e.dport = 80, e.service = "http", e.file_name = "update.cab";
      e.mime = "application/vnd.ms-cab-compressed", e.size = 4096 + (e.rnd >> 48);
      e.sha256 = kBenignHash;
    } else {
      e.kind = EventKind::kConn, e.dport = 123, e.udp = true, e.service = "ntp";
      e.orig_bytes = 48, e.resp_bytes = 48;
    }
    return t;
  }

 private:
  static constexpr std::string_view kBenignHash =
      "0000000000000000000000000000000000000000000000000000000000000000";
  SeededRandom rng_;
  double rate_ = 0;
  double total_ = 0;
  std::map<std::string, double> mix_;
  std::vector<std::string> domains_;
  std::vector<std::vector<std::string>> answers_;
  std::vector<uint32_t> addresses_;
  std::vector<uint32_t> hosts_;
  uint32_t resolver_ = 0;
};

absl::Status GenerateTeam(const Scenario& s, const Team& team, const GenerateOptions& options,
                          const std::vector<std::string>& labels, TelemetrySink& sink,
                          GenerateSummary& summary) {
  int64_t t0 = options.t0_us != 0 ? options.t0_us : s.meta.t0_us;
  auto at = [&](double offset_s) {
    return t0 + static_cast<int64_t>(offset_s * 1e6 / options.time_scale);
  };
  std::vector<Event> scripted;
  Scripted script(s, team, scripted);
  uint32_t label = 1;
  for (const Step* step : s.Steps()) {
    bool omitted = std::find(options.omit_steps.begin(), options.omit_steps.end(), step->id) !=
                   options.omit_steps.end();
    if (step->team == team.id && !omitted) {
      script.Add(step->artefacts, label, Address(s, step->source), step->start_s * 1'000'000,
                 step->end_s * 1'000'000);
    }
    ++label;
  }
  for (const Lookalike& l : s.lookalikes) {
    if (l.team == team.id) {
      uint32_t src = l.source.empty() ? 0 : Address(s, l.source);
      if (src == 0)
        src = team.hosts.empty() ? Resolver(team) + 1 : Address(s, team.hosts.front().address);
      script.Add(l.artefacts, label, src, l.start_s * 1'000'000, l.end_s * 1'000'000);
    }
    ++label;
  }
  for (Event& e : scripted) e.ts_us = at(static_cast<double>(e.ts_us) / 1e6);
  std::stable_sort(scripted.begin(), scripted.end(),
                   [](const Event& a, const Event& b) { return a.ts_us < b.ts_us; });

  BackgroundStream background(s, team, options.background_scale);
  if (scripted.empty() && background.Empty()) return absl::OkStatus();  // nothing happens there
  exercise_internal::TeamWriter writer(team.id, options, labels, sink, summary, t0);
  KZ_RETURN_IF_ERROR(writer.Begin());
  auto duration = static_cast<double>(s.meta.duration_s);
  Event bg;
  double bg_t = background.Empty() ? duration + 1 : background.Next(0, bg);
  int64_t bg_us = at(bg_t);
  size_t next = 0;
  for (;;) {
    bool bg_left = bg_t < duration;
    if (next < scripted.size() && (!bg_left || scripted[next].ts_us <= bg_us)) {
      KZ_RETURN_IF_ERROR(writer.Write(scripted[next++]));
    } else if (bg_left) {
      bg.ts_us = bg_us;
      KZ_RETURN_IF_ERROR(writer.Write(bg));
      bg_t = background.Next(bg_t, bg);
      bg_us = at(bg_t);
    } else {
      break;
    }
  }
  return writer.End(at(duration));
}

}  // namespace

absl::StatusOr<GenerateSummary> Generate(const Scenario& scenario, const GenerateOptions& options,
                                         TelemetrySink& sink) {
  if (!(options.time_scale >= 1 && options.time_scale <= 1e6)) {
    return absl::InvalidArgumentError(
        StrCat("time scale ", options.time_scale, " is not in 1..1000000"));
  }
  if (!(options.background_scale >= 0 && options.background_scale <= 1e6)) {
    return absl::InvalidArgumentError(
        StrCat("background scale ", options.background_scale, " is not in 0..1000000"));
  }
  for (const std::string& t : options.teams) {
    if (scenario.FindTeam(t) == nullptr)
      return absl::InvalidArgumentError(StrCat("no team '", t, "' in the scenario"));
  }
  std::vector<std::string> labels = {std::string(kBackgroundLabel)};
  for (const Step* step : scenario.Steps()) labels.push_back(StrCat(kStepLabelPrefix, step->id));
  for (const Lookalike& l : scenario.lookalikes)
    labels.push_back(StrCat(kLookalikeLabelPrefix, l.name));
  KZ_RETURN_IF_ERROR(sink.Write(kTruthFile, TruthHeader()));
  GenerateSummary summary;
  for (const Team& team : scenario.teams) {
    if (!options.teams.empty() &&
        std::find(options.teams.begin(), options.teams.end(), team.id) == options.teams.end()) {
      continue;
    }
    KZ_RETURN_IF_ERROR(GenerateTeam(scenario, team, options, labels, sink, summary));
  }
  return summary;
}

}  // namespace kizuna::exercise
