// Kizuna.
#include "kizuna/bus/nats_creds.h"

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "kizuna/base/file.h"

namespace kizuna::bus {
namespace {

constexpr const char* kCreds =
    "-----BEGIN NATS USER JWT-----\n"
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJBQi1DRCJ9.ab-cd_ef-gh\n"
    "------END NATS USER JWT------\n"
    "\n"
    "************************* IMPORTANT *************************\n"
    "NKEY Seed printed below can be used to sign and prove identity.\n"
    "\n"
    "-----BEGIN USER NKEY SEED-----\n"
    "SUAPLACEHOLDERSEED\n"
    "------END USER NKEY SEED------\n";

TEST(NatsCredsTest, ReadsTheJwtAndTheSeed) {
  absl::StatusOr<NatsCreds> creds = ParseNatsCreds(kCreds, "sensor.creds");
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_EQ(creds->jwt,
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJBQi1DRCJ9.ab-cd_ef-gh")
      << "a base64url JWT keeps its dashes";
  EXPECT_EQ(creds->seed, "SUAPLACEHOLDERSEED");
}

TEST(NatsCredsTest, AMissingBlockIsNamed) {
  const std::string text = kCreds;
  absl::StatusOr<NatsCreds> no_seed =
      ParseNatsCreds(text.substr(0, text.find("-----BEGIN USER")), "a.creds");
  EXPECT_EQ(no_seed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_seed.status().message().find("a.creds: no NKey seed"), std::string::npos)
      << no_seed.status();
  absl::StatusOr<NatsCreds> no_jwt = ParseNatsCreds(text.substr(text.find("*")), "b.creds");
  EXPECT_NE(no_jwt.status().message().find("b.creds: no user JWT"), std::string::npos)
      << no_jwt.status();
  EXPECT_FALSE(
      ParseNatsCreds("-----BEGIN NATS USER JWT-----\n------END NATS USER JWT------\n", "c").ok());
}

TEST(NatsCredsTest, AFileOthersMayReadIsRefused) {
  const std::string path = testing::TempDir() + "/kizuna-test.creds";
  ASSERT_TRUE(WriteFileAtomically(path, kCreds).ok());
  EXPECT_TRUE(ReadNatsCreds(path).ok());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  absl::StatusOr<NatsCreds> refused = ReadNatsCreds(path);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  std::remove(path.c_str());
}

TEST(NatsCredsTest, TheClientTakesThem) {
  absl::StatusOr<NatsCreds> creds = ParseNatsCreds(kCreds, "sensor.creds");
  ASSERT_TRUE(creds.ok());
  natsOptions* opts = nullptr;
  ASSERT_EQ(natsOptions_Create(&opts), NATS_OK);
  EXPECT_TRUE(UseNatsCreds(opts, *creds).ok());
  natsOptions_Destroy(opts);
}

}  // namespace
}  // namespace kizuna::bus
