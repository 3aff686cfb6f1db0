// Kizuna. The decision table of docs/policy.md, read from the document and checked row by row.
#include "kizuna/policy/decide.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/marking.h"
#include "kizuna/policy/tlp.h"

namespace kizuna::policy {
namespace {

constexpr char kJpnA[] = "identity--0a000000-0000-4000-8000-00000000000a";
constexpr char kJpnB[] = "identity--0b000000-0000-4000-8000-00000000000b";
constexpr char kUsaA[] = "identity--0c000000-0000-4000-8000-00000000000c";
constexpr char kKorA[] = "identity--0d000000-0000-4000-8000-00000000000d";
constexpr char kUsaNode[] = "identity--0e000000-0000-4000-8000-00000000000e";
constexpr char kKorNode[] = "identity--0f000000-0000-4000-8000-00000000000f";

identity::Principal User(std::string org, std::string nation, std::vector<std::string> groups) {
  return {"u", std::move(org), std::move(nation), std::move(groups), static_cast<uint8_t>(identity::Role::kReader), false};
}

std::map<std::string, identity::Principal> Principals() {
  std::map<std::string, identity::Principal> p;
  p["creator"] = User(kJpnA, "JPN", {"jpn-usa", "jpn-usa-kor"});
  p["same-nation"] = User(kJpnB, "JPN", {"jpn-usa", "jpn-usa-kor"});
  p["partner-in"] = User(kUsaA, "USA", {"jpn-usa", "jpn-usa-kor"});
  p["partner-out"] = User(kKorA, "KOR", {"jpn-usa-kor"});
  p["peer-usa"] = {"peer:usa", kUsaNode, "USA", {"jpn-usa", "jpn-usa-kor"}, static_cast<uint8_t>(identity::Role::kPeer), false};
  p["peer-kor"] = {"peer:kor", kKorNode, "KOR", {"jpn-usa-kor"}, static_cast<uint8_t>(identity::Role::kPeer), false};
  p["operator"] = {"cli", "", "", {}, 0, true};
  return p;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t at = s.find(sep);
    std::string_view item = Trim(s.substr(0, at));
    if (!item.empty()) out.emplace_back(item);
    s = at == std::string_view::npos ? std::string_view() : s.substr(at + 1);
  }
  return out;
}

std::string Definition(std::string_view body) {
  return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--)"
                R"(1a000000-0000-4000-8000-000000000001","created":"2026-01-01T00:00:00.000Z",)",
                body, "}");
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) StrAppend(out, i ? "," : "", "\"", items[i], "\"");
  return out + "]";
}

// Turns the table's notation for one marking into its facts (null for `unknown`).
class Markings {
 public:
  explicit Markings(const std::map<std::string, identity::Principal>& principals) : principals_(principals) {}

  const MarkingFacts* Get(const std::string& token) {
    if (token == "unknown") return nullptr;
    absl::StatusOr<MarkingFacts> facts = Read(token);
    EXPECT_TRUE(facts.ok()) << token << ": " << facts.status();
    if (!facts.ok()) return nullptr;
    return &held_.emplace_back(std::move(*facts));
  }

 private:
  absl::StatusOr<MarkingFacts> Read(const std::string& token) {
    std::string_view kind = std::string_view(token).substr(0, token.find(':'));
    std::string arg = token.find(':') == std::string::npos ? "" : token.substr(token.find(':') + 1);
    if (kind == "tlp1") {
      static const std::map<std::string, std::string> kIds = {
          {"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
          {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
          {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
          {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}};
      std::optional<MarkingFacts> f = PredefinedMarking(kIds.at(arg));
      if (!f) return absl::NotFoundError("not predefined");
      return *f;
    }
    if (kind == "tlp2") {
      std::optional<MarkingFacts> f = PredefinedMarking(Tlp2MarkingId(*ParseTlpName(arg)));
      if (!f) return absl::NotFoundError("not predefined");
      return *f;
    }
    if (kind == "tlp2x") {
      return ReadMarkingDefinition(Definition(
          StrCat(R"("extensions":{")", kTlp2ExtensionId, R"(":{"extension_type":"property-extension","tlp_2_0":")",
                 arg, "\"}}")));
    }
    if (kind == "rel") {
      return ReadMarkingDefinition(Definition(StrCat(R"("extensions":{")", kReleasableToExtensionId,
                                                     R"(":{"extension_type":"property-extension","releasable_to":)",
                                                     JsonList(Split(arg, ' ')), "}}")));
    }
    if (kind == "rcpt") {
      return ReadMarkingDefinition(Definition(StrCat(R"("extensions":{")", kRecipientsExtensionId,
                                                     R"(":{"extension_type":"property-extension","recipients":)",
                                                     JsonList({principals_.at(arg).organization}), "}}")));
    }
    if (kind == "stmt") {
      return ReadMarkingDefinition(
          Definition(StrCat(R"("definition_type":"statement","definition":{"statement":")", arg, "\"}")));
    }
    if (kind == "odd") {
      return ReadMarkingDefinition(Definition(
          R"("extensions":{"extension-definition--99999999-0000-4000-8000-000000000000":{"extension_type":"property-extension","x":1}})"));
    }
    return absl::InvalidArgumentError("unknown notation");
  }

  const std::map<std::string, identity::Principal>& principals_;
  std::deque<MarkingFacts> held_;
};

