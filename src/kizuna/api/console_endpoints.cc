// Kizuna.
#include "kizuna/api/console_endpoints.h"

#include "kizuna/api/answer.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/released_reader.h"

namespace kizuna::api {
namespace {

bool IsRead(const http::Request& r) { return r.method == http::Method::kGet || r.method == http::Method::kHead; }

}  // namespace

http::Response NotAllowed(std::string_view allow) {
  http::Response r = ErrorAnswer(405, StrCat("this endpoint allows ", allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

std::optional<http::Response> ConsoleEndpoints::Answer(const ApiCall& call) {
  std::string_view path = call.path;
  if (path.starts_with("objects/") && !path.ends_with("/related") && path.size() > 8 &&
      path.find('/', 8) == std::string_view::npos) {
    if (!IsRead(call.request)) return NotAllowed("GET, HEAD");
    return Object(call, path.substr(8));
  }
  if (path == "patterns/validate") {
    if (call.request.method != http::Method::kPost) return NotAllowed("POST");
    return ValidatePattern(call);
  }
  if (path == "release-preview") {
    if (call.request.method != http::Method::kPost) return NotAllowed("POST");
    return ReleasePreview(call);
  }
  struct Read {
    std::string_view path;
    http::Response (ConsoleEndpoints::*answer)(const ApiCall&);
  };
  static constexpr Read kReads[] = {
      {"collections", &ConsoleEndpoints::Collections}, {"dashboard", &ConsoleEndpoints::Dashboard},
      {"sightings", &ConsoleEndpoints::Sightings},     {"partners", &ConsoleEndpoints::Partners},
      {"audit", &ConsoleEndpoints::Audit},             {"brief", &ConsoleEndpoints::Brief},
  };
  for (const Read& r : kReads) {
    if (path != r.path) continue;
    if (!IsRead(call.request)) return NotAllowed("GET, HEAD");
    return (this->*r.answer)(call);
  }
  if (path == "users" || path.starts_with("users/")) return Users(call);
  if (path == "exercises" || path.starts_with("exercises/")) return Exercises(call);
  if (path.starts_with("collections/") && path.ends_with("/objects")) {
    std::string_view id = path.substr(12, path.size() - 12 - 8);
    if (!id.empty() && id.find('/') == std::string_view::npos) {
      if (call.request.method != http::Method::kPost) return NotAllowed("POST");
      return Publish(call, id);
    }
  }
  if (path.starts_with("collections/") && path.ends_with("/import")) {
    std::string_view id = path.substr(12, path.size() - 12 - 7);
    if (!id.empty() && id.find('/') == std::string_view::npos) {
      if (call.request.method != http::Method::kPost) return NotAllowed("POST");
      return Import(call, id);
    }
  }
  return std::nullopt;
}

http::BodyLimit ConsoleEndpoints::MaxBody(std::string_view path) const {
  if (path.starts_with("collections/") && path.ends_with("/import")) {
    return {max_import_bytes_, "console.max_import_bytes"};
  }
  if (path.starts_with("collections/") && path.ends_with("/objects")) {
    return {kMaxPublishBytes, "the publish body limit"};
  }
  if (path == "users" || path.starts_with("users/")) return {kMaxUsersBodyBytes, "the users body limit"};
  return {};
}

bool ConsoleEndpoints::Writes(std::string_view path) const {
  return !(path == "patterns/validate" || path == "release-preview");
}

absl::StatusOr<std::vector<store::Collection>> ConsoleEndpoints::Readable(const identity::Principal& principal) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> all, db_.ListCollections(""));
  std::vector<store::Collection> out;
  for (store::Collection& c : all) {
    KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access_.Access(principal, c.id));
    if (can.can_read) out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<bool> ConsoleEndpoints::ScanReleased(const identity::Principal& principal,
                                                    const store::Collection& collection,
                                                    const store::ObjectFilter& filter, bool with_json,
                                                    const std::function<void(const store::StoredObject&)>& each) {
  policy::ReleasedReader reader(db_, policy_);
  store::PageRequest request;
  request.filter = filter;
  request.limit = store::kMaxPageLimit;
  const policy::ReadTarget target{with_json ? policy::ReadTarget::Kind::kObjects : policy::ReadTarget::Kind::kManifest, {}};
  size_t read = 0;
  for (int round = 0;; ++round) {
    // Long runs of withheld entries read pages without releasing anything: bounded too.
    if (round == kMaxScanRounds) return true;
    KZ_ASSIGN_OR_RETURN(store::Page page, reader.Read(principal, collection, target, request, kMaxScanned - read));
    for (const store::StoredObject& o : page.objects) each(o);
    read += page.objects.size();
    if (!page.more) return false;
    if (read >= kMaxScanned) return true;
    request.after = page.next;
  }
}

absl::StatusOr<ConsoleEndpoints::KeptStamp> ConsoleEndpoints::StampNow() {
  KeptStamp stamp;
  stamp.changes = db_.LocalContentChanges();
  stamp.deletes = db_.LocalDeletes();
  KZ_ASSIGN_OR_RETURN(stamp.last_added, db_.LastDateAdded());
  return stamp;
}

absl::StatusOr<std::shared_ptr<const boost::json::value>> ConsoleEndpoints::Kept(
    const std::string& owner, std::string key,
    const std::function<absl::StatusOr<boost::json::value>()>& build, int64_t* built_us) {
  // The stamp and the time are taken before anything is read: a value is never kept as newer
  // than what it was built from.
  KZ_ASSIGN_OR_RETURN(const KeptStamp stamp, StampNow());
  const int64_t now_us = clock_.NowMicros();
  {
    absl::MutexLock lock(&kept_mu_);
    const KeptValue* kept = kept_.Find(key);
    if (kept != nullptr && kept->stamp == stamp && now_us >= kept->built_us &&
        now_us - kept->built_us < kKeptMaxAgeUs) {
      if (built_us != nullptr) *built_us = kept->built_us;
      return kept->value;
    }
  }
  KZ_ASSIGN_OR_RETURN(boost::json::value built, build());
  auto value = std::make_shared<const boost::json::value>(std::move(built));
  absl::MutexLock lock(&kept_mu_);
  kept_.Put(owner, std::move(key), {stamp, now_us, value});
  if (built_us != nullptr) *built_us = now_us;
  return value;
}

absl::StatusOr<std::optional<store::Collection>> ConsoleEndpoints::WritableCollection(
    const identity::Principal& principal, std::string_view id) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> all, db_.ListCollections(""));
  for (store::Collection& c : all) {
    if (c.id != id) continue;
    KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access_.Access(principal, c.id));
    if (can.can_write) return std::optional<store::Collection>(std::move(c));
    break;
  }
  return std::optional<store::Collection>();
}

}  // namespace kizuna::api
