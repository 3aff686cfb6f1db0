// Kizuna. The FeedStore's public methods: argument checks, then the implementation's hooks.
#include "kizuna/store/feeds.h"

#include "kizuna/base/assert.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/release.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/database.h"
#include "kizuna/store/peer_url.h"

namespace kizuna::store {
namespace {

constexpr std::string_view kKindNames[] = {"misp", "csv", "lines", "stix", "taxii"};

bool IsOneLine(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

absl::Status CheckFeedCredential(const Feed& f, std::string_view where) {
  if (f.auth != PeerAuth::kNone && (f.secret.empty() || f.secret.size() > kMaxPeerSecretBytes ||
                                    !IsOneLine(f.secret) ||
                                    (f.auth == PeerAuth::kBearer && f.secret.find_first_of(" \t") != std::string::npos))) {
    return absl::InvalidArgumentError(StrCat(where, f.auth == PeerAuth::kBasic ? "password" : "token",
                                             ": expected one line of at most ", kMaxPeerSecretBytes, " octets"));
  }
  if (f.auth == PeerAuth::kNone && !f.secret.empty()) {
    return absl::InvalidArgumentError(StrCat(where, "a secret was given but the authentication is 'none'"));
  }
  if ((f.auth == PeerAuth::kBasic) != !f.basic_user.empty() || f.basic_user.size() > kMaxPeerUserBytes ||
      f.basic_user.find_first_of(":\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat(where, "Basic authentication needs a user name (at most ", kMaxPeerUserBytes, " octets, no ':'), and "
                      "only Basic sends one"));
  }
  if (f.ca_file.size() > kMaxPeerFilePathBytes || !IsOneLine(f.ca_file)) {
    return absl::InvalidArgumentError(StrCat(where, "ca file: a path of at most ", kMaxPeerFilePathBytes, " octets"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view FeedKindName(FeedKind k) { return kKindNames[static_cast<size_t>(k)]; }

std::optional<FeedKind> ParseFeedKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (kKindNames[i] == name) return static_cast<FeedKind>(i);
  }
  return std::nullopt;
}

absl::Status ValidateFeed(const Feed& f) {
  if (!identity::IsCommunityName(f.name)) {
    return absl::InvalidArgumentError(StrCat("feed name '", f.name, "': expected 1-64 of [a-z0-9._-]"));
  }
  const std::string where = StrCat("feed '", f.name, "': ");
  if (f.url.size() > kMaxFeedUrlBytes || f.url.find_first_of(" \t\r\n#") != std::string::npos) {
    return absl::InvalidArgumentError(StrCat(where, "url: at most ", kMaxFeedUrlBytes,
                                             " octets, without spaces or a fragment"));
  }
  if (absl::Status s = ParsePeerUrl(f.url).status(); !s.ok()) return Annotate(s, where);
  if (f.every_us < kMinFeedEveryUs || f.every_us > kMaxFeedEveryUs) {
    return absl::InvalidArgumentError(StrCat(where, "every: between 1 s and 366 days"));
  }
  if (f.timeout_ms < kMinFeedTimeoutMs || f.timeout_ms > kMaxFeedTimeoutMs) {
    return absl::InvalidArgumentError(StrCat(where, "timeout: between 0.1 s and 1 h"));
  }
  if (f.max_bytes < 1 || f.max_bytes > kMaxFeedBodyBytes) {
    return absl::InvalidArgumentError(StrCat(where, "max bytes: between 1 and ", kMaxFeedBodyBytes));
  }
  if (f.field_map.size() > kMaxFeedMapBytes || !IsOneLine(f.field_map)) {
    return absl::InvalidArgumentError(StrCat(where, "map: one line of at most ", kMaxFeedMapBytes, " octets"));
  }
  if (f.kind == FeedKind::kTaxii && (!f.url.ends_with("/") || f.url.find('?') != std::string::npos)) {
    return absl::InvalidArgumentError(
        StrCat(where, "url: a taxii feed's URL is a TAXII collection's, ending in '/' (.../collections/ID/)"));
  }
  if (!f.field_map.empty() && f.kind != FeedKind::kCsv) {
    return absl::InvalidArgumentError(StrCat(where, "--map renames CSV columns: it needs --format csv"));
  }
  if (f.collection.empty() || f.as_user.empty()) {
    return absl::InvalidArgumentError(StrCat(where, "a feed needs a collection and a user to write as"));
  }
  return CheckFeedCredential(f, where);
}

absl::Status FeedStore::AddFeed(std::string_view actor, const Feed& feed) {
  KZ_RETURN_IF_ERROR(ValidateFeed(feed));
  return DoAddFeed(actor, feed);
}

absl::StatusOr<std::vector<Feed>> FeedStore::ListFeeds() { return DoListFeeds(""); }

absl::StatusOr<Feed> FeedStore::GetFeed(std::string_view name) {
  if (name.empty()) return absl::NotFoundError("feed '' does not exist");
  KZ_ASSIGN_OR_RETURN(std::vector<Feed> found, DoListFeeds(name));
  if (found.empty()) return absl::NotFoundError(StrCat("feed '", name, "' does not exist"));
  return std::move(found.front());
}

absl::Status FeedStore::RemoveFeed(std::string_view actor, std::string_view name) {
  return DoRemoveFeed(actor, name);
}

absl::Status FeedStore::SaveFeedRun(std::string_view name, const FeedRunRecord& run) {
  FeedRunRecord r = run;
  if (r.error.size() > kMaxFeedErrorBytes) r.error.resize(kMaxFeedErrorBytes);
  if (r.etag.size() > kMaxFeedValidatorBytes) r.etag.clear();  // too long to send back
  if (r.last_modified.size() > kMaxFeedValidatorBytes) r.last_modified.clear();
  return DoSaveFeedRun(name, r);
}

FeedValidators ValidatorsAfterRun(FeedKind kind, const FeedValidators& stored,
                                  const FeedRunRecord& run) {
  if (run.ok && run.not_modified) return stored;
  if (!run.ok && run.last_modified.empty()) return stored;
  FeedValidators next{run.ok ? run.etag : stored.etag, run.last_modified};
  if (!run.began_at.has_value() || *run.began_at == stored.last_modified) return next;
  // Another run stored its validators since this one began: only a later cursor moves on.
  if (kind != FeedKind::kTaxii) return stored;
  if (stored.last_modified.empty()) return next;
  absl::StatusOr<stix::Timestamp> theirs = stix::ParseTimestamp(stored.last_modified);
  absl::StatusOr<stix::Timestamp> ours = stix::ParseTimestamp(run.last_modified);
  if (!theirs.ok() || !ours.ok() || *ours <= *theirs) return stored;
  return next;
}

FeedStore& FeedsOf(Database& db) {
  // The store classes implement FeedStore beside Database (SqliteStore, PgStore): a cross-cast.
  auto* feeds = dynamic_cast<FeedStore*>(&db);
  KZ_CHECK(feeds != nullptr);
  return *feeds;
}

}  // namespace kizuna::store