struct Row {
  int line = 0;
  std::string object_markings, granular, flags, default_release, principal, decision, rule;
};

std::vector<Row> ReadTable() {
  absl::StatusOr<simdjson::padded_string> doc = ReadFile(KIZUNA_SOURCE_DIR "/docs/policy.md", 1 << 20);
  EXPECT_TRUE(doc.ok()) << doc.status();
  if (!doc.ok()) return {};
  std::string_view text(doc->data(), doc->size());
  std::vector<Row> rows;
  bool inside = false;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line == "<!-- decision-table: begin -->") inside = true;
    if (line == "<!-- decision-table: end -->") inside = false;
    if (!inside || !line.starts_with("| ") || line.starts_with("| object markings")) continue;
    std::vector<std::string> cells;
    line = line.substr(1);  // the leading '|'
    while (!line.empty()) {
      size_t bar = line.find('|');
      cells.emplace_back(Trim(line.substr(0, bar)));
      line = bar == std::string_view::npos ? std::string_view() : line.substr(bar + 1);
    }
    EXPECT_EQ(cells.size(), 7u) << "docs/policy.md:" << line_no;
    if (cells.size() != 7) continue;
    rows.push_back({line_no, cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]});
  }
  return rows;
}

// The indicator every row decides about, with the row's markings written into it.
std::string ObjectJson(const Row& row, const std::vector<std::pair<std::string, std::string>>& granular) {
  std::string json = R"({"type":"indicator","spec_version":"2.1","id":"indicator--2a000000-0000-4000-8000-000000000001",)"
                     R"("created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
                     R"("description":"seen at the border","pattern":"[ipv4-addr:value = '198.51.100.1']",)"
                     R"("pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z",)"
                     R"("kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"delivery"}])";
  if (row.flags.find("unattributed") == std::string::npos) StrAppend(json, R"(,"created_by_ref":")", kJpnA, "\"");
  if (!granular.empty()) {
    json += R"(,"granular_markings":[)";
    for (size_t i = 0; i < granular.size(); ++i) {
      StrAppend(json, i ? "," : "", R"({"marking_ref":"marking-definition--3a000000-0000-4000-8000-00000000000)", i,
                R"(","selectors":[")", granular[i].second, "\"]}");
    }
    json += "]";
  }
  return json + "}";
}

// Explain gives Decide's decision for the same facts, and its reasons agree with it: a
// decision made by a marking names the first marking that denies; an allowed object has
// every object marking allowing it.
void ExpectExplainAgrees(const identity::Principal& principal, const CollectionPolicy& collection,
                         const ObjectFacts& facts, const Decision& d) {
  Explanation e = Explain(principal, collection, facts);
  EXPECT_EQ(e.decision.verdict, d.verdict);
  EXPECT_EQ(e.decision.rule, d.rule);
  EXPECT_EQ(e.decision.redacted, d.redacted);
  if (d.rule == "operator" || d.rule == "creator-organization" || d.rule == "adder-organization") {
    EXPECT_TRUE(e.markings.empty() && e.granular.empty());
    return;
  }
  ASSERT_EQ(e.markings.size(), facts.markings.size());
  ASSERT_EQ(e.granular.size(), facts.granular.size());
  auto denying = std::find_if(e.markings.begin(), e.markings.end(), [](const MarkingOutcome& m) { return !m.allows; });
  if (denying != e.markings.end()) {
    EXPECT_EQ(d.verdict, Verdict::kDeny);
    EXPECT_EQ(denying->rule, d.rule);
    return;
  }
  auto redacting = std::find_if(e.granular.begin(), e.granular.end(), [](const MarkingOutcome& m) { return !m.allows; });
  if (d.verdict == Verdict::kAllowWithRedactions) {
    ASSERT_NE(redacting, e.granular.end());
    EXPECT_EQ(redacting->rule, d.rule);
  }
  if (redacting == e.granular.end()) {
    EXPECT_NE(d.verdict, Verdict::kAllowWithRedactions);
  }
  for (const MarkingOutcome& m : e.markings) EXPECT_FALSE(m.rule.empty());
}

