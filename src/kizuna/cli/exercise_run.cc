// Kizuna. `kizuna exercise run SCENARIO --state DIR`: the exercise against live nodes.
//
//   kizuna exercise run SCENARIO --state DIR [--speed N] [--tokens FILE] [--node TEAM=URL...]
//                       [--ca-file [TEAM=]FILE...] [--background-scale X] [--poll SECONDS]
//                       [--auto-blue --team-data TEAM=DIR... [--team-org TEAM=NAME...] [--tick S]]
//                       [--attack BUNDLE] [--json] [--lang en|ja]
//
// The white cell's controller (docs/exercise.md, "Running an exercise"). It generates the
// scenario's telemetry (telemetry times are the scenario's own, so scores do not depend on
// when it runs) and runs the exercise clock at --speed scenario seconds per second:
//   - injects are POSTed over TAXII at their times to each audience team's node and
//     collection (the scenario's `channel.collection` purpose), with the exercise marking
//     (exercise/inject.h); message injects are delivered as STIX notes in each audience
//     team's `injects` collection (exercise/indicators.h, MessageBundle) and logged in
//     DIR/messages.jsonl;
//   - telemetry is appended to DIR/telemetry/<team>/ as its records become due
//     (exercise/release_plan.h), whole lines at a time, for `kizuna match --follow` or a
//     periodic `kizuna match --exercise` on the team's side;
//   - every --poll seconds the teams' sightings are read back over TAXII from their
//     `sightings` collections and the score is recomputed into DIR/score.json (the existing
//     scorer's JSON, exercise/score.h); DIR/state.json holds the progress `exercise status`
//     prints.
// --auto-blue (item 5): the implied indicators are POSTed to each blue team's `injects`
// collection at the start, and the scenario advances in lockstep ticks of --tick scenario
// seconds: at each, each team's node (its data directory, --team-data) runs `kizuna match
// --exercise --resume` over its telemetry released since the last tick, adding
// exercise-marked sightings to its `sightings` collection, then `kizuna sync run --once`
// shares them onward under policy, then the white cell reads and scores; a share first seen
// at a tick counts at that tick's scenario time, so the score is the same in every run.
// At the end DIR/result.json holds the final scoreboard, and DIR/aar.html and DIR/aar.json the
// after-action report (as `kizuna exercise report --result DIR/result.json` writes it). Exit codes:
// 0 done; 1 a failure (an inject or read that failed is listed in the summary); 2 usage.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"
#include "kizuna/cli/exercise_nodes.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/inject.h"
#include "kizuna/exercise/release_plan.h"
#include "kizuna/exercise/score.h"
#include "kizuna/report/html.h"
#include "kizuna/stix/timestamp.h"

extern char** environ;

namespace kizuna::cli {
namespace {

namespace fs = std::filesystem;

// The after-action report the run writes at its end, in DIR.
constexpr const char* kAarHtml = "aar.html";
constexpr const char* kAarJson = "aar.json";

struct RunFlags {
  std::string scenario, attack, state;
  NodeFlags nodes;
  double speed = 60;
  double background_scale = 1;
  double poll_seconds = 2;
  double tick_seconds = 300;
  bool auto_blue = false;
  std::vector<std::string> team_data, team_org;
  bool json = false;
  std::string lang = "en";
};

// Generated files held in memory until due.
class MemorySink : public exercise::TelemetrySink {
 public:
  absl::Status Write(std::string_view file, std::string_view bytes) override {
    files_[std::string(file)].append(bytes);
    return absl::OkStatus();
  }
  std::map<std::string, std::string>& files() { return files_; }

 private:
  std::map<std::string, std::string> files_;
};

absl::Status Append(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return absl::PermissionDeniedError(StrCat(path.parent_path().string(), ": ", ec.message()));
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) return FileError(path.string(), errno);
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  return ok ? absl::OkStatus() : absl::DataLossError(StrCat(path.string(), ": write failed"));
}

// The objects (or manifest entries) of a TAXII page; empty when it holds none or is no JSON.
boost::json::array PageObjects(std::string_view page) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(page, ec);
  boost::json::value* objects =
      ec || !v.is_object() ? nullptr : v.as_object().if_contains("objects");
  if (objects == nullptr || !objects->is_array()) return {};
  return std::move(objects->as_array());
}

