// Kizuna.
#include "kizuna/policy/statement.h"

#include <array>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "kizuna/base/strings.h"

namespace kizuna::policy {
namespace {

// The words of `text` in upper-case ASCII: full-width forms (U+FF01-U+FF5E) become their
// ASCII letters and digits; anything else that is not an ASCII letter or digit separates words.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words(1);
  auto letter = [&](char c) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      words.back() += c;
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    // U+FF01..U+FF5E is EF BC 81..EF BC BF, EF BD 80..EF BD 9E in UTF-8.
    if (b == 0xEF && i + 2 < text.size()) {
      auto b1 = static_cast<unsigned char>(text[i + 1]), b2 = static_cast<unsigned char>(text[i + 2]);
      int code = b1 == 0xBC ? b2 - 0x80 : b1 == 0xBD ? b2 - 0x80 + 0x40 : -1;
      if (code >= 1 && code <= 0x5E && b2 >= 0x80 && b2 <= 0xBF) {
        letter(static_cast<char>(0x20 + code));
        i += 2;
        continue;
      }
    }
    letter(static_cast<char>(b));
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

// True if `segment` reads like a dissemination control (see statement.h).
bool ReadsLikeDisseminationControl(std::string_view segment) {
  static constexpr std::array<std::string_view, 9> kControls = {
      "REL", "RELEASABLE", "RELIDO", "NOFORN", "ORCON", "NOCONTRACT", "PROPIN", "FVEY", "EYES"};
  std::vector<std::string> words = Words(segment);
  for (size_t i = 0; i < words.size(); ++i) {
    for (std::string_view control : kControls) {
      if (words[i] == control) return true;
    }
    bool release = words[i] == "RELEASE" || words[i] == "RELEASED";
    if (release && i + 1 < words.size() && words[i + 1] == "TO") return true;
  }
  return false;
}

// Reads the list of an exact "REL TO <list>" segment into `out`; false if unreadable.
bool ReadList(std::string_view list, identity::Releasability& out) {
  size_t entries = 0;
  for (;;) {
    size_t comma = list.find(',');
    std::string_view entry = Trim(list.substr(0, comma));
    if (entry.empty() || ++entries > identity::kMaxReleaseEntries || !identity::AddReleaseEntry(entry, out).ok()) {
      return false;
    }
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

StatementMeaning ReadStatement(std::string_view statement) {
  StatementMeaning out;
  const StatementMeaning not_understood{StatementKind::kNotUnderstood, {}};
  for (;;) {
    size_t end = statement.find("//");
    std::string_view segment = Trim(statement.substr(0, end));
    std::string_view list;
    bool rel_to = false;
    for (std::string_view form : {"REL TO ", "RELEASABLE TO "}) {
      if (segment.starts_with(form)) {
        rel_to = true;
        list = segment.substr(form.size());
      }
    }
    if (rel_to) {
      if (out.kind == StatementKind::kReleasability || !ReadList(list, out.release)) return not_understood;
      out.kind = StatementKind::kReleasability;
    } else if (ReadsLikeDisseminationControl(segment)) {
      return not_understood;
    }
    if (end == std::string_view::npos) return out;
    statement.remove_prefix(end + 2);
  }
}

}  // namespace kizuna::policy
