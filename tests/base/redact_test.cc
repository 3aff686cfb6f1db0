// Kizuna. Credentials left out of the URLs that messages and logs name.
#include "kizuna/base/redact.h"

#include <gtest/gtest.h>

namespace kizuna {
namespace {

TEST(RedactUrlTest, UserInformationAndPasswordsAreLeftOut) {
  EXPECT_EQ(RedactUrl("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
  EXPECT_EQ(RedactUrl("nats://sensor:s3cret@10.0.0.1:4222"), "nats://***@10.0.0.1:4222");
  EXPECT_EQ(RedactUrl("nats://a:x@h1:4222,nats://b:y@h2:4222"), "nats://***@h1:4222,nats://***@h2:4222");
  EXPECT_EQ(RedactUrl("postgresql://kizuna@db:5432/kizuna?password=s3cret&sslmode=require"),
            "postgresql://***@db:5432/kizuna?password=***&sslmode=require");
  EXPECT_EQ(RedactUrl("host=db user=k password=s3cret dbname=k"), "host=db user=k password=*** dbname=k");
  EXPECT_EQ(RedactUrl("https://host/path@x"), "https://host/path@x") << "an '@' past the authority stays";
}

}  // namespace
}  // namespace kizuna