// The string member `key` of a JSON object, or "".
std::string_view StringMember(const boost::json::value& v, std::string_view key) {
  const boost::json::value* member = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  if (member == nullptr || !member->is_string()) return {};
  return std::string_view(member->as_string().data(), member->as_string().size());
}

struct InjectState {
  const exercise::Inject* inject;
  bool sent = false;
  boost::json::array results;
};

class Run {
 public:
  Run(const exercise::Scenario& scenario, const RunFlags& flags, std::string kizuna)
      : scenario_(scenario), flags_(flags), kizuna_(std::move(kizuna)), state_(flags.state) {}

  absl::Status Prepare();
  // Runs the clock to the end: on the wall clock at --speed, or in auto-blue in lockstep
  // ticks. Returns an error only when the state cannot be written.
  absl::Status Loop();
  int Finish();

 private:
  absl::Status SendInjects(double offset_s);
  absl::Status Release(double offset_s);
  absl::Status Poll(double offset_s, bool final);
  // Reads what team `team`'s node received in its `shares` collection (each object's first
  // version, dated on the scenario's clock: in lockstep the tick it was first seen at, else
  // its date_added) into `scorer`.
  absl::Status ReadShares(exercise::Scorer& scorer, const std::string& team, TeamNode& node,
                          double offset_s, bool final);
  absl::Status WallClockLoop();
  absl::Status LockstepLoop();
  void ShowProgress(double offset_s) const;
  // Runs this binary with `args` (after it), output to DIR/`log`; a failure is listed.
  void RunKizuna(std::vector<std::string> args, const std::string& log, const std::string& what);
  void AutoBlue(const std::string& team);
  // One federation pass of the team's node (`kizuna sync run --once` on its data directory).
  void Share(const std::string& team);
  absl::Status WriteState(double offset_s, bool finished);
  void Failure(std::string what) {
    if (failures_.size() < 100) failures_.push_back(std::move(what));
  }

  const exercise::Scenario& scenario_;
  const RunFlags& flags_;
  const std::string kizuna_;  // this binary, for the auto-blue matches
  const fs::path state_;
  std::map<std::string, std::unique_ptr<TeamNode>> nodes_;
  std::map<std::string, std::string> team_data_, team_org_;
  std::optional<exercise::ReleasePlan> plan_;
  std::optional<exercise::GroundTruth> truth_;
  std::string truth_text_;
  std::vector<InjectState> injects_;
  std::vector<std::string> failures_;
  exercise::Scoreboard board_;
  uint64_t polls_ = 0;
  double offset_s_ = 0;
  bool finished_ = false;
  int64_t wall_start_us_ = 0;    // when the scenario clock started (offset 0), system clock
  // Lockstep: (team, object id) -> the scenario time of the tick the white cell first saw
  // the object in the team's shares collection at.
  std::map<std::pair<std::string, std::string>, int64_t> first_seen_;
  bool report_written_ = false;  // DIR/aar.html and DIR/aar.json
};

