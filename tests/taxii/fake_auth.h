// Kizuna. A test authenticator and access control: fixed tokens and grants.
#pragma once

#include <map>
#include <set>
#include <string>

#include "kizuna/taxii/auth/authenticator.h"

namespace kizuna::taxii {

class FakeAuth : public Authenticator, public AccessControl {
 public:
  // Bearer `token` authenticates as `principal`.
  void AddToken(const std::string& token, identity::Principal principal) { tokens_[token] = std::move(principal); }
  void Grant(const std::string& user, const std::string& collection, bool read, bool write) {
    grants_[{user, collection}] = {read, write};
  }

  // While busy, every authentication answers Unavailable (as a spent slow-check budget).
  void SetBusy(bool busy) { busy_ = busy; }

  absl::StatusOr<identity::Principal> Authenticate(std::string_view authorization, std::string_view) override {
    if (busy_) return absl::UnavailableError("busy: retry");
    if (authorization.rfind("Bearer ", 0) != 0) return absl::UnauthenticatedError("no");
    auto it = tokens_.find(std::string(authorization.substr(7)));
    if (it == tokens_.end()) return absl::UnauthenticatedError("no");
    return it->second;
  }
  absl::StatusOr<CollectionAccess> Access(const identity::Principal& p, std::string_view collection) override {
    if (p.Has(identity::Role::kNodeAdmin)) return CollectionAccess{true, true};
    auto it = grants_.find({p.user, std::string(collection)});
    return it == grants_.end() ? CollectionAccess{} : it->second;
  }

 private:
  std::map<std::string, identity::Principal> tokens_;
  std::map<std::pair<std::string, std::string>, CollectionAccess> grants_;
  bool busy_ = false;
};

}  // namespace kizuna::taxii
