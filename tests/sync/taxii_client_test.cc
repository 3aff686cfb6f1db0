// Kizuna. What the TAXII client sends for each kind of peer credential, and the client keys it
// refuses to use.
#include "kizuna/sync/taxii_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "../store/store_test_util.h"
#include "kizuna/base/file.h"

namespace kizuna::sync {
namespace {

TEST(TaxiiClientTest, AuthorizationForEachCredential) {
  Endpoint e;
  e.token = "kz_0123456789abcdef_secret";
  EXPECT_EQ(AuthorizationOf(e), "Bearer kz_0123456789abcdef_secret");
  e.auth = store::PeerAuth::kBasic;
  e.basic_user = "user1";
  e.token = "Password1";
  EXPECT_EQ(AuthorizationOf(e),
            "Basic dXNlcjE6UGFzc3dvcmQx");  // RFC 7617: base64("user1:Password1")
  e.token = "pa:ss";
  EXPECT_EQ(AuthorizationOf(e), "Basic dXNlcjE6cGE6c3M=") << "a ':' in the password is kept";
  e.auth = store::PeerAuth::kNone;
  EXPECT_EQ(AuthorizationOf(e), "") << "the client certificate alone authenticates";
}

// Issue 24: a client key others can read is refused before anything is sent.
TEST(TaxiiClientTest, RefusesAClientKeyOthersCanRead) {
  store::TempDir dir;
  const std::string key = dir.File("client.key");
  ASSERT_TRUE(WriteFileAtomically(key, "not read: the mode is checked first").ok());
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  Endpoint e;
  e.name = "peer ais";
  e.url = "https://127.0.0.1:1";
  e.host = "127.0.0.1";
  e.port = "1";
  e.auth = store::PeerAuth::kNone;
  e.client_cert = dir.File("client.pem");
  e.client_key = key;
  TaxiiClient client(e);
  absl::StatusOr<ClientResponse> r = client.Get("/taxii2/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("peer ais: client key: " + key + " has mode 0644"),
            absl::string_view::npos)
      << r.status();
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  r = client.Get("/taxii2/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("client certificate"), absl::string_view::npos)
      << "a private key passes the mode check; the missing certificate is named next: "
      << r.status();
}

}  // namespace
}  // namespace kizuna::sync