absl::Status Run::Prepare() {
  KZ_ASSIGN_OR_RETURN(nodes_, ConnectTeams(scenario_, flags_.nodes));
  for (const auto& [flag, values, out] : {std::tuple{"--team-data", &flags_.team_data, &team_data_},
                                          std::tuple{"--team-org", &flags_.team_org, &team_org_}}) {
    for (const std::string& text : *values) {
      std::string team, value;
      KZ_RETURN_IF_ERROR(SplitTeamValue(flag, text, team, value));
      if (!nodes_.count(team)) return absl::InvalidArgumentError(StrCat(flag, ": no team '", team, "' with a node"));
      (*out)[team] = value;
    }
  }
  std::error_code ec;
  if (fs::exists(state_ / "state.json", ec)) {
    return absl::AlreadyExistsError(StrCat("--state ", state_.string(), " holds an exercise already: give a new folder"));
  }
  fs::create_directories(state_ / "telemetry", ec);
  if (ec) return absl::PermissionDeniedError(StrCat(state_.string(), ": ", ec.message()));
  exercise::GenerateOptions options;
  options.background_scale = flags_.background_scale;
  MemorySink sink;
  KZ_RETURN_IF_ERROR(exercise::Generate(scenario_, options, sink).status());
  auto truth = sink.files().find(std::string(exercise::kTruthFile));
  if (truth != sink.files().end()) {
    truth_text_ = std::move(truth->second);
    sink.files().erase(truth);
  }
  KZ_ASSIGN_OR_RETURN(truth_, exercise::GroundTruth::Parse(truth_text_, exercise::kTruthFile));
  KZ_ASSIGN_OR_RETURN(plan_, exercise::ReleasePlan::Build(std::move(sink.files()), truth_text_, exercise::kTruthFile));
  KZ_RETURN_IF_ERROR(WriteFileAtomically((state_ / exercise::kTruthFile).string(), truth_text_));
  for (const exercise::Inject& inject : scenario_.injects) injects_.push_back({&inject, false, {}});
  if (flags_.auto_blue) {
    std::string envelope;
    KZ_ASSIGN_OR_RETURN(envelope, exercise::InjectEnvelope(exercise::IndicatorBundle(scenario_, {}, 0), "implied indicators"));
    for (auto& [id, node] : nodes_) {
      if (node->team().role != exercise::TeamRole::kBlue) continue;
      std::string alias = node->Collection("injects");
      if (alias.empty()) return absl::InvalidArgumentError(StrCat("--auto-blue: team ", id, " has no injects collection"));
      KZ_RETURN_IF_ERROR(node->Post(alias, envelope).status());
    }
  }
  return WriteState(0, false);
}

absl::Status Run::SendInjects(double offset_s) {
  for (InjectState& s : injects_) {
    const exercise::Inject& inject = *s.inject;
    if (s.sent || static_cast<double>(inject.at_s) > offset_s) continue;
    s.sent = true;
    absl::StatusOr<std::string> envelope;
    std::string purpose = inject.collection;
    if (inject.collection.empty()) {
      // A message: logged here, and delivered as a note in each team's injects collection.
      boost::json::object m{
          {"inject", inject.id},
          {"at_s", inject.at_s},
          {"message", inject.message},
          {"audience", boost::json::array(inject.audience.begin(), inject.audience.end())},
          {"expected_action", inject.expected_action},
          {"note", exercise::MessageNoteId(scenario_, inject)}};
      KZ_RETURN_IF_ERROR(Append(state_ / "messages.jsonl", boost::json::serialize(m) + "\n"));
      envelope = exercise::InjectEnvelope(exercise::MessageBundle(scenario_, inject),
                                          StrCat("inject ", inject.id));
      purpose = "injects";
    } else {
      fs::path content = fs::path(scenario_.file).parent_path() / inject.content;
      envelope = [&]() -> absl::StatusOr<std::string> {
        KZ_ASSIGN_OR_RETURN(simdjson::padded_string text,
                            ReadFile(content.string(), exercise::kMaxInjectBytes));
        return exercise::InjectEnvelope(std::string_view(text.data(), text.size()),
                                        content.string());
      }();
    }
    for (const std::string& team : inject.audience) {
      boost::json::object r{{"team", team}};
      auto node = nodes_.find(team);
      absl::StatusOr<std::string> status =
          !envelope.ok()         ? absl::StatusOr<std::string>(envelope.status())
          : node == nodes_.end() ? absl::StatusOr<std::string>(
                                       absl::NotFoundError(StrCat("team ", team, " has no node")))
                                 : node->second->Post(node->second->Collection(purpose), *envelope);
      if (status.ok()) {
        boost::system::error_code json_error;
        boost::json::value v = boost::json::parse(*status, json_error);
        if (!json_error && v.is_object()) {
          r["success_count"] = v.as_object()["success_count"];
          r["failure_count"] = v.as_object()["failure_count"];
        }
      } else {
        r["error"] = View(status.status().message());
        Failure(StrCat("inject ", inject.id, " to ", team, ": ", status.status().message()));
      }
      s.results.push_back(std::move(r));
    }
  }
  return absl::OkStatus();
}

