// Kizuna.
#include "kizuna/bus/nats_creds.h"

#include <nats/nats.h>

#include <cstdlib>
#include <cstring>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::bus {
namespace {

constexpr uint64_t kMaxCredsBytes = 64 << 10;

// The lines strictly between the line holding "BEGIN <name>" and the next line holding
// "END <name>", joined, without surrounding spaces; "" when absent. (A JWT is base64url: its
// dashes are its own.)
std::string Block(std::string_view text, std::string_view name) {
  const size_t begin = text.find(StrCat("BEGIN ", name));
  if (begin == std::string_view::npos) return "";
  size_t line = text.find('\n', begin);
  std::string out;
  while (line != std::string_view::npos) {
    const size_t start = line + 1;
    line = text.find('\n', start);
    const std::string_view content =
        Trim(text.substr(start, line == std::string_view::npos ? text.npos : line - start));
    if (content.find(StrCat("END ", name)) != std::string_view::npos) return out;
    out.append(content);
  }
  return "";  // no end line
}

natsStatus GiveJwt(char** jwt, char** error, void* closure) {
  *jwt = strdup(static_cast<const NatsCreds*>(closure)->jwt.c_str());
  if (*jwt != nullptr) return NATS_OK;
  *error = strdup("out of memory");
  return NATS_NO_MEMORY;
}

natsStatus SignNonce(char** error, unsigned char** signature, int* length, const char* nonce,
                     void* closure) {
  // A server that sends no nonce gets the signature of nothing, as from libnats' own handler.
  const natsStatus s = nats_Sign(static_cast<const NatsCreds*>(closure)->seed.c_str(),
                                 nonce == nullptr ? "" : nonce, signature, length);
  if (s != NATS_OK) *error = strdup("the creds file's NKey seed cannot sign the server's nonce");
  return s;
}

}  // namespace

absl::StatusOr<NatsCreds> ParseNatsCreds(std::string_view text, std::string_view path) {
  NatsCreds creds{Block(text, "NATS USER JWT"), Block(text, "USER NKEY SEED")};
  if (creds.jwt.empty()) {
    return absl::InvalidArgumentError(
        StrCat("NATS creds file ", path, ": no user JWT (-----BEGIN NATS USER JWT-----)"));
  }
  if (creds.seed.empty()) {
    return absl::InvalidArgumentError(
        StrCat("NATS creds file ", path, ": no NKey seed (-----BEGIN USER NKEY SEED-----)"));
  }
  return creds;
}

absl::StatusOr<NatsCreds> ReadNatsCreds(std::string_view path) {
  KZ_ASSIGN_OR_RETURN(const std::string text, ReadPrivateFile(path, kMaxCredsBytes));
  return ParseNatsCreds(text, path);
}

absl::Status UseNatsCreds(natsOptions* opts, const NatsCreds& creds) {
  void* closure = const_cast<NatsCreds*>(&creds);
  if (natsOptions_SetUserCredentialsCallbacks(opts, &GiveJwt, closure, &SignNonce, closure) !=
      NATS_OK) {
    return absl::InvalidArgumentError("NATS credentials: the client refused them");
  }
  return absl::OkStatus();
}

}  // namespace kizuna::bus
