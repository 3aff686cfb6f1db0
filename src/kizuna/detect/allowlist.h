// Kizuna. Allowlists: known-benign values that keep indicators from being compiled.
#pragma once

// Real feeds name harmless things (public resolvers, CDN ranges, popular domains, private
// address space, the empty file's hash). An Allowlist holds lists of such values and says,
// for each key of a simple indicator, which list (if any) allows it; the compiler then drops
// the key and reports the suppression with that list's name.
//
// Two formats are read:
//   MISP warninglists (a `list.json` with name, type cidr|hostname|string|substring|regex,
//   matching_attributes and list). The MISP attribute types say which slots a list covers
//   (ip-src/ip-dst/domain|ip: addresses; hostname/domain: domain names; url/uri; md5, sha1,
//   sha256, sha512 and their filename| forms; x509-fingerprint-*; email-src/email-dst/
//   target-email...: e-mail addresses; user-agent). Lists covering none of ours are ignored.
//   Matching, case-insensitive:
//     cidr       an address key inside a listed block; a block key inside a listed block
//     hostname   a domain equal to a listed name or below it ("a.example.com" is allowed by
//                "example.com" or ".example.com"); a suffix key (LIKE '%.x') when x is
//     string     a key equal to a listed value
//     substring  a key containing a listed value (all substring lists are searched at once,
//                lookup/substring_set.h, so the cost does not grow with their length)
//     regex      a key an entry's regex matches (entries written /re/flags; RE2 syntax,
//                entries RE2 cannot run are skipped and counted)
//   URL keys are also checked through their host (hostname, string and cidr lists); address
//   and port keys through their address.
//
//   Plain lists (any other file): one value per line, `#` comments; addresses and blocks go
//   to a cidr list, other values to a hostname list. The list's name is the file name.
//
// Thread-safety: Load/Add* from one thread; Allows is safe concurrently once loaded.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/detect/classify.h"
#include "kizuna/detect/lookup/ip_ranges.h"
#include "kizuna/detect/lookup/string_table.h"
#include "kizuna/detect/lookup/substring_set.h"

namespace re2 {
class RE2;
}

namespace kizuna::detect {

class Allowlist {
 public:
  Allowlist();
  ~Allowlist();
  Allowlist(Allowlist&&) noexcept;
  Allowlist& operator=(Allowlist&&) noexcept;

  // Loads `path`: a MISP list.json, a plain list, or a directory searched recursively
  // (files named list.json are MISP lists; in a directory, other files are ignored unless
  // they end in .txt). Errors name the file: NotFound, InvalidArgument for a malformed
  // MISP list.
  absl::Status Load(const std::string& path);
  // Adds a MISP warninglist from its JSON text; `origin` names it in errors.
  absl::Status AddMispList(std::string_view json, std::string_view origin);
  // Adds a plain list named `name`.
  void AddPlainList(std::string_view text, std::string_view name);

  // When not empty, only lists with one of these categories are added: a MISP list's
  // "type" or "category" field; "plain" for plain lists (allowlist_store.h).
  std::vector<std::string> categories;

  // Called after each file Load reads, with its path (for progress).
  std::function<void(const std::string& path)> on_file;

  // Builds the lookup structures. REQUIRES: called once, after the last Add/Load and before
  // Allows.
  void Finish();

  // Returns the name of the first list that allows `key`, or nullptr.
  const std::string* Allows(const SimpleKey& key) const;

  size_t list_count() const { return lists_.size(); }
  size_t entry_count() const { return entries_; }
  size_t skipped_regexes() const { return skipped_regexes_; }
  // A hash of everything added (each list's name or origin and text, in order): equal for
  // equal inputs, for callers that keep what a compilation with these lists gave
  // (snapshot_file.h). Not a cryptographic hash.
  uint64_t content_digest() const { return digest_; }

 private:
  enum class Type : uint8_t { kCidr, kHostname, kString, kSubstring, kRegex };
  struct List {
    std::string name;
    Type type = Type::kString;
    uint32_t slots = 0;  // bit per Slot it covers
    std::vector<std::string> substrings;  // until Finish()
    std::vector<std::unique_ptr<re2::RE2>> regexes;
  };

  void AddEntry(uint32_t list, std::string_view value);
  // `parents`: also look the parent domains of `lower_text` up in the hostname lists.
  const std::string* Check(Slot slot, std::string_view lower_text, bool parents) const;
  const std::string* CheckHost(Slot slot, std::string_view host) const;
  const std::string* CheckAddress(Slot slot, const IpBlock& block) const;
  const std::string* FirstCovering(Payload payload, Slot slot) const;

  std::vector<List> lists_;
  size_t entries_ = 0;
  size_t skipped_regexes_ = 0;
  uint64_t digest_ = 0;
  IndicatorLists payloads_;
  StringTable::Builder exact_builder_;   // slot 0: string lists; slot 1: hostname lists
  StringTable exact_;
  IpRanges<uint32_t>::Builder v4_builder_;
  IpRanges<Ipv6>::Builder v6_builder_;
  IpRanges<uint32_t> v4_;
  IpRanges<Ipv6> v6_;
  // Per slot: the substrings of the lists covering it (value: the list's index).
  std::array<SubstringSet, kSlotCount> substrings_;
  std::vector<uint32_t> regex_lists_;  // regex lists, in list order
};

}  // namespace kizuna::detect
