// Kizuna. A fixture for authentication tests: a directory with organisations, a group,
// users and a collection, and helpers to issue tokens and build Authorization headers.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "directory_test_util.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/random.h"
#include "kizuna/taxii/auth/token.h"

namespace kizuna::taxii {

using store::kDirectoryStart;

constexpr uint8_t kReader = static_cast<uint8_t>(identity::Role::kReader);
constexpr uint8_t kPublisher = static_cast<uint8_t>(identity::Role::kPublisher);
constexpr uint8_t kOrgAdmin = static_cast<uint8_t>(identity::Role::kOrgAdmin);
constexpr uint8_t kNodeAdmin = static_cast<uint8_t>(identity::Role::kNodeAdmin);

class AuthTest : public store::DirectoryTest {
 protected:
  void SetUp() override {
    DirectoryTest::SetUp();
    nisc_ = Org("NISC", "JPN");
    cisa_ = Org("CISA", "USA");
    kisa_ = Org("KISA", "KOR");
    ASSERT_TRUE(directory().CreateGroup("cli", "jpn-usa").ok());
    ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", "NISC").ok());
    ASSERT_TRUE(directory().JoinGroup("cli", "jpn-usa", "CISA").ok());
    ASSERT_TRUE(directory().CreateUser("cli", {"alice", "NISC", kReader | kPublisher}).ok());
    ASSERT_TRUE(directory().CreateUser("cli", {"bob", "CISA", kReader}).ok());
  }

  // Issues a token for `user` (cheap hash parameters); returns its text.
  std::string Issue(std::string user, std::optional<int64_t> expires_us = std::nullopt) {
    auto t = IssueToken(directory(), "cli", {std::move(user), "test", expires_us}, random_,
                        kTestHashParams);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? t->text : "";
  }

  static std::string IdOf(std::string_view token) {
    return std::string(token.substr(kTokenPrefix.size(), kTokenIdChars));
  }
  static std::string Bearer(std::string_view token) { return StrCat("Bearer ", token); }
  static std::string Basic(std::string_view user, std::string_view token) {
    return StrCat("Basic ", Base64Encode(StrCat(user, ":", token)));
  }

  // The failed-login events in the audit log, oldest first.
  std::vector<store::AuditEvent> Failures() {
    std::vector<store::AuditEvent> out;
    auto all =
        directory().ReadAudit({.after_seq = 0, .limit = store::kMaxAuditPage, .newest = false});
    EXPECT_TRUE(all.ok()) << all.status();
    for (auto& e : *all) {
      if (e.action == "auth.fail") out.push_back(std::move(e));
    }
    return out;
  }

  SeededRandom random_{42};
  std::string nisc_, cisa_, kisa_;
};

}  // namespace kizuna::taxii