absl::Status Run::Release(double offset_s) {
  int64_t until = scenario_.meta.t0_us + static_cast<int64_t>(offset_s * 1e6);
  for (const exercise::TelemetryChunk& c : plan_->ReleaseUntil(until)) {
    KZ_RETURN_IF_ERROR(Append(state_ / "telemetry" / c.file, c.bytes));
  }
  return absl::OkStatus();
}

void Run::RunKizuna(std::vector<std::string> args, const std::string& log_name,
                    const std::string& what) {
  args.insert(args.begin(), kizuna_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log = (state_ / log_name).string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int err = posix_spawn(&pid, kizuna_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (err != 0) {
    Failure(StrCat(what, ": cannot start ", kizuna_, ": ", std::strerror(err)));
  } else if (waitpid(pid, &status, 0) == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    Failure(StrCat(what, " failed (", log, ")"));
  }
}

// Runs `kizuna match --exercise` on the team's node over its telemetry, as its sensor would:
// with --resume, over the records released since its last poll only (their alerts appended,
// the sightings counting every poll's, patterns needing several observations seeing the
// earlier polls' events).
void Run::AutoBlue(const std::string& team) {
  const TeamNode& node = *nodes_.at(team);
  fs::path input = state_ / "telemetry" / team;
  std::error_code ec;
  if (!fs::exists(input, ec)) return;
  fs::create_directories(state_ / "alerts", ec);
  std::vector<std::string> args = {
      "--data-dir", team_data_.at(team),
      "match",      "--exercise",
      "--input",    input.string(),
      "--alerts",   (state_ / "alerts" / (team + ".jsonl")).string(),
      "--resume",   (state_ / "alerts" / (team + ".resume.json")).string(),
      "--json"};
  for (const char* purpose : {"injects", "shares"}) {
    if (!node.Collection(purpose).empty()) args.insert(args.end(), {"--collection", node.Collection(purpose)});
  }
  if (!node.Collection("sightings").empty()) args.insert(args.end(), {"--sightings-to", node.Collection("sightings")});
  if (team_org_.count(team)) args.insert(args.end(), {"--organization", team_org_.at(team)});
  RunKizuna(std::move(args), "auto-blue-" + team + ".log",
            StrCat("auto-blue ", team, ": kizuna match"));
}

// Runs `kizuna sync run --once` on the team's node over the mappings of its exercise
// collections only (none: nothing to share): the node's other partners and collections keep
// their own schedule.
void Run::Share(const std::string& team) {
  const TeamNode& node = *nodes_.at(team);
  std::vector<std::string> args = {"--data-dir", team_data_.at(team), "sync", "run", "--once"};
  const size_t before = args.size();
  for (const char* purpose : {"injects", "shares", "sightings"}) {
    if (!node.Collection(purpose).empty())
      args.insert(args.end(), {"--collection", node.Collection(purpose)});
  }
  if (args.size() == before) return;
  RunKizuna(std::move(args), "sync-" + team + ".log",
            StrCat("auto-blue ", team, ": kizuna sync run --once"));
}

absl::Status Run::Poll(double offset_s, bool final) {
  ++polls_;
  if (flags_.auto_blue) {
    // Every team matches what this tick released, then every node shares what it sighted, so
    // the shares read below are all this tick's.
    for (const auto& [team, dir] : team_data_) AutoBlue(team);
    for (const auto& [team, dir] : team_data_) Share(team);
  }
  exercise::Scorer scorer(scenario_, *truth_, 1.0);
  std::error_code ec;
  for (const auto& [team, node] : nodes_) {
    fs::path alerts = state_ / "alerts" / (team + ".jsonl");
    if (fs::exists(alerts, ec)) {
      KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(alerts.string(), uint64_t{16} << 30));
      KZ_RETURN_IF_ERROR(scorer.AddAlerts(std::string_view(text.data(), text.size()), alerts.string()));
    }
    std::string alias = node->Collection("sightings");
    if (alias.empty() || node->team().role != exercise::TeamRole::kBlue) continue;
    absl::StatusOr<std::vector<std::string>> pages = node->ReadAll(alias);
    if (!pages.ok()) {
      if (final) Failure(std::string(View(pages.status().message())));
      continue;
    }
    for (const std::string& page : *pages) {
      KZ_RETURN_IF_ERROR(scorer.AddSightings(page, team, StrCat("team ", team, " collection ", alias)));
    }
    KZ_RETURN_IF_ERROR(ReadShares(scorer, team, *node, offset_s, final));
  }
  board_ = scorer.Finish();
  KZ_RETURN_IF_ERROR(WriteFileAtomically((state_ / "score.json").string(), board_.ToJson()));
  return WriteState(offset_s, final);
}

absl::Status Run::ReadShares(exercise::Scorer& scorer, const std::string& team, TeamNode& node,
                             double offset_s, bool final) {
  const std::string alias = node.Collection("shares");
  if (alias.empty()) return absl::OkStatus();
  // Manifest first: an object added between the two reads has no date yet, and waits for
  // the next poll.
  absl::StatusOr<std::vector<std::string>> manifest =
      node.ReadAll(alias, "manifest", "match[version]=first");
  absl::StatusOr<std::vector<std::string>> objects =
      manifest.ok() ? node.ReadAll(alias, "objects", "match[version]=first") : manifest;
  if (!objects.ok()) {
    // In lockstep a share read a tick late would count a tick late: the run reports it.
    if (final || flags_.auto_blue) Failure(std::string(View(objects.status().message())));
    return absl::OkStatus();
  }
  std::map<std::string, int64_t> added;  // id -> date_added on the scenario clock
  for (const std::string& page : *manifest) {
    for (boost::json::value& entry : PageObjects(page)) {
      std::string id(StringMember(entry, "id"));
      if (flags_.auto_blue) {
        // Lockstep: the tick the object was first seen at, whatever the nodes' clocks said.
        added[id] = first_seen_
                        .try_emplace({team, id},
                                     scenario_.meta.t0_us + static_cast<int64_t>(offset_s * 1e6))
                        .first->second;
        continue;
      }
      absl::StatusOr<int64_t> wall = stix::ParseMicros(StringMember(entry, "date_added"));
      if (!wall.ok()) continue;
      // The node's clock to the scenario's: offset 0 was wall_start_us_, at --speed.
      added[id] = scenario_.meta.t0_us +
                  static_cast<int64_t>(static_cast<double>(*wall - wall_start_us_) * flags_.speed);
    }
  }
  boost::json::array dated;
  for (const std::string& page : *objects) {
    for (boost::json::value& o : PageObjects(page)) {
      auto at = added.find(std::string(StringMember(o, "id")));
      if (at == added.end()) continue;
      o.as_object()["date_added"] = stix::FormatTaxii(at->second);
      dated.push_back(std::move(o));
    }
  }
  return scorer.AddShared(
      boost::json::serialize(boost::json::object{{"objects", std::move(dated)}}), team,
      StrCat("team ", team, " collection ", alias));
}

absl::Status Run::WriteState(double offset_s, bool finished) {
  offset_s_ = offset_s, finished_ = finished;
  boost::json::array injects;
  for (const InjectState& s : injects_) {
    injects.push_back({{"id", s.inject->id}, {"at_s", s.inject->at_s}, {"sent", s.sent}, {"results", s.results}});
  }
  boost::json::object o{
      {"exercise", scenario_.meta.id},
      {"title", scenario_.meta.title},
      {"scenario", scenario_.file},
      {"speed", flags_.speed},
      {"auto_blue", flags_.auto_blue},
      {"tick_s", flags_.auto_blue ? boost::json::value(flags_.tick_seconds) : nullptr},
      {"offset_s", offset_s},
      {"duration_s", scenario_.meta.duration_s},
      {"records", plan_ ? plan_->records() : 0},
      {"released_records", plan_ ? plan_->released_records() : 0},
      {"polls", polls_},
      {"injects", std::move(injects)},
      {"failures", boost::json::array(failures_.begin(), failures_.end())},
      {"finished", finished}};
  if (report_written_) {
    o["report"] = {{"html", (state_ / kAarHtml).string()}, {"json", (state_ / kAarJson).string()}};
  }
  return WriteFileAtomically((state_ / "state.json").string(), boost::json::serialize(o) + "\n");
}

absl::Status Run::Loop() {
  const bool terminal = StderrIsTerminal();
  wall_start_us_ = SystemClock().NowMicros();
  KZ_RETURN_IF_ERROR(flags_.auto_blue ? LockstepLoop() : WallClockLoop());
  if (terminal) std::fputs("\r\033[K", stderr);
  return absl::OkStatus();
}

void Run::ShowProgress(double offset_s) const {
  if (!StderrIsTerminal()) return;
  uint64_t detected = 0, steps = 0;
  for (const exercise::TeamScore& t : board_.teams) detected += t.detected, steps += t.steps;
  std::fputs(StrCat("\r", scenario_.meta.id, ": ", static_cast<int64_t>(offset_s / 60), "/",
                    scenario_.meta.duration_s / 60, " min, ", plan_->released_records(), "/",
                    plan_->records(), " records, ", detected, "/", steps, " steps detected   ")
                 .c_str(),
             stderr);
}

// A human team's exercise: the scenario runs on the wall clock at --speed, and the teams'
// nodes are read every --poll seconds.
absl::Status Run::WallClockLoop() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_poll = start;
  const double end_s = static_cast<double>(scenario_.meta.duration_s);
  for (;;) {
    double offset_s = std::min(end_s, std::chrono::duration<double>(Clock::now() - start).count() * flags_.speed);
    KZ_RETURN_IF_ERROR(SendInjects(offset_s));
    KZ_RETURN_IF_ERROR(Release(offset_s));
    bool over = offset_s >= end_s;
    if (Clock::now() >= next_poll || over) {
      KZ_RETURN_IF_ERROR(Poll(offset_s, over));
      next_poll = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(flags_.poll_seconds * 1000));
    }
    ShowProgress(offset_s);
    if (over) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::OkStatus();
}

