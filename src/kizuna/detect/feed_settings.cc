// Kizuna.
#include "kizuna/detect/feed_settings.h"

#include "kizuna/base/strings.h"
#include "kizuna/stix/predefined_markings.h"

namespace kizuna::detect {
namespace {

constexpr int64_t kMaxConfidence = 100;

// An open-vocabulary word as STIX writes them: lower-case letters and digits, joined by '-'.
bool IsVocabularyWord(std::string_view w) {
  if (w.empty() || w.size() > kMaxFeedWordBytes || w.front() == '-' || w.back() == '-')
    return false;
  for (char c : w) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Free text of one line: no control characters.
absl::Status CheckText(std::string_view setting, std::string_view text, size_t max_bytes,
                       bool multiline) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(StrCat(setting, ": longer than ", max_bytes, " bytes"));
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && !(multiline && (c == '\n' || c == '\t'))) {
      return absl::InvalidArgumentError(StrCat(setting, ": control characters are not allowed"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckWords(std::string_view setting, const std::vector<std::string>& words,
                        bool vocabulary) {
  if (words.size() > kMaxFeedLabels) {
    return absl::InvalidArgumentError(StrCat(setting, ": more than ", kMaxFeedLabels, " given"));
  }
  for (const std::string& w : words) {
    if (vocabulary && !IsVocabularyWord(w)) {
      return absl::InvalidArgumentError(
          StrCat(setting, " '", w,
                 "': use lower-case letters and digits joined by '-' "
                 "(e.g. malicious-activity, benign, anomalous-activity)"));
    }
    if (w.empty()) return absl::InvalidArgumentError(StrCat(setting, ": an empty value"));
    if (absl::Status s = CheckText(StrCat(setting, " '", w, "'"), w, kMaxFeedWordBytes, false);
        !s.ok())
      return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view Tlp2MarkingId(std::string_view level) {
  for (const stix::PredefinedTlpMarking& m : stix::PredefinedTlpMarkings()) {
    if (m.tlp_version == 2 && EqualsIgnoreCase(m.level, level)) return m.id;
  }
  return {};
}

absl::Status FeedSettings::Validate(int64_t now_us) const {
  if (!tlp.empty() && Tlp2MarkingId(tlp).empty()) {
    return absl::InvalidArgumentError(
        StrCat("tlp '", tlp, "': not a TLP 2.0 level (clear, green, amber, amber+strict, red)"));
  }
  if (indicator_types.empty())
    return absl::InvalidArgumentError("indicator-type: at least one is needed");
  if (absl::Status s = CheckWords("indicator-type", indicator_types, true); !s.ok()) return s;
  if (absl::Status s = CheckWords("label", labels, false); !s.ok()) return s;
  if (confidence && (*confidence < 0 || *confidence > kMaxConfidence)) {
    return absl::InvalidArgumentError(
        StrCat("confidence ", *confidence, ": must be 0..", kMaxConfidence));
  }
  if (valid_for_days && valid_until_us) {
    return absl::InvalidArgumentError("valid-for and --valid-until: give one or the other");
  }
  if (valid_for_days && (*valid_for_days < 1 || *valid_for_days > kMaxFeedValidDays)) {
    return absl::InvalidArgumentError(
        StrCat("valid-for ", *valid_for_days, " days: must be 1..", kMaxFeedValidDays));
  }
  if (valid_until_us && *valid_until_us <= now_us) {
    return absl::InvalidArgumentError(
        "valid-until: must be later than now (the indicators would never be valid)");
  }
  if (absl::Status s = CheckText("description", description, kMaxFeedDescriptionBytes, true);
      !s.ok())
    return s;
  if (absl::Status s = CheckText("source", source, kMaxFeedWordBytes, false); !s.ok()) return s;
  if (!source_url.empty()) {
    if (absl::Status s = CheckText("source-url", source_url, kMaxFeedDescriptionBytes, false);
        !s.ok())
      return s;
    if (!source_url.starts_with("https://") && !source_url.starts_with("http://")) {
      return absl::InvalidArgumentError(
          StrCat("source-url '", source_url, "': must start with https:// or http://"));
    }
    if (source_url.find(' ') != std::string::npos) {
      return absl::InvalidArgumentError(
          StrCat("source-url '", source_url, "': spaces are not allowed"));
    }
  }
  return absl::OkStatus();
}

}  // namespace kizuna::detect
