// Kizuna.
#include "kizuna/api/password.h"

#include "kizuna/base/strings.h"

namespace kizuna::api {

absl::StatusOr<std::string> HashPassword(std::string_view password, const taxii::HashParams& params) {
  if (password.size() < kMinPasswordChars) {
    return absl::InvalidArgumentError(StrCat("the password is shorter than ", kMinPasswordChars, " characters"));
  }
  if (password.size() > kMaxPasswordBytes) {
    return absl::InvalidArgumentError(StrCat("the password is longer than ", kMaxPasswordBytes, " bytes"));
  }
  for (char c : password) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("the password contains a control character");
    }
  }
  return taxii::HashSecret(password, params);
}

bool CheckPassword(std::string_view hash, std::string_view password) {
  // The hash of a random string no one knows, made once: what an unknown user is checked
  // against, so that a wrong user name costs as long as a wrong password.
  static const std::string kNobody = [] {
    absl::StatusOr<std::string> h = taxii::HashSecret("kizuna: no such user or no password", {});
    return h.ok() ? *h : std::string();
  }();
  if (hash.empty() || password.size() > kMaxPasswordBytes) {
    if (!kNobody.empty()) (void)taxii::VerifySecret(kNobody, password.substr(0, kMaxPasswordBytes));
    return false;
  }
  return taxii::VerifySecret(hash, password);
}

}  // namespace kizuna::api
