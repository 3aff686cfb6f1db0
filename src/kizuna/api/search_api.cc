// Kizuna.
#include "kizuna/api/search_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "kizuna/api/answer.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/search/answer_json.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

using Parameters = std::multimap<std::string, std::string, std::less<>>;

absl::StatusOr<Parameters> ParseParameters(std::string_view query) {
  if (query.size() > SearchApi::kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        StrCat("the query string has ", query.size(), " bytes; at most ", SearchApi::kMaxQueryBytes, " are allowed"));
  }
  Parameters out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    if (out.size() == SearchApi::kMaxParameters) {
      return absl::InvalidArgumentError(StrCat("at most ", SearchApi::kMaxParameters, " query parameters are allowed"));
    }
    size_t eq = part.find('=');
    std::string raw(part.substr(eq == std::string_view::npos ? part.size() : eq + 1));
    for (char& c : raw) c = c == '+' ? ' ' : c;
    KZ_ASSIGN_OR_RETURN(std::string key, taxii::PercentDecode(part.substr(0, eq)));
    KZ_ASSIGN_OR_RETURN(std::string value, taxii::PercentDecode(raw));
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

std::vector<std::string> All(const Parameters& p, std::string_view key) {
  std::vector<std::string> out;
  for (auto [it, end] = p.equal_range(key); it != end; ++it) out.push_back(it->second);
  return out;
}

absl::StatusOr<search::SearchOptions> Options(const Parameters& p) {
  search::SearchOptions options;
  auto it = p.find("limit");
  if (it == p.end()) return options;
  size_t limit = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), limit);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || limit < 1 ||
      limit > search::Searcher::kMaxLimit) {
    return absl::InvalidArgumentError(
        StrCat("limit '", it->second, "' is not a number from 1 to ", search::Searcher::kMaxLimit));
  }
  options.limit = limit;
  return options;
}

absl::Status Time(const Parameters& p, std::string_view key, int64_t& out) {
  auto it = p.find(key);
  if (it == p.end()) return absl::OkStatus();
  absl::StatusOr<int64_t> t = stix::ParseMicros(it->second);
  if (!t.ok()) return Annotate(t.status(), StrCat(key, ": "));
  out = *t;
  return absl::OkStatus();
}

absl::StatusOr<search::TextRequest> TextRequestOf(const Parameters& p) {
  search::TextRequest r;
  auto q = p.find("q");
  if (q == p.end()) return absl::InvalidArgumentError("a search needs the parameter q");
  r.query = q->second;
  r.types = All(p, "type");
  r.collections = All(p, "collection");
  r.tlp = All(p, "tlp");
  r.creator_nations = All(p, "nation");
  KZ_RETURN_IF_ERROR(Time(p, "added_after", r.added_after_us));
  KZ_RETURN_IF_ERROR(Time(p, "added_before", r.added_before_us));
  auto valid = p.find("valid_now");
  r.valid_now = valid != p.end() && valid->second == "true";
  return r;
}

http::Response Json(std::string body) {
  http::Response r;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace

absl::Status SearchApi::MountOn(http::Router& router) { return router.Prefix(std::string(kPrefix), *this); }

http::Response SearchApi::Error(int status, std::string_view description) { return ErrorAnswer(status, description); }

http::Response SearchApi::Answer(const http::Request& request, const identity::Principal& principal,
                                 std::string_view& endpoint) {
  std::string_view path = request.Path().substr(kPrefix.size());
  absl::StatusOr<Parameters> params = ParseParameters(request.Query());
  if (!params.ok()) return Error(400, View(params.status().message()));
  absl::StatusOr<search::SearchOptions> options = Options(*params);
  if (!options.ok()) return Error(400, View(options.status().message()));
  auto failed = [this](const absl::Status& s) {
    if (absl::IsInvalidArgument(s)) return Error(400, View(s.message()));
    if (absl::IsNotFound(s)) return Error(404, View(s.message()));
    if (absl::IsDeadlineExceeded(s)) return Error(503, View(s.message()));
    return Error(500, "the search failed");
  };
  if (path == "search") {
    endpoint = "api-search";
    absl::StatusOr<search::TextRequest> text = TextRequestOf(*params);
    if (!text.ok()) return Error(400, View(text.status().message()));
    absl::StatusOr<search::Answer> a = searcher_.Text(principal, *text, *options);
    return a.ok() ? Json(search::AnswerJson(*a)) : failed(a.status());
  }
  if (path.starts_with("observables/") && path.size() > 12) {
    endpoint = "api-observable";
    absl::StatusOr<std::string> value = taxii::PercentDecode(path.substr(12));
    if (!value.ok()) return Error(400, View(value.status().message()));
    absl::StatusOr<search::ObservableAnswer> a = searcher_.Observable(principal, *value, *options);
    return a.ok() ? Json(search::AnswerJson(*a)) : failed(a.status());
  }
  if (path.starts_with("objects/") && path.ends_with("/related") && path.size() > 16) {
    endpoint = "api-related";
    absl::StatusOr<std::string> id = taxii::PercentDecode(path.substr(8, path.size() - 16));
    if (!id.ok()) return Error(400, View(id.status().message()));
    absl::StatusOr<search::Answer> a = searcher_.Related(principal, *id, *options);
    return a.ok() ? Json(search::AnswerJson(*a)) : failed(a.status());
  }
  return Error(404, "no such endpoint of the JSON API");
}

std::shared_ptr<const http::Response> SearchApi::Serve(const http::Request& request, http::RequestInfo& info) {
  info.endpoint = "api";
  if (request.method != http::Method::kGet && request.method != http::Method::kHead) {
    http::Response r = Error(405, "only GET is allowed here");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return std::make_shared<const http::Response>(std::move(r));
  }
  absl::StatusOr<identity::Principal> who = authenticator_.Authenticate(request.authorization, request.remote);
  if (!who.ok()) return std::make_shared<const http::Response>(taxii::AuthenticationFailure(who.status()));
  info.user = who->user;
  return std::make_shared<const http::Response>(Answer(request, *who, info.endpoint));
}

}  // namespace kizuna::api