TEST(DecideTest, DocumentedTable) {
  std::map<std::string, identity::Principal> principals = Principals();
  std::vector<Row> rows = ReadTable();
  ASSERT_GE(rows.size(), 50u) << "the decision table in docs/policy.md was not found";
  for (const Row& row : rows) {
    SCOPED_TRACE(StrCat("docs/policy.md:", row.line));
    Markings markings(principals);
    std::vector<const MarkingFacts*> object_markings;
    for (const std::string& token : Split(row.object_markings, ';')) object_markings.push_back(markings.Get(token));
    std::vector<std::pair<std::string, std::string>> granular_tokens;
    for (const std::string& g : Split(row.granular, ';')) {
      size_t at = g.rfind('@');
      ASSERT_NE(at, std::string::npos);
      granular_tokens.emplace_back(g.substr(0, at), g.substr(at + 1));
    }
    std::vector<std::string> selectors;  // stable storage for the spans
    selectors.reserve(granular_tokens.size());
    std::vector<ResolvedGranular> granular;
    for (const auto& [token, selector] : granular_tokens) {
      selectors.push_back(selector);
      granular.push_back({markings.Get(token), std::span<const std::string>(&selectors.back(), 1)});
    }
    std::string json = ObjectJson(row, granular_tokens);
    CollectionPolicy collection;
    collection.communities = {"jpn-usa"};
    absl::StatusOr<identity::DefaultRelease> release = identity::ParseDefaultRelease(row.default_release);
    ASSERT_TRUE(release.ok()) << release.status();
    collection.default_release = *release;
    bool attributed = row.flags.find("unattributed") == std::string::npos;
    ObjectFacts facts;
    facts.id = "indicator--2a000000-0000-4000-8000-000000000001";
    facts.type = row.flags.find("marking-definition") != std::string::npos ? "marking-definition" : "indicator";
    facts.created_by_ref = attributed ? kJpnA : "";
    facts.creator_nation = attributed ? "JPN" : "";
    facts.received = row.flags.find("received") != std::string::npos;
    // `added:PRINCIPAL`: that principal's organisation added the version, with its nation.
    if (size_t at = row.flags.find("added:"); at != std::string::npos) {
      std::string adder = Split(row.flags.substr(at + 6), ';').front();
      ASSERT_TRUE(principals.count(adder)) << adder;
      facts.added_by = principals.at(adder).organization;
      facts.adder_nation = principals.at(adder).nation;
    }
    facts.markings = object_markings;
    facts.granular = granular;
    facts.json = json;
    ASSERT_TRUE(principals.count(row.principal)) << row.principal;
    Decision d = Decide(principals.at(row.principal), collection, facts);
    EXPECT_EQ(VerdictName(d.verdict), row.decision);
    EXPECT_EQ(d.rule, row.rule);
    ExpectExplainAgrees(principals.at(row.principal), collection, facts, d);
    if (d.verdict != Verdict::kAllowWithRedactions) {
      EXPECT_TRUE(d.redacted.empty());
      continue;
    }
    for (const auto& [token, selector] : granular_tokens) {
      std::string property = selector.substr(0, selector.find('.'));
      EXPECT_EQ(d.redacted.find(StrCat("\"", property, "\"")), std::string::npos) << d.redacted;
    }
    for (const char* kept : {"\"pattern\"", "\"valid_from\"", "\"created_by_ref\""}) {
      EXPECT_NE(d.redacted.find(kept), std::string::npos) << kept << " in " << d.redacted;
    }
  }
}

// An indicator created by JPN's organisation with object markings `markings` (kept by the caller).
ObjectFacts JpnIndicator(std::span<const MarkingFacts* const> markings) {
  ObjectFacts facts;
  facts.id = "indicator--2a000000-0000-4000-8000-000000000001";
  facts.type = "indicator";
  facts.created_by_ref = kJpnA;
  facts.creator_nation = "JPN";
  facts.markings = markings;
  return facts;
}

