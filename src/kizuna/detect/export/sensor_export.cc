// Kizuna.
#include "kizuna/detect/export/sensor_export.h"

#include <memory>
#include <optional>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/classify.h"
#include "kizuna/detect/export/key_text.h"
#include "kizuna/detect/fast_classify.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/validator.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/page_pipe.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

// The most indicators the output is sized for before the read.
constexpr int64_t kMaxReserved = 4'000'000;

// One export run: reads objects, selects, classifies, hands keys to the writer, counts.
class Exporter {
 public:
  // `expected` is about how many indicators will be read (a hint).
  Exporter(const SensorExportOptions& options, std::string link_base, size_t expected)
      : options_(options), link_base_(std::move(link_base)) {
    WriterSettings settings;
    settings.expected_keys = expected;
    settings.source = options.source;
    settings.rpz_origin = options.rpz_origin;
    settings.now_us = options.now_us;
    writer_ = NewFormatWriter(options.format, settings);
  }

  // Selects, classifies and writes indicator `o`, as released (its JSON may be a redacted
  // copy). The id, spec version and revocation come from the entry; the rest from the JSON.
  void Object(const store::StoredObject& o) {
    ++summary_.read;
    const std::string& id = o.id;
    simdjson::dom::element root;
    if (parser_.parse(o.json.data(), o.json.size()).get(root) != simdjson::SUCCESS || !root.is_object())
      return Skip(id, "invalid", "invalid: the object is not a JSON object");
    std::string_view text, pattern_type, name;
    if (root["pattern"].get_string().get(text) != simdjson::SUCCESS) {
      return Skip(id, "invalid",
                  "invalid: property 'pattern' is missing (or withheld) or not a string");
    }
    const bool v20 = o.spec_version == stix::SpecVersion::k20;
    if (root["pattern_type"].get_string().get(pattern_type) != simdjson::SUCCESS)
      pattern_type = v20 ? "stix" : "";
    if (root["name"].get_string().get(name) != simdjson::SUCCESS) name = {};
    if (o.revoked) return Skip(id, "revoked", "revoked");
    if (pattern_type != "stix")
      return Skip(id, "not-stix-pattern", StrCat("pattern_type '", pattern_type, "'"));
    std::optional<int64_t> valid_from, valid_until;
    if (!Time(root, "valid_from", valid_from) || !Time(root, "valid_until", valid_until))
      return Skip(id, "invalid", "invalid: valid_from or valid_until is not a timestamp");
    if (valid_until && *valid_until <= options_.now_us) return Skip(id, "expired", "expired");
    if (valid_from && *valid_from > options_.now_us) return Skip(id, "not-yet-valid", "not yet valid");
    std::string why;
    std::optional<std::vector<SimpleKey>> keys = Keys(text, v20, why);
    if (!keys)
      return Skip(id, why.empty() ? "not-reducible" : "invalid",
                  why.empty() ? NotReducible() : why);
    if (keys->empty())
      return Skip(id, "not-reducible", "not reducible: the pattern can never match");
    Write(ExportIndicator{id, name, ""}, *keys);
  }

  SensorExport Finish() && {
    SensorExport out;
    out.summary = std::move(summary_);
    out.summary.entries = writer_->entries();
    out.files = std::move(*writer_).Finish();
    return out;
  }

  SensorExportSummary& summary() { return summary_; }

 private:
  // Reads timestamp property `key` of `root` into `us` (nullopt when absent); false when it
  // is there but not a timestamp.
  static bool Time(simdjson::dom::element root, std::string_view key, std::optional<int64_t>& us) {
    std::string_view text;
    simdjson::error_code error = root[key].get_string().get(text);
    if (error == simdjson::NO_SUCH_FIELD) return true;
    if (error != simdjson::SUCCESS) return false;
    absl::StatusOr<stix::Timestamp> t = stix::ParseTimestamp(text);
    if (!t.ok()) return false;
    us = t->Micros();
    return true;
  }

  static std::string NotReducible() {
    return "not reducible: the pattern needs the evaluator (only ORs of equalities, CIDR blocks, "
           "domain suffixes and address-and-port reduce to lookup keys)";
  }

