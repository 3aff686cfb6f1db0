// Kizuna.
#include "kizuna/sync/feed_fetch.h"

#include <chrono>
#include <utility>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/peer_url.h"
#include "kizuna/sync/taxii_client.h"

namespace kizuna::sync {
namespace {

// Where a URL's path begins: after scheme://authority.
size_t TargetStart(std::string_view url) {
  size_t authority = url.find("://");
  authority = authority == std::string_view::npos ? 0 : authority + 3;
  size_t end = url.find_first_of("/?", authority);
  return end == std::string_view::npos ? url.size() : end;
}

// What a feed of `kind` asks for.
std::string_view AcceptOf(store::FeedKind kind) {
  switch (kind) {
    case store::FeedKind::kMisp:
    case store::FeedKind::kStix: return "application/json, */*;q=0.5";
    case store::FeedKind::kCsv: return "text/csv, text/plain;q=0.9, */*;q=0.5";
    case store::FeedKind::kTaxii: return "application/taxii+json;version=2.1";
    case store::FeedKind::kLines: break;
  }
  return "text/plain, */*;q=0.5";
}

// The target a redirect from `from` to `location` goes to, when it stays on the same scheme,
// host and port; FailedPrecondition naming the Location otherwise.
absl::StatusOr<std::string> RedirectTarget(const Endpoint& from, std::string_view location) {
  if (location.empty() || location.size() > store::kMaxFeedUrlBytes ||
      location.find_first_of(" \t\r\n") != std::string_view::npos) {
    return absl::FailedPreconditionError("a redirect without a usable Location");
  }
  if (location.starts_with("/") && !location.starts_with("//")) return std::string(location);
  absl::StatusOr<store::PeerUrl> to = store::ParsePeerUrl(location);
  if (!to.ok() || to->tls != from.tls || !EqualsIgnoreCase(to->host, from.host) || to->port != from.port) {
    return absl::FailedPreconditionError(
        StrCat("a redirect to '", location, "' leaves the feed's scheme, host and port: not followed"));
  }
  return FeedTarget(location);
}


// The body of `r`, gzip undone within `max_bytes`; other encodings refused.
absl::StatusOr<std::string> BodyOf(ClientResponse& r, uint64_t max_bytes) {
  std::string_view encoding = r.Header("Content-Encoding");
  bool gzip = EqualsIgnoreCase(encoding, "gzip") || EqualsIgnoreCase(encoding, "x-gzip");
  if (!encoding.empty() && !gzip && !EqualsIgnoreCase(encoding, "identity")) {
    return absl::FailedPreconditionError(StrCat("the body's Content-Encoding '", encoding, "' is not supported"));
  }
  if (!gzip && !IsGzip(r.body)) return std::move(r.body);
  absl::StatusOr<std::string> plain = Gunzip(r.body, max_bytes);
  if (absl::IsResourceExhausted(plain.status())) {
    return absl::ResourceExhaustedError(
        StrCat("the body is larger than the limit of ", max_bytes, " octets once gzip is undone"));
  }
  return plain;
}

}  // namespace

absl::Status FeedHttpError(const ClientResponse& r) {
  // The server's words, quoted for a terminal: control characters (escape sequences) shown as '?'.
  std::string said = r.body.substr(0, 200);
  for (char& c : said) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  const std::string text = StrCat("HTTP ", r.status, " ", said);
  if (r.status == 401 || r.status == 403) return absl::PermissionDeniedError(text);
  if (r.status == 404) return absl::NotFoundError(text);
  return absl::UnavailableError(text);
}

std::string FeedTarget(std::string_view url) {
  std::string_view rest = url.substr(TargetStart(url));
  if (rest.empty()) return "/";
  return rest.front() == '/' ? std::string(rest) : StrCat("/", rest);
}

absl::StatusOr<Endpoint> FeedEndpoint(const store::Feed& feed) {
  const std::string where = StrCat("feed '", feed.name, "'");
  absl::StatusOr<store::PeerUrl> url = store::ParsePeerUrl(feed.url.substr(0, TargetStart(feed.url)));
  if (!url.ok()) return Annotate(url.status(), StrCat(where, ": "));
  return Endpoint{.name = where,
                  .url = feed.url,
                  .tls = url->tls,
                  .host = std::move(url->host),
                  .port = std::move(url->port),
                  .auth = feed.auth,
                  .token = feed.secret,
                  .basic_user = feed.basic_user,
                  .ca_file = feed.ca_file,
                  .client_cert = {},
                  .client_key = {}};
}

absl::StatusOr<FetchedFeed> FetchFeed(const store::Feed& feed) {
  KZ_ASSIGN_OR_RETURN(Endpoint endpoint, FeedEndpoint(feed));
  const std::string where = endpoint.name;
  TaxiiClient::Headers headers = {{"Accept", std::string(AcceptOf(feed.kind))}, {"Accept-Encoding", "gzip"},
                                  {"User-Agent", "kizuna-feed"}};
  if (!feed.etag.empty()) headers.emplace_back("If-None-Match", feed.etag);
  if (!feed.last_modified.empty()) headers.emplace_back("If-Modified-Since", feed.last_modified);
  FetchedFeed out;
  std::string target = FeedTarget(feed.url);
  // One deadline for the whole fetch, redirects included: each hop gets what is left of it.
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const int64_t spent_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (spent_ms >= feed.timeout_ms) {
      return absl::DeadlineExceededError(StrCat(where, ": no complete answer within ", feed.timeout_ms, " ms"));
    }
    TaxiiClient client(endpoint, ClientOptions{.timeout_ms = feed.timeout_ms - spent_ms,
                                               .max_response_bytes = static_cast<uint64_t>(feed.max_bytes),
                                               .busy_attempts = 1});  // the feed runner backs off itself
    KZ_ASSIGN_OR_RETURN(ClientResponse r, client.Get(target, headers));
    if (r.status == 304) {
      out.not_modified = true;
      return out;
    }
    if (r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308) {
      if (out.redirects == kMaxFeedRedirects) {
        return absl::FailedPreconditionError(StrCat(where, ": more than ", kMaxFeedRedirects, " redirects"));
      }
      ++out.redirects;
      absl::StatusOr<std::string> next = RedirectTarget(endpoint, r.Header("Location"));
      if (!next.ok()) return Annotate(next.status(), StrCat(where, ": "));
      target = std::move(*next);
      continue;
    }
    if (r.status != 200) return Annotate(FeedHttpError(r), StrCat(where, ": "));
    out.etag = std::string(r.Header("ETag"));
    out.last_modified = std::string(r.Header("Last-Modified"));
    absl::StatusOr<std::string> body = BodyOf(r, static_cast<uint64_t>(feed.max_bytes));
    if (!body.ok()) return Annotate(body.status(), StrCat(where, ": "));
    out.body = std::move(*body);
    return out;
  }
}

}  // namespace kizuna::sync
