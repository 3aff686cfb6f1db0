// Kizuna.
#include "kizuna/node/warninglists.h"

#include <memory>
#include <optional>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/allowlist_store.h"
#include "kizuna/detect/classify.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/search/normalize.h"

namespace kizuna::node {
namespace {

// The comparison a warninglist would see the value in: an address, a URL, an e-mail
// address, a hash or else a domain name.
std::string PatternFor(const std::string& value) {
  if (std::optional<store::IndexedRange> block = search::ParseBlock(value)) {
    bool single = block->prefix == (block->v6 ? 128 : 32);
    return StrCat("[", block->v6 ? "ipv6-addr" : "ipv4-addr", ":value ", single ? "=" : "ISSUBSET", " '", value, "']");
  }
  if (value.find("://") != std::string::npos) return StrCat("[url:value = '", value, "']");
  if (value.find('@') != std::string::npos) return StrCat("[email-addr:value = '", value, "']");
  bool hex = !value.empty() && value.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex && value.size() == 32) return StrCat("[file:hashes.MD5 = '", value, "']");
  if (hex && value.size() == 40) return StrCat("[file:hashes.'SHA-1' = '", value, "']");
  if (hex && value.size() == 64) return StrCat("[file:hashes.'SHA-256' = '", value, "']");
  return StrCat("[domain-name:value = '", value, "']");
}

}  // namespace

absl::Status LoadStoredWarninglists(const std::string& data_dir, detect::Allowlist& lists) {
  KZ_RETURN_IF_ERROR(detect::AllowlistStore(StrCat(data_dir, "/allowlists")).LoadInto(lists).status());
  lists.Finish();
  return absl::OkStatus();
}

search::Searcher::ListedFn ListedIn(const detect::Allowlist& lists) {
  const detect::Allowlist* l = &lists;
  return [l](std::string_view value) -> std::string {
    std::string text(value);
    if (l->list_count() == 0 || text.find_first_of("'\\") != std::string::npos) return {};
    absl::StatusOr<std::unique_ptr<pattern::Ast>> ast = pattern::Parse(PatternFor(text), {});
    if (!ast.ok()) return {};
    std::optional<std::vector<detect::SimpleKey>> keys = detect::Classify(**ast);
    if (!keys) return {};
    for (const detect::SimpleKey& key : *keys) {
      if (const std::string* list = l->Allows(key)) return *list;
    }
    return {};
  };
}

}  // namespace kizuna::node
