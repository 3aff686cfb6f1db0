// Kizuna. Fuzz target: raw HTTP/1.1 requests through Beast's parser (with the server's
// limits) and the node's router (the operations endpoints and the TAXII service), over an
// in-memory buffer instead of a socket. Any input must
// end in a response, never a crash, a hang or a leak of a collection the caller may not read.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/http/beast_request.h"
#include "kizuna/http/router.h"
#include "kizuna/node/operations.h"
#include "kizuna/policy/policy.h"
#include "kizuna/stix/parser.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/service.h"

namespace {

namespace bhttp = boost::beast::http;
using namespace kizuna;

// Token "t" is a reader of collection "open"; collection "closed" is invisible to it.
class FuzzAuth : public taxii::Authenticator, public taxii::AccessControl {
 public:
  std::string open_id;
  absl::StatusOr<identity::Principal> Authenticate(std::string_view authorization, std::string_view) override {
    if (authorization != "Bearer t") return absl::UnauthenticatedError("no");
    return identity::Principal{"u", "identity--x", "JPN", {}, static_cast<uint8_t>(identity::Role::kPublisher)};
  }
  absl::StatusOr<taxii::CollectionAccess> Access(const identity::Principal&, std::string_view c) override {
    return c == open_id ? taxii::CollectionAccess{true, true} : taxii::CollectionAccess{};
  }
};

struct World {
  FakeClock clock{1700000000000000};
  FuzzAuth auth;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<policy::Policy> policy;
  std::unique_ptr<taxii::Service> service;
  std::unique_ptr<node::Operations> operations;
  http::Router router;
  std::string secret_marker = "SECRET-OBJECT-NAME";
  std::string dir = StrCat("/tmp/kizuna-fuzz-http-", ::getpid());

  World() {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store = std::move(*store::SqliteStore::Open(dir + "/kizuna.db", clock));
    (void)store->CreateApiRoot({"intel", "Intel", "", 4096});
    auth.open_id = store->CreateCollection({"", "intel", "open", "Open", "", 0})->id;
    std::string closed = store->CreateCollection({"", "intel", "closed", "Closed", "", 0})->id;
    std::string json = StrCat(R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","name":")",
                              secret_marker, R"(","pattern":"[file:name = 'x']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"})");
    stix::ObjectParser parser;
    stix::ObjectIndex index = *parser.Parse(json, stix::Padding::kAbsent);
    store::NewObject o{json, &index};
    (void)store->AddObjects(closed, std::span<const store::NewObject>(&o, 1));
    taxii::ServiceOptions options;
    options.default_max_content_length = 4096;
    policy = std::make_unique<policy::Policy>(*store, nullptr, clock);
    service = std::make_unique<taxii::Service>(*store, *policy, auth, auth, taxii::NextTokens::Key{}, clock, options);
    operations = std::make_unique<node::Operations>(*store, auth, service->metrics(), node::OperationsOptions{});
    (void)operations->MountOn(router);
    router.Default(*service);
  }
  ~World() {  // at exit: the store closed first, then its folder removed
    operations.reset();
    service.reset();
    policy.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(4096);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& req = parser.get();
  http::Request request = http::RequestFromHeader(req.base());
  request.body = req.body();
  http::RequestInfo info;
  std::shared_ptr<const http::Response> response = world.router.Serve(request, info);
  // The closed collection's object must never come out, whatever the request; a request
  // that carries the marker itself may see it echoed in an error message.
  bool echoed = std::string_view(reinterpret_cast<const char*>(data), size).find(world.secret_marker) !=
                std::string_view::npos;
  if (!echoed && response->body.find(world.secret_marker) != std::string::npos) __builtin_trap();
  return 0;
}
