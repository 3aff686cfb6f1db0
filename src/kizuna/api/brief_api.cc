// Kizuna. GET /api/v1/brief: the periodic brief (docs/brief.md) with the caller as its
// audience, for the console.
//
// GET brief?from=YYYY-MM-DD&to=YYYY-MM-DD&previous=auto|FROM:TO&lang=en|ja&top=N&format=json|html|pdf
//   -> format=json (the default): the figures, as `kizuna brief --json` writes them;
//      format=html: the self-contained page (report/html.h) as an attachment;
//      format=pdf: that page printed by headless Chromium (report/pdf.h) as an attachment
//      (503 when the node has no Chromium);
//      download=1 makes the JSON an attachment too;
//      audience=NATION|COMMUNITY (node administrators only; anyone else: 403): the brief of
//      that nation or community (report/audience.h), as `kizuna brief --audience` writes it.
// The audience is by default the caller itself, a user audience (report/audience.h): its
// principal and the collections it may read, so the brief counts, names and quotes exactly
// what the caller reads through the policy's released read (report/figures.h) and nothing
// more. Another audience's brief goes through that audience's released read the same way. The partners'
// rows ("federation": peer names and their sync state) are kept for those who may see the
// partners (node administrators, SeesPartners) and empty for anyone else, as the console's
// partners page is. The defaults are the CLI's: the six months up to today, the period before.
//
// A brief costs seconds of CPU at a million objects, so a user computes one at a time (a
// second request meanwhile: 429) and the node at most kMaxBriefsRunning (beyond: 503), both
// with Retry-After (ComputeGate); printing a PDF holds the same gate. The figures are kept
// (ConsoleEndpoints::Kept) per user, release key, collections read, periods and top while the
// store is unchanged, so asking again, or for the other language or format, computes nothing
// (a PDF is printed again each time).
#include <boost/json.hpp>
#include <charconv>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/policy.h"
#include "kizuna/report/audience.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/html.h"
#include "kizuna/report/pdf.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::api {
namespace {

// The largest brief PDF served (a brief of the most rows is a few MB).
constexpr uint64_t kMaxPdfBytes = uint64_t{64} << 20;

struct BriefQuery {
  std::string from, to, previous, lang, format, top, download, audience;
};

absl::StatusOr<BriefQuery> ParseBriefQuery(std::string_view query) {
  BriefQuery q;
  for (auto [key, value] : {std::pair<std::string_view, std::string*>{"from", &q.from},
                            {"to", &q.to},
                            {"previous", &q.previous},
                            {"lang", &q.lang},
                            {"format", &q.format},
                            {"top", &q.top},
                            {"download", &q.download},
                            {"audience", &q.audience}}) {
    KZ_ASSIGN_OR_RETURN(*value, QueryValue(query, key));
  }
  if (q.format.empty()) q.format = "json";
  if (q.format != "json" && q.format != "html" && q.format != "pdf") {
    return absl::InvalidArgumentError(StrCat("format '", q.format, "' is not json, html or pdf"));
  }
  return q;
}

// What the kept figures depend on besides the store's content: the audience (its name is
// printed, and what the policy releases to it), the collections it reads with their policy
// settings, the periods, the rows shown and the partners' rows.
std::string BriefKey(const report::BriefInput& input, bool sees_partners) {
  const report::Audience& a = input.audience;
  std::string key = StrCat("brief", '\0', report::AudienceKindName(a.kind), '\0', a.name, '\0',
                           policy::ReleaseKey(a.principal), '\0',
                           input.current.from_us, '\0', input.current.to_us, '\0', input.previous.from_us, '\0',
                           input.previous.to_us, '\0', input.top, '\0', sees_partners ? 1 : 0);
  for (const store::Collection& c : input.audience.collections) {
    StrAppend(key, '\0', policy::CollectionKey(c));
  }
  return key;
}

// 429 when the user computes a brief already, 503 when the node computes its most.
http::Response Busy(ComputeGate::Refusal refused) {
  http::Response r = refused == ComputeGate::Refusal::kUserBusy
                         ? ErrorAnswer(429, "a brief of yours is being computed: retry when it is done")
                         : ErrorAnswer(503, "the node is computing other briefs: retry shortly");
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace

http::Response ConsoleEndpoints::Brief(const ApiCall& call) {
  call.info.endpoint = "api-brief";
  absl::StatusOr<BriefQuery> q = ParseBriefQuery(call.request.Query());
  if (!q.ok()) return ErrorAnswer(400, View(q.status().message()));
  const int64_t now_us = clock_.NowMicros();
  absl::StatusOr<report::Lang> lang = report::ParseLang(q->lang.empty() ? "en" : q->lang);
  if (!lang.ok()) return ErrorAnswer(400, StrCat("lang: ", View(lang.status().message())));
  report::BriefInput input;
  if (!q->top.empty()) {
    auto [end, ec] = std::from_chars(q->top.data(), q->top.data() + q->top.size(), input.top);
    if (ec != std::errc() || end != q->top.data() + q->top.size() || input.top < 1 ||
        input.top > report::kMaxTop) {
      return ErrorAnswer(400,
                         StrCat("top '", q->top, "' is not a number from 1 to ", report::kMaxTop));
    }
  }
  absl::StatusOr<report::Period> current = report::ParsePeriod(q->from, q->to, now_us);
  if (!current.ok()) return ErrorAnswer(400, View(current.status().message()));
  absl::StatusOr<report::Period> previous = report::PreviousPeriod(*current, q->previous);
  if (!previous.ok()) return ErrorAnswer(400, View(previous.status().message()));
  if (q->audience.empty()) {
    absl::StatusOr<std::vector<store::Collection>> readable = Readable(call.principal);
    if (!readable.ok()) return ErrorAnswer(500, "the collections could not be read");
    input.audience = {report::AudienceKind::kUser, call.principal.user, call.principal, *std::move(readable)};
  } else {
    if (!call.principal.Has(identity::Role::kNodeAdmin)) {
      return ErrorAnswer(403, "only node administrators choose the brief's audience");
    }
    absl::StatusOr<report::Audience> audience = report::ResolveAudience(db_, q->audience);
    if (!audience.ok()) {
      const bool named_wrong = audience.status().code() == absl::StatusCode::kInvalidArgument ||
                               audience.status().code() == absl::StatusCode::kFailedPrecondition;
      if (!named_wrong) return ErrorAnswer(500, "the audience could not be read");
      return ErrorAnswer(400, StrCat("audience: ", View(audience.status().message())));
    }
    if (audience->kind == report::AudienceKind::kUser) {
      return ErrorAnswer(400, "audience: name a nation or a community");
    }
    input.audience = *std::move(audience);
  }
  input.current = *current;
  input.previous = *previous;
  input.now_us = now_us;
  const bool sees_partners = SeesPartners(call.principal);
  ComputeGate::Refusal refused = ComputeGate::Refusal::kNone;
  bool opened = true;
  int64_t computed_us = 0;
  absl::StatusOr<std::shared_ptr<const boost::json::value>> kept = Kept(
      call.principal.user, BriefKey(input, sees_partners),
      [&]() -> absl::StatusOr<boost::json::value> {
        ComputeGate::Pass pass = briefs_.Enter(call.principal.user);
        refused = pass.refusal();
        if (refused != ComputeGate::Refusal::kNone) return absl::AbortedError("busy");
        absl::StatusOr<boost::json::object> figures = report::ComputeFigures(db_, policy_, input);
        opened = figures.status().code() != absl::StatusCode::kUnavailable;
        KZ_ASSIGN_OR_RETURN(boost::json::object computed, std::move(figures));
        if (!sees_partners) computed["federation"] = boost::json::array();
        return boost::json::value(std::move(computed));
      },
      &computed_us);
  if (refused != ComputeGate::Refusal::kNone) return Busy(refused);
  if (!opened) return ErrorAnswer(503, "the node's database could not be opened for the brief");
  if (!kept.ok()) return ErrorAnswer(500, "the brief's figures could not be computed");
  const boost::json::object& figures = (*kept)->as_object();
  const std::string name =
      StrCat("brief-", report::DayText(current->from_us), "-", report::DayText(current->to_us - 1));
  http::Response r;
  if (q->format == "json") {
    std::string body = boost::json::serialize(figures);
    r = q->download == "1" ? Attachment(std::move(body), "application/json", name + ".json") : JsonAnswer(std::move(body));
  } else {
    absl::StatusOr<std::string> html = report::RenderBrief(figures, *lang, now_us);
    if (!html.ok()) return ErrorAnswer(500, "the brief's page could not be drawn");
    if (q->format == "html") {
      r = Attachment(*std::move(html), "text/html; charset=utf-8", name + ".html");
    } else {
      ComputeGate::Pass pass = briefs_.Enter(call.principal.user);
      if (pass.refusal() != ComputeGate::Refusal::kNone) return Busy(pass.refusal());
      absl::StatusOr<std::string> pdf = report::PrintPdfOf(*html, {}, kMaxPdfBytes);
      if (pdf.status().code() == absl::StatusCode::kFailedPrecondition) {
        return ErrorAnswer(503, "the node cannot print PDF: Chromium (Debian package chromium) is not installed");
      }
      if (!pdf.ok()) return ErrorAnswer(500, "the brief's PDF could not be printed");
      r = Attachment(*std::move(pdf), "application/pdf", name + ".pdf");
    }
  }
  // When the figures were computed: kept figures say how old they are.
  r.headers.emplace_back("X-Kizuna-Figures-Computed", stix::FormatTaxii(computed_us));
  return r;
}

}  // namespace kizuna::api
