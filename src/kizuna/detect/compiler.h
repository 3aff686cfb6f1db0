// Kizuna. The indicator compiler: active STIX indicators in, one immutable Snapshot out.
#pragma once

// IndicatorCompiler takes indicator objects (from the store, or given directly), keeps the
// active ones — not revoked, valid_from <= now < valid_until, pattern_type "stix" — parses
// and validates each pattern, and compiles them into one Snapshot (snapshot.h):
// simple patterns (classify.h) become lookup keys, minus the keys an Allowlist allows (each
// suppression is reported with the list's name); every other valid pattern is compiled for
// the evaluator. An indicator whose pattern is invalid, or that is not a well-formed
// indicator, is skipped and reported with its id and the reason; it never stops the others.
// A store that fails part-way fails the whole compilation: there is no half-built snapshot.
//
//   CompileOptions options;
//   options.now_us = clock.NowMicros();
//   CompileReport report;
//   KZ_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot,
//                       CompileFromStore(store, collection_ids, options, &report));
//
// The same indicator id seen twice (in two collections) is compiled once: the version with
// the latest `modified` wins.
//
// Memory: AddObject keeps a small record and the pattern text of each indicator until
// Finish; AddObjectNow compiles at once and keeps nothing but what the snapshot keeps, which
// is how CompileFromStore reads one collection (its latest versions: one per id).
//
// Thread-safety: an IndicatorCompiler belongs to one thread; CompileFromStore (which reads
// the store's pages on a second thread of its own, store/page_pipe.h) is safe to run while
// other threads match against an older snapshot.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/detect/allowlist.h"
#include "kizuna/detect/snapshot.h"
#include "kizuna/pattern/limits.h"
#include "kizuna/store/store.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace kizuna::detect {

// Default key of the lookup tables' hash; the CLI passes a random one.
inline constexpr uint64_t kDefaultHashSeed = 0x6b697a756e61ull;

struct CompileOptions {
  // The selection time (microseconds since the epoch). Required.
  int64_t now_us = 0;
  // Keys the hash tables; a random seed keeps crafted indicator sets from clustering them.
  uint64_t hash_seed = kDefaultHashSeed;
  // Values never to compile; null for none. Must outlive the compilation.
  const Allowlist* allowlist = nullptr;
  // Limits on each pattern (pattern/limits.h).
  pattern::PatternLimits limits;
  // Problems and suppressions kept with details in the report (all are counted).
  size_t max_kept = 1000;
  // Threads that parse patterns in Finish(), the calling thread included. Default 2 (this
  // project's machines have two cores); 1 parses on the calling thread only. The snapshot
  // and report do not depend on it. AddObjectNow parses on the calling thread (from the
  // store, the other core reads the pages).
  int threads = 2;
  // Compile indicators carrying the exercise marking (stix/exercise_marking.h). Default false:
  // exercise indicators are skipped (CompileReport::exercise), so they never alert on
  // production telemetry (docs/security.md, rule 6); `kizuna match --exercise` sets it.
  bool exercise = false;
  // CompileFromStore calls it after each page of indicators read, with the count so far.
  std::function<void(int64_t objects_read)> on_progress;
  // Entries per store page CompileFromStore reads (1..store::kMaxPageLimit; tests lower it).
  size_t page_limit = store::kMaxPageLimit;
};

struct CompileProblem {
  std::string id;      // the indicator id, or where the object was when it had none
  std::string reason;
};

struct Suppression {
  std::string id;      // the indicator
  std::string value;   // the key allowed
  std::string list;    // the allowlist's name
};

struct CompileReport {
  int64_t objects = 0;           // indicator objects read
  int64_t active = 0;            // compiled into the snapshot
  int64_t revoked = 0;
  int64_t expired = 0;           // valid_until <= now
  int64_t not_yet_valid = 0;     // valid_from > now
  int64_t other_pattern_type = 0;
  int64_t exercise = 0;          // exercise-marked, skipped (CompileOptions::exercise false)
  int64_t duplicates = 0;        // same id seen again (older version dropped)
  int64_t invalid = 0;           // malformed object or pattern
  int64_t simple = 0;            // answered by lookups
  int64_t evaluated = 0;         // single-observation patterns for the evaluator
  int64_t multi = 0;             // patterns needing several observations
  int64_t suppressed = 0;        // indicators every key of which an allowlist allows
  int64_t suppressed_keys = 0;   // keys dropped
  std::map<std::string, int64_t> suppressed_by_list;
  std::vector<CompileProblem> problems;
  std::vector<Suppression> suppressions;
  size_t lookup_bytes = 0;       // Snapshot::Stats::lookup_bytes
  double seconds = 0;            // wall time of the compilation
};

