// Kizuna. The store's invariants over rows: version flags, marking definitions, peer tokens,
// file modes.
#include "kizuna/store/check_rules.h"

#include <algorithm>
#include <tuple>

#include "kizuna/base/strings.h"
#include "kizuna/stix/jcs.h"
#include "kizuna/store/data_dir.h"
#include "simdjson.h"

namespace kizuna::store {
namespace {

std::string FlagsText(int flags) {
  return StrCat(flags & kFlagFirst, "/", (flags & kFlagLast) >> 1, "/",
                (flags & kFlagTopSpec) >> 2);
}

}  // namespace

void ReportFlags(CheckRun& c, CheckStep& step, int64_t date_added_us, std::string_view id, int has,
                 int wants) {
  c.Add(step, StrCat("entry ", date_added_us, " (", id, ")"),
        StrCat("flags first/last/top-spec are ", FlagsText(has), ", should be ", FlagsText(wants)));
}

void CompareVersions(CheckRun& c, CheckStep& step, std::vector<VersionRow>& rows) {
  auto object = [](const VersionRow& r) { return std::tie(r.collection, r.stix_id); };
  std::sort(rows.begin(), rows.end(), [&](const VersionRow& a, const VersionRow& b) {
    return std::tie(a.collection, a.stix_id, a.spec_version, a.version_ns) <
           std::tie(b.collection, b.stix_id, b.spec_version, b.version_ns);
  });
  for (size_t begin = 0, end = 0; begin < rows.size(); begin = end) {
    while (end < rows.size() && object(rows[end]) == object(rows[begin])) ++end;
    const int64_t top = rows[end - 1].spec_version;
    for (size_t i = begin; i < end; ++i) {
      size_t lo = i, hi = i;  // the first and last rows of this spec version
      while (lo > begin && rows[lo - 1].spec_version == rows[i].spec_version) --lo;
      while (hi + 1 < end && rows[hi + 1].spec_version == rows[i].spec_version) ++hi;
      const VersionRow& r = rows[i];
      int wants = EntryFlags(r.version_ns == rows[lo].version_ns,
                             r.version_ns == rows[hi].version_ns, r.spec_version == top);
      if (wants != r.flags) ReportFlags(c, step, r.date_added_us, r.stix_id, r.flags, wants);
    }
  }
}

void DefinitionCheck::Add(std::string_view id, int64_t date_added_us, std::string_view collection,
                          std::string_view json) {
  if (id != id_) {
    Finish();
    id_ = std::string(id);
    ++step_.checked;
  }
  Definition d{date_added_us, std::string(collection), {}};
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    c_.Add(step_, StrCat("entry ", date_added_us, " (", id, ")"), "its stored JSON does not parse");
    return;
  }
  d.canonical = stix::CanonicalJson(root);
  same_id_.push_back(std::move(d));
}

void DefinitionCheck::Finish() {
  std::vector<std::string_view> contents;
  for (const Definition& d : same_id_) contents.push_back(d.canonical);
  std::sort(contents.begin(), contents.end());
  size_t distinct = std::unique(contents.begin(), contents.end()) - contents.begin();
  if (distinct >= 2) {
    std::string entries;
    for (const Definition& d : same_id_)
      StrAppend(entries, entries.empty() ? "" : ", ", d.date_added_us, " in ", d.collection);
    c_.Add(
        step_, id_,
        StrCat("stored with ", distinct, " different contents (entries ", entries,
               "): a marking definition is never versioned, so all but one are forged or damaged"));
  }
  same_id_.clear();
}

void PeerTokenCheck::Peer(std::string_view name, std::string_view clear_token,
                          std::string_view sealed_token) {
  ++step_.checked;
  std::string where = StrCat("peer '", name, "'");
  if (!clear_token.empty())
    c_.Add(step_, where, "its token is stored in clear (the store seals it when it next opens)");
  if (sealed_token.empty()) {
    if (clear_token.empty()) c_.Add(step_, where, "it has no token");
    return;
  }
  if (!sealer_) sealer_ = TokenSealer::Load(key_path_);
  if (!sealer_->ok()) {
    if (!key_reported_) {
      c_.Add(step_, key_path_,
             StrCat("the peers' tokens cannot be opened: ", View(sealer_->status().message())));
    }
    key_reported_ = true;
    return;
  }
  absl::StatusOr<std::string> token = (*sealer_)->Open(name, sealed_token);
  if (!token.ok()) c_.Add(step_, where, std::string(View(token.status().message())));
}

CheckStep CheckModes(const std::string& dir, size_t keep) {
  CheckStep step;
  step.name = "modes";
  absl::StatusOr<std::vector<ModeChange>> loose = LooseModes(dir);
  if (!loose.ok()) {
    step.complete = false;
    step.Add(dir, std::string(View(loose.status().message())), keep);
    return step;
  }
  step.checked = 1;
  for (const ModeChange& m : *loose) {
    step.Add(m.path,
             StrCat("is ", ModeText(m.from), ": other local accounts can read it (should be ",
                    ModeText(m.to), "; any kizuna command on the directory makes it so)"),
             keep);
  }
  return step;
}

}  // namespace kizuna::store
