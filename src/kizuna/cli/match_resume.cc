// Kizuna.
#include "kizuna/cli/match_resume.h"

#include <boost/json.hpp>
#include <filesystem>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/correlation_state.h"

namespace kizuna::cli {
namespace {

constexpr int64_t kResumeVersion = 2;
// Version 1 had no pending events (nor correlation window): read as a file with none.
constexpr int64_t kResumeVersionWithoutCorrelations = 1;
// Nesting of a resume file: its members, then an observation's values (correlation_state.h).
constexpr size_t kMaxResumeDepth = 16 + 2 * detect::kMaxPendingDepth;

}  // namespace

absl::StatusOr<MatchResume> ReadMatchResume(const std::string& path, int64_t window_s,
                                            int64_t correlation_window_s) {
  MatchResume resume;
  resume.window_s = window_s;
  resume.correlation_window_s = correlation_window_s;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return resume;
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(path, kMaxResumeBytes));
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(StrCat("--resume ", path, ": ", what));
  };
  try {  // boost::json's accessors throw on a member of another type
    boost::json::parse_options options;
    options.max_depth = kMaxResumeDepth;
    boost::json::value v =
        boost::json::parse(std::string_view(text.data(), text.size()), {}, options);
    const boost::json::object& o = v.as_object();
    if (!o.contains("kizuna_match_resume"))
      return bad("not a resume file (no kizuna_match_resume)");
    const int64_t version = o.at("kizuna_match_resume").to_number<int64_t>();
    if (version != kResumeVersion && version != kResumeVersionWithoutCorrelations)
      return bad(StrCat("a resume file of version ", version, ", not ", kResumeVersion));
    if (o.at("window_s").to_number<int64_t>() != window_s) {
      return bad(StrCat("written with --window ", o.at("window_s").to_number<int64_t>(), ", not ",
                        window_s));
    }
    if (version == kResumeVersion &&
        o.at("correlation_window_s").to_number<int64_t>() != correlation_window_s) {
      return bad(StrCat("written with --correlation-window ",
                        o.at("correlation_window_s").to_number<int64_t>(), ", not ",
                        correlation_window_s));
    }
    if (version == kResumeVersion) {
      for (const auto& [input, pending] : o.at("correlations").as_object()) {
        absl::StatusOr<std::vector<detect::PendingEvents>> read = detect::PendingFromJson(
            pending,
            StrCat("--resume ", path, ": correlations[\"", std::string_view(input), "\"]"));
        if (!read.ok()) return read.status();
        resume.pending[std::string(input)] = std::move(*read);
      }
    }
    for (const auto& [input, p] : o.at("inputs").as_object()) {
      resume.inputs[std::string(input)] = {p.at("lines").to_number<uint64_t>(),
                                           p.at("bytes").to_number<uint64_t>()};
    }
    for (const boost::json::value& s : o.at("sightings").as_array()) {
      detect::SightingAggregator::Entry e;
      const boost::json::string& id = s.at("indicator").as_string();
      if (!detect::ParseIndicatorUuid(std::string_view(id.data(), id.size()), e.indicator))
        return bad("bad indicator id");
      e.window_start_us = s.at("window_start_us").to_number<int64_t>();
      if (e.window_start_us % (window_s * 1000000) != 0)
        return bad("a sighting window off the windows");
      e.first_us = s.at("first_us").to_number<int64_t>();
      e.last_us = s.at("last_us").to_number<int64_t>();
      e.count = s.at("count").to_number<int64_t>();
      resume.sightings.push_back(e);
    }
  } catch (const std::exception& e) {
    return bad(StrCat("not a resume file (", e.what(), ")"));
  }
  return resume;
}

absl::flat_hash_map<std::string, uint64_t> ResumeLines(const MatchResume& resume,
                                                       const std::vector<std::string>& inputs) {
  absl::flat_hash_map<std::string, uint64_t> lines;
  for (const std::string& input : inputs) {
    auto it = resume.inputs.find(input);
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(input, ec);
    if (it != resume.inputs.end() && !ec && size >= it->second.bytes)
      lines[input] = it->second.lines;
  }
  return lines;
}

absl::flat_hash_map<std::string, std::vector<detect::PendingEvents>> ResumePending(
    const MatchResume& resume, const absl::flat_hash_map<std::string, uint64_t>& lines) {
  absl::flat_hash_map<std::string, std::vector<detect::PendingEvents>> pending;
  for (const auto& [input, events] : resume.pending) {
    if (lines.contains(input)) pending[input] = events;
  }
  return pending;
}

void UpdateMatchResume(MatchResume& resume, const detect::MatchRun& run) {
  for (const auto& [input, progress] : run.progress()) {
    resume.inputs[input] = progress;
    auto pending = run.pending().find(input);
    if (pending == run.pending().end()) {
      resume.pending.erase(input);
    } else {
      resume.pending[input] = pending->second;
    }
  }
}

absl::Status WriteMatchResume(const std::string& path, const MatchResume& resume,
                              std::string* left_out) {
  boost::json::object inputs;
  for (const auto& [input, p] : resume.inputs)
    inputs[input] = {{"lines", p.lines}, {"bytes", p.bytes}};
  boost::json::array sightings;
  for (const detect::SightingAggregator::Entry& e : resume.sightings) {
    sightings.push_back({{"indicator", detect::FormatIndicatorId(e.indicator)},
                         {"window_start_us", e.window_start_us},
                         {"first_us", e.first_us},
                         {"last_us", e.last_us},
                         {"count", e.count}});
  }
  boost::json::object correlations;
  for (const auto& [input, pending] : resume.pending) {
    correlations[input] = detect::PendingToJson(pending);
  }
  boost::json::object o{{"kizuna_match_resume", kResumeVersion},
                        {"window_s", resume.window_s},
                        {"correlation_window_s", resume.correlation_window_s},
                        {"inputs", std::move(inputs)},
                        {"correlations", std::move(correlations)},
                        {"sightings", std::move(sightings)}};
  std::string text = boost::json::serialize(o) + "\n";
  if (text.size() > kMaxResumeBytes && !resume.pending.empty()) {
    // A file the next run could not read would stop every later run: the pending events
    // are left out instead, and the caller says so.
    if (left_out != nullptr) {
      *left_out = StrCat("--resume ", path,
                         ": the events patterns needing several observations "
                         "wait on would make the file ",
                         text.size() >> 20, " MiB, over ", kMaxResumeBytes >> 20,
                         " MiB: left out, so such a pattern whose events "
                         "span this run and the next is not matched");
    }
    o["correlations"] = boost::json::object();
    text = boost::json::serialize(o) + "\n";
  }
  return Annotate(WriteFileAtomically(path, text), StrCat("--resume ", path, ": "));
}

}  // namespace kizuna::cli