// One stored object as the compiler reads it, at no particular time: what selects it (the
// selection that does not depend on the time, and the validity times) and, for an indicator
// that may be selected, its parsed pattern. IndicatorSet (indicator_set.h) keeps what these
// hold so that a recompilation parses only the indicators that changed.
struct ExtractedIndicator {
  enum class Kind : uint8_t {
    kIgnored,    // not an indicator
    kMalformed,  // not a well-formed indicator: `where` and `problem` say why
    kRevoked,
    kOtherType,   // pattern_type is not "stix"
    kExercise,    // exercise-marked and CompileOptions::exercise false
    kSelectable,  // selected when valid: `keys`, else `compiled`, else `problem` (the pattern's)
  };
  Kind kind = Kind::kIgnored;
  Uuid uuid{};
  int64_t modified_us = 0;
  std::optional<int64_t> valid_from_us;
  std::optional<int64_t> valid_until_us;
  std::optional<std::vector<SimpleKey>> keys;        // a simple pattern's keys (before allowlists)
  std::shared_ptr<const pattern::Pattern> compiled;  // any other valid pattern
  std::string where;                                 // kMalformed: the object's id, or where it was
  std::string problem;
};

class IndicatorCompiler {
 public:
  explicit IndicatorCompiler(CompileOptions options);
  ~IndicatorCompiler();

  // Adds one object's JSON text; anything but an indicator is ignored. `where` names the
  // object in problems when it has no usable id.
  void AddObject(std::string_view json, std::string_view where = {});
  // As AddObject, but selects, parses and compiles the object at once (on the calling
  // thread), keeping nothing for Finish. For objects whose ids are not added again: an id
  // given to AddObjectNow and added once more (either way) is compiled twice, which
  // repeated_now() tells after Finish; the caller then compiles again with AddObject only.
  void AddObjectNow(std::string_view json, std::string_view where = {});
  // Reads one object into `out` without counting or compiling it: the selection that does
  // not depend on options.now_us, and the pattern parsed when the indicator may be selected.
  void Extract(std::string_view json, std::string_view where, ExtractedIndicator& out);
  // Counts and compiles what Extract read, as AddObjectNow does the object (selected at
  // options.now_us, allowlists applied); takes `e`'s keys. For ids not added again.
  void AddExtracted(ExtractedIndicator& e);
  // Adds an active indicator given by id and pattern (tests, benchmarks, feeds).
  void AddPattern(std::string_view id, std::string_view pattern,
                  pattern::StixVersion version = pattern::StixVersion::k21);

  // Builds the snapshot. The compiler is spent afterwards.
  absl::StatusOr<std::shared_ptr<const Snapshot>> Finish() &&;
  const CompileReport& report() const { return report_; }
  // After Finish: whether an id given to AddObjectNow was added more than once (see above).
  // Finish checks with a sort of 8 bytes per indicator, once the tables are built.
  bool repeated_now() const { return repeated_now_; }

 private:
  struct Pending;
  struct Parsed;
  enum class ReadResult : uint8_t { kIndicator, kNotIndicator, kMalformed };
  void Problem(std::string_view id, std::string reason);
  // Reads an object's id, the selection that does not depend on the time, and its pattern
  // (`text` points into parser_'s document); counts nothing. kMalformed sets `where_out`
  // (the id, or `where`) and `problem`.
  ReadResult ReadFixed(std::string_view json, std::string_view where, Pending& p,
                       std::string_view& text, std::string& where_out, std::string& problem);
  // Selects an indicator ReadFixed kept at options_.now_us (expired, not yet valid).
  void SelectAtNow(Pending& p) const;
  // ReadFixed and SelectAtNow; false when it is not an indicator or is malformed (counted
  // and reported).
  bool Read(std::string_view json, std::string_view where, Pending& p, std::string_view& text);
  // Counts a kept indicator's selection and notes its validity times ahead.
  void Tally(const Pending& p);
  // Parses one active indicator's pattern (thread-safe).
  void ParseOne(const Pending& p, std::string_view text, Parsed& out) const;
  // Whether an id of `snapshot` or unbuilt_ is there twice.
  bool Repeats(const Snapshot& snapshot) const;
  // Keeps one version per id in pending_, in the place of its first one: a later version
  // wins if it was added by AddPattern or is newer (`modified`); counts the others.
  void DropDuplicates();
  // Parses pending_[from, to) into `out` (thread-safe: reads only pending_ and text_).
  void Parse(size_t from, size_t to, Parsed* out) const;
  // Adds one parsed indicator to the snapshot; runs in pending_ order.
  void Compile(Parsed& indicator);

  CompileOptions options_;
  CompileReport report_;
  // Indicators added so far, in order; Finish drops the losing versions of an id (bucketing
  // by hash and sorting each bucket is cheaper than a hash map of a million ids, or one
  // sort) and compiles the rest.
  std::vector<Pending> pending_;
  std::string text_;  // pattern texts of pending_
  // Ids given to AddObjectNow that are not in the snapshot (not selected, invalid, or every
  // key allowed), and in Finish those of pending_: with the snapshot's, every id added.
  std::vector<Uuid> unbuilt_;
  int64_t added_now_ = 0;
  bool repeated_now_ = false;
  // Reused: a parser allocates its buffers on first use.
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<SnapshotBuilder> builder_;
  int64_t next_change_us_ = 0;
  int64_t started_us_ = 0;
};

// Reads the latest version of every indicator in `collection_ids` (ids, not aliases) and
// compiles them. Errors: any error of the store (nothing is returned then); invalid
// indicators are reported, not errors.
absl::StatusOr<std::shared_ptr<const Snapshot>> CompileFromStore(
    store::Store& store, std::span<const std::string> collection_ids,
    const CompileOptions& options, CompileReport* report);

}  // namespace kizuna::detect
