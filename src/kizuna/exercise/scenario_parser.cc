// Kizuna.
#include "kizuna/exercise/scenario_parser.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/numbers.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/internal/artefacts_parser.h"
#include "kizuna/exercise/internal/scenario_check.h"
#include "kizuna/exercise/internal/yaml_fields.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::exercise {
namespace {

using exercise_internal::FieldReader;
using exercise_internal::LineOf;
using exercise_internal::ReadArtefacts;
using YNode = YAML::Node;
using Path = const std::string&;

constexpr int64_t kMaxSeed = INT64_MAX;

absl::Status ReadMeta(const FieldReader& r, const YNode& n, Path p, Meta& m) {
  return r.Walk(n, p,
                {{"id", r.Str(m.id)},
                 {"title", r.Str(m.title)},
                 {"t0",
                  [&](const YNode& v, Path vp) {
                    std::string text;
                    KZ_RETURN_IF_ERROR(r.String(v, vp, text));
                    absl::StatusOr<int64_t> us = stix::ParseMicros(text);
                    if (!us.ok()) return r.Bad(v, vp, View(us.status().message()));
                    m.t0_us = *us;
                    return absl::OkStatus();
                  }},
                 {"duration", r.Seconds(kMaxDurationSeconds, m.duration_s)},
                 {"seed",
                  [&](const YNode& v, Path vp) {
                    int64_t seed = 0;
                    KZ_RETURN_IF_ERROR(r.Integer(v, vp, 0, kMaxSeed, seed));
                    m.seed = static_cast<uint64_t>(seed);
                    return absl::OkStatus();
                  }},
                 {"tlp", r.Str(m.tlp)}},
                {"id", "title", "t0", "duration", "seed"});
}

absl::Status ReadTeam(const FieldReader& r, const YNode& n, Path p, Team& t) {
  t.line = LineOf(n);
  std::string role;
  absl::Status walked = r.Walk(
      n, p,
      {{"id", r.Str(t.id)},
       {"nation", r.Str(t.nation)},
       {"role", r.Str(role)},
       {"node",
        [&](const YNode& v, Path vp) {
          return r.Walk(
              v, vp,
              {{"url", r.Str(t.node.url)},
               {"api_root", r.Str(t.node.api_root)},
               {"collections", [&](const YNode& c, Path cp) {
                  if (!c.IsMap())
                    return r.Bad(c, cp, "expected a mapping of purposes to collection aliases");
                  for (const auto& item : c) {
                    KZ_RETURN_IF_ERROR(r.String(item.second, StrCat(cp, ".", item.first.Scalar()),
                                                t.node.collections[item.first.Scalar()]));
                  }
                  return absl::OkStatus();
                }}});
        }},
       {"network", r.Str(t.network)},
       {"dns_server", r.Str(t.dns_server)},
       {"hosts",
        [&](const YNode& v, Path vp) {
          return r.Each(v, vp, [&](const YNode& h, Path hp) {
            Host& host = t.hosts.emplace_back();
            host.line = LineOf(h);
            return r.Walk(h, hp,
                          {{"name", r.Str(host.name)},
                           {"address", r.Str(host.address)},
                           {"services", r.StrList(host.services)}},
                          {"name", "address"});
          });
        }},
       {"sensors",
        [&](const YNode& v, Path vp) {
          return r.Each(v, vp, [&](const YNode& s, Path sp) {
            Sensor& sensor = t.sensors.emplace_back();
            return r.Walk(s, sp, {{"name", r.Str(sensor.name)}, {"kind", r.Str(sensor.kind)}},
                          {"name", "kind"});
          });
        }}},
      {"id", "nation", "role"});
  KZ_RETURN_IF_ERROR(walked);
  if (role == "blue") {
    t.role = TeamRole::kBlue;
  } else if (role == "red") {
    t.role = TeamRole::kRed;
  } else if (role == "white") {
    t.role = TeamRole::kWhite;
  } else {
    return r.Bad(n["role"], StrCat(p, ".role"), StrCat("'", role, "' is not blue, red or white"));
  }
  return absl::OkStatus();
}

absl::Status ReadWindow(const FieldReader& r, const YNode& n, Path p, int64_t& start,
                        int64_t& end) {
  KZ_RETURN_IF_ERROR(r.Walk(n, p,
                            {{"start", r.Seconds(kMaxDurationSeconds, start)},
                             {"end", r.Seconds(kMaxDurationSeconds, end)}},
                            {"start", "end"}));
  if (end < start) return r.Bad(n["end"], StrCat(p, ".end"), "must not be before start");
  return absl::OkStatus();
}

absl::Status ReadStep(const FieldReader& r, const YNode& n, Path p, Step& s) {
  s.line = LineOf(n);
  return r.Walk(
      n, p,
      {{"id", r.Str(s.id)},
       {"technique",
        [&](const YNode& v, Path vp) {
          s.technique_line = LineOf(v);
          return r.String(v, vp, s.technique);
        }},
       {"team", r.Str(s.team)},
       {"source", r.Str(s.source)},
       {"target", r.Str(s.target)},
       {"window",
        [&](const YNode& v, Path vp) { return ReadWindow(r, v, vp, s.start_s, s.end_s); }},
       {"artefacts", [&](const YNode& v, Path vp) { return ReadArtefacts(r, v, vp, s.artefacts); }},
       {"indicators", r.StrList(s.indicators)},
       {"imply_indicators",
        [&](const YNode& v, Path vp) { return r.Bool(v, vp, s.imply_indicators); }},
       {"detection",
        [&](const YNode& v, Path vp) {
          return r.Walk(v, vp,
                        {{"level", r.Str(s.detection.level)},
                         {"deadline", r.Seconds(kMaxDurationSeconds, s.detection.deadline_s)}},
                        {"deadline"});
        }}},
      {"id", "technique", "team", "source", "window", "artefacts"});
}

absl::Status ReadProcedure(const FieldReader& r, const YNode& n, Path p, Procedure& proc) {
  proc.line = LineOf(n);
  return r.Walk(n, p,
                {{"id", r.Str(proc.id)},
                 {"actor", r.Str(proc.actor)},
                 {"steps",
                  [&](const YNode& v, Path vp) {
                    return r.Each(v, vp, [&](const YNode& s, Path sp) {
                      Step& step = proc.steps.emplace_back();
                      KZ_RETURN_IF_ERROR(ReadStep(r, s, sp, step));
                      step.actor = proc.actor;
                      return absl::OkStatus();
                    });
                  }}},
                {"id", "actor", "steps"});
}

absl::Status ReadBackground(const FieldReader& r, const YNode& n, Path p, Background& b) {
  b.line = LineOf(n);
  return r.Walk(n, p,
                {{"team", r.Str(b.team)},
                 {"records_per_second",
                  [&](const YNode& v, Path vp) {
                    return r.Number(v, vp, 0, kMaxBackgroundRate, b.records_per_second);
                  }},
                 {"mix", [&](const YNode& v, Path vp) { return r.Weights(v, vp, b.mix); }},
                 {"domains", r.StrList(b.domains)}},
                {"team", "records_per_second"});
}

absl::Status ReadLookalike(const FieldReader& r, const YNode& n, Path p, Lookalike& l) {
  l.line = LineOf(n);
  return r.Walk(n, p,
                {{"name", r.Str(l.name)},
                 {"team", r.Str(l.team)},
                 {"source", r.Str(l.source)},
                 {"window", [&](const YNode& v,
                                Path vp) { return ReadWindow(r, v, vp, l.start_s, l.end_s); }},
                 {"artefacts",
                  [&](const YNode& v, Path vp) { return ReadArtefacts(r, v, vp, l.artefacts); }}},
                {"name", "team", "window", "artefacts"});
}

absl::Status ReadInject(const FieldReader& r, const YNode& n, Path p, Inject& i) {
  i.line = LineOf(n);
  return r.Walk(
      n, p,
      {{"id", r.Str(i.id)},
       {"at", r.Seconds(kMaxDurationSeconds, i.at_s)},
       {"audience", r.StrList(i.audience)},
       {"channel",
        [&](const YNode& v, Path vp) {
          KZ_RETURN_IF_ERROR(
              r.Walk(v, vp, {{"collection", r.Str(i.collection)}, {"message", r.Str(i.message)}}));
          if (i.collection.empty() == i.message.empty()) {
            return r.Bad(v, vp, "expected either collection or message");
          }
          return absl::OkStatus();
        }},
       {"content", r.Str(i.content)},
       {"expected_action", r.Str(i.expected_action)},
       {"deadline", r.Seconds(kMaxDurationSeconds, i.deadline_s)}},
      {"id", "at", "audience", "channel", "expected_action"});
}

absl::Status ReadObjective(const FieldReader& r, const YNode& n, Path p, SharingObjective& o) {
  o.line = LineOf(n);
  return r.Walk(n, p,
                {{"id", r.Str(o.id)},
                 {"from", r.Str(o.from)},
                 {"to", r.StrList(o.to)},
                 {"step", r.Str(o.step)},
                 {"by", r.Seconds(kMaxDurationSeconds, o.by_s)},
                 {"tlp", r.Str(o.tlp)},
                 {"releasable_to", r.StrList(o.releasable_to)}},
                {"id", "from", "to", "step", "by"});
}

template <typename T, typename F>
FieldReader::Handler ListOf(const FieldReader& r, std::vector<T>& out, F read) {
  return [&r, &out, read](const YNode& n, Path p) {
    return r.Each(
        n, p, [&](const YNode& item, Path ip) { return read(r, item, ip, out.emplace_back()); });
  };
}

absl::Status ReadTop(const FieldReader& r, const YNode& root, Scenario& s) {
  return r.Walk(root, "",
                {{"meta", [&](const YNode& v, Path p) { return ReadMeta(r, v, p, s.meta); }},
                 {"teams", ListOf(r, s.teams, ReadTeam)},
                 {"actors",
                  [&](const YNode& v, Path p) {
                    return r.Each(v, p, [&](const YNode& a, Path ap) {
                      Actor& actor = s.actors.emplace_back();
                      actor.line = LineOf(a);
                      return r.Walk(a, ap,
                                    {{"id", r.Str(actor.id)},
                                     {"intrusion_set", r.Str(actor.intrusion_set)},
                                     {"attack_group",
                                      [&](const YNode& g, Path gp) {
                                        actor.attack_group_line = LineOf(g);
                                        return r.String(g, gp, actor.attack_group);
                                      }}},
                                    {"id"});
                    });
                  }},
                 {"procedures", ListOf(r, s.procedures, ReadProcedure)},
                 {"background", ListOf(r, s.background, ReadBackground)},
                 {"lookalikes", ListOf(r, s.lookalikes, ReadLookalike)},
                 {"injects", ListOf(r, s.injects, ReadInject)},
                 {"sharing", ListOf(r, s.sharing, ReadObjective)},
                 {"scoring",
                  [&](const YNode& v, Path p) {
                    return r.Walk(v, p, {{"weights", [&](const YNode& w, Path wp) {
                                            return r.Weights(w, wp, s.weights);
                                          }}});
                  }}},
                {"meta", "teams", "procedures"});
}

}  // namespace