// Auto-blue: the scenario advances in ticks of --tick scenario seconds (0, tick, 2 tick, ...,
// the end). At each, the injects and telemetry due are released, every team matches, every
// node makes one federation pass, and the white cell reads and scores: nothing depends on how
// long any of it took. The ticks are paced at --speed when the work keeps up, and wait for it
// when it does not.
absl::Status Run::LockstepLoop() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const double end_s = static_cast<double>(scenario_.meta.duration_s);
  for (int64_t tick = 0;; ++tick) {
    const double offset_s = std::min(end_s, static_cast<double>(tick) * flags_.tick_seconds);
    std::this_thread::sleep_until(start +
                                  std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(offset_s / flags_.speed)));
    KZ_RETURN_IF_ERROR(SendInjects(offset_s));
    KZ_RETURN_IF_ERROR(Release(offset_s));
    const bool over = offset_s >= end_s;
    KZ_RETURN_IF_ERROR(Poll(offset_s, over));
    ShowProgress(offset_s);
    if (over) break;
  }
  return absl::OkStatus();
}

int Run::Finish() {
  std::string json = board_.ToJson();
  const std::string result = (state_ / "result.json").string();
  absl::Status written = WriteFileAtomically(result, json);
  if (!written.ok()) return ReportError(written);
  // The after-action report, as `exercise report --result DIR/result.json` writes it.
  absl::StatusOr<report::Lang> lang = report::ParseLang(flags_.lang);
  if (!lang.ok()) return ReportError(lang.status());
  absl::StatusOr<std::string> report = WriteAfterActionReport(
      json, result, (state_ / kAarHtml).string(), (state_ / kAarJson).string(), *lang);
  if (!report.ok()) return ReportError(report.status());
  report_written_ = true;
  if (absl::Status s = WriteState(offset_s_, finished_); !s.ok()) return ReportError(s);
  std::string out = flags_.json ? json : board_.ToTable();
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const std::string& f : failures_) std::fprintf(stderr, "kizuna: %s\n", f.c_str());
  std::fprintf(stderr, "%s\n", report->c_str());
  std::fprintf(stderr, "%s: %llu records released, %zu injects, %llu polls; state in %s\n", scenario_.meta.id.c_str(),
               static_cast<unsigned long long>(plan_->released_records()), injects_.size(),
               static_cast<unsigned long long>(polls_), state_.c_str());
  return failures_.empty() ? kExitOk : kExitFailure;
}

