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

// The text between the line holding "BEGIN <name>" and the line holding "END <name>",
// without spaces; "" when absent.
std::string Block(std::string_view text, std::string_view name) {
  const size_t begin = text.find(StrCat("BEGIN ", name));
  if (begin == std::string_view::npos) return "";
  const size_t start = text.find('\n', begin);
  if (start == std::string_view::npos) return "";
  const size_t end = text.find(StrCat("END ", name), start);
  if (end == std::string_view::npos) return "";
  std::string out;
  for (char c : text.substr(start + 1, end - start - 1)) {
    if (c != '-' && c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

natsStatus GiveJwt(char** jwt, char** error, void* closure) {
  *jwt = strdup(static_cast<const NatsCreds*>(closure)->jwt.c_str());
  if (*jwt != nullptr) return NATS_OK;
  *error = strdup("out of memory");
  return NATS_NO_MEMORY;
}

natsStatus SignNonce(char** error, unsigned char** signature, int* length, const char* nonce,
                     void* closure) {
  const natsStatus s =
      nats_Sign(static_cast<const NatsCreds*>(closure)->seed.c_str(), nonce, signature, length);
  if (s != NATS_OK) *error = strdup("the creds file's NKey seed cannot sign");
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