absl::StatusOr<int64_t> ParseDuration(std::string_view text) {
  int64_t unit = 1;
  std::string_view digits = text;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
    }
    if (unit != 0) digits.remove_suffix(1);
    if (unit == 0) unit = 1;
  }
  int64_t n = 0;
  if (digits.empty() || !absl::SimpleAtoi(AbslView(digits), &n) || n < 0 ||
      n > kMaxDurationSeconds) {
    return absl::InvalidArgumentError(
        StrCat("'", text, "' is not a duration (90, 90s, 10m, 2h, 1d)"));
  }
  return n * unit;
}

absl::StatusOr<Scenario> ParseScenario(std::string_view text, std::string_view file) {
  if (text.size() > kMaxScenarioBytes) {
    return absl::InvalidArgumentError(StrCat(file, ": larger than ", kMaxScenarioBytes, " bytes"));
  }
  Scenario s;
  s.file = std::string(file);
  FieldReader r(file);
  try {
    YNode root = YAML::Load(std::string(text));
    KZ_RETURN_IF_ERROR(ReadTop(r, root, s));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat(file, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  KZ_RETURN_IF_ERROR(exercise_internal::CheckScenario(s));
  return s;
}

absl::StatusOr<Scenario> ReadScenario(std::string_view path) {
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(path, kMaxScenarioBytes));
  return ParseScenario(std::string_view(text.data(), text.size()), path);
}

}  // namespace kizuna::exercise
