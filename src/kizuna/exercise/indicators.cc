// Kizuna.
#include "kizuna/exercise/indicators.h"

#include <algorithm>
#include <set>

#include "kizuna/base/strings.h"
#include "kizuna/detect/alerts.h"
#include "kizuna/exercise/internal/scenario_check.h"
#include "kizuna/exercise/marking.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::exercise {
namespace {

// The namespace of indicator ids: UUIDv5 of "urn:kizuna:exercise" in the URL namespace.
constexpr std::string_view kIndicatorNamespace = "219164ee-dbf4-5d84-bcba-80a7a68f4cf3";

// `value` as a STIX pattern string literal.
std::string Literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

void AddDomain(std::string_view name, std::vector<std::string>& out) {
  if (!name.empty()) out.push_back(StrCat("[domain-name:value = ", Literal(name), "]"));
}

// An address outside every team network implies an indicator.
void AddAddress(const Scenario& s, std::string_view host_or_address,
                std::vector<std::string>& out) {
  std::string address = s.Address(host_or_address);
  uint32_t ip = 0;
  if (!exercise_internal::ParseIpv4(address, ip) || exercise_internal::InTeamNetwork(s, ip)) return;
  out.push_back(StrCat("[ipv4-addr:value = ", Literal(address), "]"));
}

std::string_view TlpMarking(std::string_view tlp) {
  std::optional<policy::TlpLevel> level = policy::ParseTlpName(tlp);
  return policy::Tlp2MarkingId(level.value_or(policy::TlpLevel::kAmber));
}

// ["exercise marking", "the scenario's TLP marking"].
std::string Markings(const Scenario& scenario) {
  return StrCat("[\"", kExerciseMarkingId, "\",\"", TlpMarking(scenario.meta.tlp), "\"]");
}

// A bundle's opening, its id made of `name`, through the exercise marking and the white
// cell's identity (created at `when`).
std::string BundleHead(const Scenario& scenario, std::string_view name, std::string_view when) {
  std::string out = StrCat("{\"type\":\"bundle\",\"id\":\"bundle--",
                           stix::UuidV5(kIndicatorNamespace, StrCat(scenario.meta.id, "\n", name)),
                           "\",\"objects\":[\n", ExerciseMarkingJson(),
                           ",\n{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"",
                           WhiteCellIdentity(scenario), "\",\"created\":\"", when,
                           "\",\"modified\":\"", when, "\",\"name\":");
  detect::AppendJsonText(StrCat(scenario.meta.title, " (white cell)"), out);
  StrAppend(out,
            ",\"identity_class\":\"organization\",\"object_marking_refs\":", Markings(scenario),
            "}");
  return out;
}

}  // namespace

std::vector<std::string> StepPatterns(const Scenario& scenario, const Step& step) {
  std::vector<std::string> found;
  if (step.imply_indicators) {
    const Artefacts& a = step.artefacts;
    for (const auto& d : a.dns) {
      AddDomain(d.query, found);
      for (const auto& answer : d.answers) AddAddress(scenario, answer, found);
    }
    for (const auto& c : a.connections) AddAddress(scenario, c.dst, found);
    for (const auto& h : a.http) {
      AddDomain(h.host, found);
      AddAddress(scenario, h.dst, found);
    }
    for (const auto& t : a.tls) {
      AddDomain(t.sni, found);
      AddAddress(scenario, t.dst, found);
    }
    for (const auto& f : a.files)
      found.push_back(StrCat("[file:hashes.'SHA-256' = ", Literal(f.sha256), "]"));
  }
  for (const auto& p : step.indicators) found.push_back(p);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& p : found) {
    if (seen.insert(p).second) out.push_back(std::move(p));
  }
  return out;
}

std::string IndicatorId(std::string_view scenario_id, std::string_view step_id,
                        std::string_view pattern) {
  return StrCat("indicator--", stix::UuidV5(kIndicatorNamespace,
                                            StrCat(scenario_id, "\n", step_id, "\n", pattern)));
}

