// Kizuna. A NATS credentials file (a user JWT and its NKey seed), read once.
#pragma once

// `kizuna ship`, `bus` and `match --from` take `--nats-creds FILE`. The file is read once,
// after checking on the opened file that it is its owner's alone (ReadPrivateFile), and the
// client is given the JWT and a signer of the server's nonce from memory: nothing opens the
// file again (by its path, which could by then name another file).
//
//   -----BEGIN NATS USER JWT-----
//   eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ...
//   ------END NATS USER JWT------
//   -----BEGIN USER NKEY SEED-----
//   SUAM...
//   ------END USER NKEY SEED------
//
// Thread-safety: a NatsCreds is read-only once made; the client calls its handlers from its
// own threads.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

struct __natsOptions;

namespace kizuna::bus {

struct NatsCreds {
  std::string jwt;
  std::string seed;
};

// The two blocks of a creds file's text. InvalidArgument naming `path` and the block missing
// or empty.
absl::StatusOr<NatsCreds> ParseNatsCreds(std::string_view text, std::string_view path);

// Reads and parses the creds file at `path` (ReadPrivateFile's checks and errors).
absl::StatusOr<NatsCreds> ReadNatsCreds(std::string_view path);

// Gives the client `creds` (which must outlive every connection made with `opts`).
absl::Status UseNatsCreds(__natsOptions* opts, const NatsCreds& creds);

}  // namespace kizuna::bus
