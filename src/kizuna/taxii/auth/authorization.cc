// Kizuna.
#include "kizuna/taxii/auth/authorization.h"

#include "kizuna/base/digest.h"
#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

absl::Status Bad(std::string_view why) {
  return absl::UnauthenticatedError(StrCat("malformed Authorization header: ", why));
}

}  // namespace

absl::StatusOr<Credentials> ParseAuthorization(std::string_view header) {
  if (header.size() > kMaxAuthorizationBytes) {
    return Bad(StrCat("longer than ", kMaxAuthorizationBytes, " bytes"));
  }
  header = Trim(header);
  if (header.empty()) return absl::UnauthenticatedError("no Authorization header");
  size_t space = header.find_first_of(" \t");
  if (space == std::string_view::npos) return Bad("no credentials after the scheme");
  std::string_view scheme = header.substr(0, space);
  std::string_view rest = Trim(header.substr(space));
  if (rest.empty() || rest.find_first_of(" \t") != std::string_view::npos) {
    return Bad("the credentials must be one word");
  }
  Credentials out;
  if (EqualsIgnoreCase(scheme, "bearer")) {
    out.scheme = AuthScheme::kBearer;
    out.token = rest;
    return out;
  }
  if (!EqualsIgnoreCase(scheme, "basic")) return Bad(StrCat("unsupported scheme '", scheme, "'"));
  out.scheme = AuthScheme::kBasic;
  std::optional<std::string> decoded = Base64Decode(rest);
  if (!decoded) return Bad("Basic credentials are not base64");
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return Bad("Basic credentials have no ':'");
  out.user = decoded->substr(0, colon);
  out.token = decoded->substr(colon + 1);
  if (out.user.empty()) return Bad("Basic credentials have an empty user");
  if (out.token.empty()) return Bad("Basic credentials have an empty password");
  if (HasControl(out.user) || HasControl(out.token)) {
    return Bad("Basic credentials contain a control character");
  }
  return out;
}

}  // namespace kizuna::taxii