// Every statement of tests/policy/cases/statements.case, as an object's only marking, for
// every principal: Explain agrees with Decide.
TEST(DecideTest, ExplainAgreesOverTheStatementCases) {
  absl::StatusOr<simdjson::padded_string> file =
      ReadFile(KIZUNA_SOURCE_DIR "/tests/policy/cases/statements.case", 1 << 20);
  ASSERT_TRUE(file.ok()) << file.status();
  std::map<std::string, identity::Principal> principals = Principals();
  std::string_view text(file->data(), file->size());
  int line_no = 0, cases = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    size_t arrow = line.rfind(" => ");
    if (line.starts_with('#') || arrow == std::string_view::npos) continue;
    absl::StatusOr<MarkingFacts> m = ReadMarkingDefinition(Definition(StrCat(
        R"("definition_type":"statement","definition":{"statement":)", JsonString(line.substr(0, arrow)), "}")));
    ASSERT_TRUE(m.ok()) << "statements.case:" << line_no << ": " << m.status();
    const MarkingFacts* markings[] = {&*m};
    ObjectFacts facts = JpnIndicator(markings);
    CollectionPolicy collection;
    collection.communities = {"jpn-usa"};
    for (const auto& [name, principal] : principals) {
      SCOPED_TRACE(StrCat("statements.case:", line_no, " as ", name));
      ExpectExplainAgrees(principal, collection, facts, Decide(principal, collection, facts));
    }
    ++cases;
  }
  EXPECT_GE(cases, 40);
}

TEST(DecideTest, ExplainNamesTheRuleOfEachMarking) {
  std::map<std::string, identity::Principal> principals = Principals();
  Markings markings(principals);
  const MarkingFacts* object_markings[] = {markings.Get("tlp2:amber"), markings.Get("rel:JPN USA"),
                                           markings.Get("unknown")};
  ObjectFacts facts = JpnIndicator(object_markings);
  CollectionPolicy collection;
  Explanation e = Explain(principals.at("partner-out"), collection, facts);
  EXPECT_EQ(e.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(e.decision.rule, "not-releasable");
  ASSERT_EQ(e.markings.size(), 3u);
  EXPECT_TRUE(e.markings[0].allows);
  EXPECT_EQ(e.markings[0].rule, "tlp-amber-collection-reader");
  EXPECT_FALSE(e.markings[1].allows);
  EXPECT_EQ(e.markings[1].rule, "not-releasable");
  EXPECT_FALSE(e.markings[2].allows);
  EXPECT_EQ(e.markings[2].rule, "unresolved-marking");
  Explanation in = Explain(principals.at("partner-in"), collection, facts);
  EXPECT_EQ(in.markings[1].rule, "releasable-to-nation");
  EXPECT_EQ(in.decision.rule, "unresolved-marking");
}

TEST(DecideTest, VerdictNames) {
  EXPECT_EQ(VerdictName(Verdict::kAllow), "allow");
  EXPECT_EQ(VerdictName(Verdict::kDeny), "deny");
  EXPECT_EQ(VerdictName(Verdict::kAllowWithRedactions), "allow-with-redactions");
}

TEST(DecideTest, EmptyReleasabilityAllowsNobody) {
  MarkingFacts nobody;
  nobody.understood = true;
  nobody.releasable_to = identity::Releasability{};
  const MarkingFacts* markings[] = {&nobody};
  ObjectFacts facts;
  facts.type = "indicator";
  facts.created_by_ref = kJpnA;
  facts.creator_nation = "JPN";
  facts.markings = markings;
  CollectionPolicy collection;
  Decision d = Decide(User(kJpnB, "JPN", {}), collection, facts);
  EXPECT_EQ(d.verdict, Verdict::kDeny);
  EXPECT_EQ(d.rule, "not-releasable");
}

TEST(DecideTest, GreenInCollectionWithoutCommunitiesReachesReadersButNoPeer) {
  const MarkingFacts* green = nullptr;
  std::optional<MarkingFacts> g = PredefinedMarking(Tlp2MarkingId(TlpLevel::kGreen));
  ASSERT_TRUE(g);
  green = &*g;
  const MarkingFacts* markings[] = {green};
  ObjectFacts facts;
  facts.type = "indicator";
  facts.markings = markings;
  CollectionPolicy none;
  EXPECT_EQ(Decide(User(kKorA, "KOR", {}), none, facts).verdict, Verdict::kAllow);
  identity::Principal peer = Principals().at("peer-usa");
  EXPECT_EQ(Decide(peer, none, facts).verdict, Verdict::kDeny);
}

}  // namespace
}  // namespace kizuna::policy