int RunExercise(GlobalOptions& global, const RunFlags& flags) {
  auto scenario = LoadScenario(flags.scenario, flags.attack, global.data_dir);
  if (!scenario.ok()) return ReportError(scenario.status());
  if (flags.auto_blue && flags.team_data.empty()) {
    return ReportError(absl::InvalidArgumentError("--auto-blue needs --team-data TEAM=DIR for each team that matches"));
  }
  std::error_code ec;
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return ReportError(absl::InternalError(StrCat("/proc/self/exe: ", ec.message())));
  Run run(*scenario, flags, self);
  if (absl::Status s = run.Prepare(); !s.ok()) return ReportError(s);
  if (absl::Status s = run.Loop(); !s.ok()) return ReportError(s);
  return run.Finish();
}

}  // namespace

void AddExerciseRun(CLI::App& exercise, GlobalOptions& global) {
  auto* cmd = exercise.add_subcommand("run", "Run an exercise against the teams' live nodes");
  auto flags = std::make_shared<RunFlags>();
  cmd->add_option("scenario", flags->scenario, "Scenario file (YAML)")->required();
  cmd->add_option(
         "--state", flags->state,
         "Folder for the exercise's state: telemetry/<team>/ (the teams' sensor folders), "
         "truth.tsv, state.json, score.json, result.json, aar.html, aar.json (a new folder)")
      ->required();
  cmd->add_option("--speed", flags->speed, "Scenario seconds per second of the run")
      ->capture_default_str()->check(CLI::Range(0.01, 1e6));
  cmd->add_option("--tokens", flags->nodes.tokens_file,
                  "File of mode 0600 with lines 'TEAM TOKEN' (else KIZUNA_EXERCISE_TOKEN_<TEAM>)");
  cmd->add_option("--node", flags->nodes.nodes, "TEAM=URL: the team's node (default: the scenario's node.url)");
  cmd->add_option("--ca-file", flags->nodes.ca_files, "FILE or TEAM=FILE: PEM CAs to trust for the nodes");
  cmd->add_option("--background-scale", flags->background_scale, "Multiply every background rate by this")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--poll", flags->poll_seconds,
                  "Seconds between reads of the teams' sightings and scores (auto-blue: --tick)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  auto* auto_blue =
      cmd->add_flag("--auto-blue", flags->auto_blue,
                    "Each team's node matches its telemetry itself (kizuna match --exercise) and "
                    "shares sightings: the unattended baseline, run in lockstep ticks (--tick)");
  cmd->add_option("--tick", flags->tick_seconds,
                  "With --auto-blue: scenario seconds per lockstep tick (release, match, share, "
                  "score); a share first seen at a tick counts at its time")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0))
      ->needs(auto_blue);
  cmd->add_option("--team-data", flags->team_data, "TEAM=DIR: the data directory of the team's node (--auto-blue)");
  cmd->add_option("--team-org", flags->team_org, "TEAM=NAME: the organisation the team's sightings are by");
  cmd->add_option("--attack", flags->attack, "ATT&CK STIX bundle (default: the store's ATT&CK objects)");
  cmd->add_flag("--json", flags->json, "Print the final scoreboard as one JSON object");
  cmd->add_option("--lang", flags->lang,
                  "Language of the after-action report DIR/aar.html: en or ja")
      ->capture_default_str();
  cmd->callback([&global, flags] { global.exit_code = RunExercise(global, *flags); });
}

}  // namespace kizuna::cli
