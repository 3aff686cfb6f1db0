// Kizuna. GET /api/v1/brief: the periodic brief (docs/brief.md) with the caller as its
// audience, for the console.
//
// GET brief?from=YYYY-MM-DD&to=YYYY-MM-DD&previous=auto|FROM:TO&lang=en|ja&top=N&format=json|html
//   -> format=json (the default): the figures, as `kizuna brief --json` writes them;
//      format=html: the self-contained page (report/html.h) as an attachment;
//      download=1 makes the JSON an attachment too.
// The audience is the caller itself, a user audience (report/audience.h): its principal and
// the collections it may read, so the brief counts, names and quotes exactly what the caller
// reads through the policy's released read (report/figures.h) and nothing more. The partners'
// rows ("federation": peer names and their sync state) are kept for those who may see the
// partners (node administrators, SeesPartners) and empty for anyone else, as the console's
// partners page is. The defaults are the CLI's: the six months up to today, the period before.
#include <boost/json.hpp>
#include <charconv>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/html.h"

namespace kizuna::api {
namespace {

struct BriefQuery {
  std::string from, to, previous, lang, format, top, download;
};

absl::StatusOr<BriefQuery> ParseBriefQuery(std::string_view query) {
  BriefQuery q;
  for (auto [key, value] : {std::pair<std::string_view, std::string*>{"from", &q.from},
                            {"to", &q.to},
                            {"previous", &q.previous},
                            {"lang", &q.lang},
                            {"format", &q.format},
                            {"top", &q.top},
                            {"download", &q.download}}) {
    KZ_ASSIGN_OR_RETURN(*value, QueryValue(query, key));
  }
  if (q.format.empty()) q.format = "json";
  if (q.format != "json" && q.format != "html") {
    return absl::InvalidArgumentError(StrCat("format '", q.format, "' is not json or html"));
  }
  return q;
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
  absl::StatusOr<std::vector<store::Collection>> readable = Readable(call.principal);
  if (!readable.ok()) return ErrorAnswer(500, "the collections could not be read");
  input.audience = {report::AudienceKind::kUser, call.principal.user, call.principal,
                    *std::move(readable)};
  input.current = *current;
  input.previous = *previous;
  input.now_us = now_us;
  absl::StatusOr<std::unique_ptr<store::Connection>> sql = OpenReadOnly();
  if (!sql.ok()) return ErrorAnswer(503, "the node's database could not be opened for the brief");
  absl::StatusOr<boost::json::object> figures = report::ComputeFigures(**sql, db_, policy_, input);
  if (!figures.ok()) return ErrorAnswer(500, "the brief's figures could not be computed");
  if (!SeesPartners(call.principal)) (*figures)["federation"] = boost::json::array();
  const std::string name =
      StrCat("brief-", report::DayText(current->from_us), "-", report::DayText(current->to_us - 1));
  if (q->format == "json") {
    std::string body = boost::json::serialize(*figures);
    if (q->download != "1") return JsonAnswer(std::move(body));
    return Attachment(std::move(body), "application/json", name + ".json");
  }
  absl::StatusOr<std::string> html = report::RenderBrief(*figures, *lang, now_us);
  if (!html.ok()) return ErrorAnswer(500, "the brief's page could not be drawn");
  return Attachment(*std::move(html), "text/html; charset=utf-8", name + ".html");
}

}  // namespace kizuna::api