std::string WhiteCellIdentity(const Scenario& scenario) {
  return StrCat("identity--", stix::UuidV5(kIndicatorNamespace, StrCat(scenario.meta.id, "\nwhite-cell")));
}

std::string IndicatorBundle(const Scenario& scenario, const std::vector<std::string>& steps,
                            int64_t t0_us) {
  if (t0_us == 0) t0_us = scenario.meta.t0_us;
  std::string when = stix::FormatTaxii(t0_us);
  std::string identity = WhiteCellIdentity(scenario);
  std::string markings = Markings(scenario);
  std::string out = BundleHead(scenario, "bundle", when);
  for (const Step* step : scenario.Steps()) {
    if (!steps.empty() && std::find(steps.begin(), steps.end(), step->id) == steps.end()) continue;
    for (const std::string& pattern : StepPatterns(scenario, *step)) {
      StrAppend(out, ",\n{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"",
                IndicatorId(scenario.meta.id, step->id, pattern), "\",\"created_by_ref\":\"",
                identity, "\",\"created\":\"", when, "\",\"modified\":\"", when, "\",\"name\":");
      detect::AppendJsonText(StrCat(scenario.meta.id, " ", step->id, " (", step->technique, ")"),
                             out);
      out += ",\"pattern\":";
      detect::AppendJsonText(pattern, out);
      StrAppend(out, ",\"pattern_type\":\"stix\",\"valid_from\":\"", when,
                "\",\"indicator_types\":[\"malicious-activity\"],\"labels\":[\"exercise\"],"
                "\"object_marking_refs\":",
                markings, ",\"x_kizuna_exercise\":\"", scenario.meta.id,
                "\",\"x_kizuna_exercise_step\":");
      detect::AppendJsonText(step->id, out);
      out += ",\"x_kizuna_attack_technique\":";
      detect::AppendJsonText(step->technique, out);
      out += "}";
    }
  }
  out += "\n]}\n";
  return out;
}

std::string MessageNoteId(const Scenario& scenario, const Inject& inject) {
  return StrCat("note--", stix::UuidV5(kIndicatorNamespace,
                                       StrCat(scenario.meta.id, "\ninject\n", inject.id)));
}

std::string MessageBundle(const Scenario& scenario, const Inject& inject) {
  std::string when = stix::FormatTaxii(scenario.meta.t0_us + inject.at_s * 1000000);
  std::string identity = WhiteCellIdentity(scenario);
  std::string out =
      BundleHead(scenario, StrCat("inject\n", inject.id), stix::FormatTaxii(scenario.meta.t0_us));
  StrAppend(out, ",\n{\"type\":\"note\",\"spec_version\":\"2.1\",\"id\":\"",
            MessageNoteId(scenario, inject), "\",\"created_by_ref\":\"", identity,
            "\",\"created\":\"", when, "\",\"modified\":\"", when, "\",\"abstract\":");
  detect::AppendJsonText(StrCat("EXERCISE ", scenario.meta.id, ": inject ", inject.id), out);
  out += ",\"content\":";
  detect::AppendJsonText(inject.message, out);
  out += ",\"authors\":[";
  detect::AppendJsonText(StrCat(scenario.meta.title, " (white cell)"), out);
  out += "]";
  StrAppend(out, ",\"object_refs\":[\"", identity,
            "\"],\"object_marking_refs\":", Markings(scenario), ",\"x_kizuna_exercise\":\"",
            scenario.meta.id, "\",\"x_kizuna_exercise_inject\":");
  detect::AppendJsonText(inject.id, out);
  out += ",\"x_kizuna_exercise_audience\":[";
  for (size_t i = 0; i < inject.audience.size(); ++i) {
    if (i) out += ',';
    detect::AppendJsonText(inject.audience[i], out);
  }
  out += "],\"x_kizuna_expected_action\":";
  detect::AppendJsonText(inject.expected_action, out);
  StrAppend(out, ",\"x_kizuna_deadline_s\":", inject.deadline_s, "}\n]}\n");
  return out;
}

}  // namespace kizuna::exercise