  // The lookup keys of a pattern (classify.h), nullopt when not simple; `why` is set when
  // the pattern is invalid.
  std::optional<std::vector<SimpleKey>> Keys(std::string_view text, bool v20,
                                             std::string& why) const {
    if (!v20) {
      if (std::optional<std::vector<SimpleKey>> keys = FastClassify(text, options_.limits))
        return keys;
    }
    pattern::ParseOptions parse_options{v20 ? pattern::StixVersion::k20 : pattern::StixVersion::k21,
                                        options_.limits};
    absl::StatusOr<std::unique_ptr<pattern::Ast>> ast = pattern::Parse(text, parse_options);
    absl::Status valid = ast.ok() ? pattern::Validate(**ast, options_.limits) : ast.status();
    if (!valid.ok()) {
      why = StrCat("invalid pattern: ", View(valid.message()));
      return std::nullopt;
    }
    return Classify(**ast);
  }

  // Drops allowed keys, writes the rest, counts.
  void Write(ExportIndicator indicator, std::vector<SimpleKey>& keys) {
    const std::string link = StrCat(link_base_, indicator.id);
    indicator.link = link;
    std::string allowed_by, refused;
    bool written = false, kept = false;
    for (const SimpleKey& key : keys) {
      if (options_.allowlist != nullptr) {
        if (const std::string* list = options_.allowlist->Allows(key)) {
          ++summary_.warninglists[*list];
          if (allowed_by.empty()) allowed_by = *list;
          continue;
        }
      }
      std::string why;
      switch (writer_->Add(indicator, key, why)) {
        case FormatWriter::Result::kWritten:
          written = kept = true;
          break;
        case FormatWriter::Result::kDuplicate:
          ++summary_.duplicate_keys;
          kept = true;
          break;
        case FormatWriter::Result::kNotInFormat:
          ++summary_.dropped_keys;
          if (refused.empty())
            refused = StrCat("not in ", SensorFormatName(options_.format), ": ", why);
          break;
      }
    }
    if (kept) {
      summary_.exported += written ? 1 : 0;
      return;
    }
    if (!allowed_by.empty() && refused.empty()) {
      return Skip(indicator.id, "warninglist", StrCat("on warninglist '", allowed_by, "'"));
    }
    return Skip(indicator.id, "not-in-format", refused);
  }

  void Skip(std::string_view id, std::string_view reason, std::string text) {
    ++summary_.skipped[std::string(reason)];
    if (summary_.listed.size() < options_.max_listed)
      summary_.listed.push_back({std::string(id), std::move(text)});
  }

  const SensorExportOptions& options_;
  std::string link_base_;
  std::unique_ptr<FormatWriter> writer_;
  simdjson::dom::parser parser_;
  SensorExportSummary summary_;
};

}  // namespace

absl::StatusOr<SensorExport> ExportForSensors(store::Store& store, policy::Policy& policy,
                                              const identity::Principal& principal,
                                              const store::Collection& collection,
                                              const SensorExportOptions& options) {
  if (options.now_us == 0)
    return absl::InvalidArgumentError("sensor export: the selection time is not set");
  if (!options.rpz_origin.ends_with('.') || !DnsName(options.rpz_origin, 200)) {
    return absl::InvalidArgumentError(StrCat("sensor export: RPZ origin '", options.rpz_origin,
                                             "' is not a DNS name ending in '.'"));
  }
  std::string link_base =
      options.link_base.empty()
          ? StrCat("/", collection.api_root, "/collections/", collection.id, "/objects/")
          : options.link_base;
  // The collection's count of objects sizes the output (a hint, never shown: what the
  // principal may not read counts only as room reserved).
  KZ_ASSIGN_OR_RETURN(int64_t count, store.CountObjects(collection.id));
  Exporter exporter(options, std::move(link_base), static_cast<size_t>(std::min<int64_t>(count, kMaxReserved)));
  policy::ReleasedReader reader(store, policy);
  store::PageRequest request;
  // No type filter: the store's type filter costs more than skipping other types here.
  request.limit = store::kMaxPageLimit;
  store::PagePipe pipe([&](const store::PageRequest& r, store::Page& page) {
    return reader.ReadInto(principal, collection, {}, r, page);
  }, request);
  while (std::optional<store::Page> page = pipe.Next()) {
    for (const store::StoredObject& o : page->objects) {
      if (o.type == "indicator") exporter.Object(o);
    }
    if (options.on_progress) options.on_progress(exporter.summary().read);
    pipe.Done(std::move(*page));
  }
  KZ_RETURN_IF_ERROR(pipe.status());
  return std::move(exporter).Finish();
}

}  // namespace kizuna::detect
