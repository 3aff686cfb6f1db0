// Kizuna. `kizuna export --format zeek-intel|suricata|rpz|csv`: indicators a sensor or a
// resolver can load, as the policy releases them to the principal (--as, --for-peer), with
// a summary of what was left out and why on stderr (--json: one JSON object).
#include "kizuna/cli/export_sensor.h"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/allowlist_store.h"
#include "kizuna/detect/export/sensor_export.h"
#include "kizuna/store/database.h"

namespace kizuna::cli {
namespace {

boost::json::object SummaryJson(const detect::SensorExportSummary& s, std::string_view format,
                                const std::vector<detect::ExportFile>& files) {
  boost::json::object skipped, lists, out;
  for (const auto& [reason, n] : s.skipped) skipped[reason] = n;
  for (const auto& [list, n] : s.warninglists) lists[list] = n;
  boost::json::array listed, names;
  for (const detect::SkippedIndicator& i : s.listed)
    listed.push_back({{"id", i.id}, {"reason", i.reason}});
  for (const detect::ExportFile& f : files) names.push_back(boost::json::string(f.name));
  out["format"] = format;
  out["read"] = s.read;
  out["exported"] = s.exported;
  out["entries"] = s.entries;
  out["duplicate_keys"] = s.duplicate_keys;
  out["dropped_keys"] = s.dropped_keys;
  out["skipped"] = std::move(skipped);
  out["warninglist_keys"] = std::move(lists);
  out["listed"] = std::move(listed);
  out["files"] = std::move(names);
  return out;
}

void PrintSummary(const detect::SensorExportSummary& s, std::string_view format) {
  std::string text = StrCat("export ", format, ": ", s.read, " indicators read, ", s.exported,
                            " exported (", s.entries, " entries)");
  for (const auto& [reason, n] : s.skipped) StrAppend(text, ", ", n, " ", reason);
  text += "\n";
  for (const detect::SkippedIndicator& i : s.listed)
    StrAppend(text, "  skipped ", i.id, ": ", i.reason, "\n");
  std::fputs(text.c_str(), stderr);
}

absl::Status WriteFiles(const std::string& output, detect::SensorFormat format,
                        const std::vector<detect::ExportFile>& files) {
  if (format != detect::SensorFormat::kSuricata) {
    if (output.empty() || output == "-") {
      const std::string& text = files.front().text;
      if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
          std::fflush(stdout) != 0) {
        return absl::InternalError("writing standard output failed");
      }
      return absl::OkStatus();
    }
    return WriteFileAtomically(output, files.front().text);
  }
  if (::mkdir(output.c_str(), 0755) != 0 && errno != EEXIST) return FileError(output, errno);
  for (const detect::ExportFile& f : files)
    KZ_RETURN_IF_ERROR(WriteFileAtomically(StrCat(output, "/", f.name), f.text));
  return absl::OkStatus();
}

}  // namespace

void AddSensorExportFlags(CLI::App& cmd, SensorExportFlags& flags) {
  cmd.add_option(
      "--output", flags.output,
      "zeek-intel, rpz, csv: file to write (default: standard output); suricata: folder for "
      "kizuna.rules and its lists (required)");
  cmd.add_flag("--json", flags.json,
               "zeek-intel, suricata, rpz, csv: the summary on stderr as one JSON object");
  cmd.add_option("--allowlist", flags.allowlists,
                 "zeek-intel, suricata, rpz, csv: also leave out values on this warninglist "
                 "(list.json, folder, "
                 "or plain list)");
  cmd.add_flag("--no-stored-allowlists", flags.no_stored_allowlists,
               "zeek-intel, suricata, rpz, csv: ignore the allowlists stored on the node");
  cmd.add_option("--source", flags.source, "zeek-intel, csv: the source named with each value")
      ->capture_default_str();
  cmd.add_option(
      "--link-base", flags.link_base,
      "Prefix of the link to each indicator (Zeek meta.url, CSV link); default: its TAXII path");
  cmd.add_option("--rpz-origin", flags.rpz_origin, "rpz: the zone's name")->capture_default_str();
}

int RunSensorExport(const GlobalOptions& global, const SensorExportFlags& flags,
                    std::string_view format_name, store::Database& db,
                    const store::Collection& collection, const identity::Principal& principal) {
  std::optional<detect::SensorFormat> format = detect::ParseSensorFormat(format_name);
  if (!format)
    return ReportError(
        absl::InvalidArgumentError(StrCat("--format: unknown format '", format_name, "'")));
  if (*format == detect::SensorFormat::kSuricata && flags.output.empty()) {
    return ReportError(
        absl::InvalidArgumentError("--format suricata writes several files: give --output FOLDER"));
  }
  detect::Allowlist allowlist;
  if (!flags.no_stored_allowlists) {
    auto loaded =
        detect::AllowlistStore(StrCat(global.data_dir, "/allowlists")).LoadInto(allowlist);
    if (!loaded.ok()) return ReportError(loaded.status());
  }
  for (const std::string& path : flags.allowlists) {
    if (absl::Status st = allowlist.Load(path); !st.ok()) return ReportError(st);
  }
  allowlist.Finish();
  detect::SensorExportOptions options;
  options.format = *format;
  options.now_us = SystemClock().NowMicros();
  if (allowlist.list_count() > 0) options.allowlist = &allowlist;
  options.source = flags.source;
  options.link_base = flags.link_base;
  options.rpz_origin = flags.rpz_origin;
  const bool terminal = StderrIsTerminal();
  if (terminal) {
    options.on_progress = [](int64_t read) {
      std::fputs(StrCat("\rexporting: ", read, " indicators read   ").c_str(), stderr);
    };
  }
  policy::Policy policy(db, &db, SystemClock());
  auto result = detect::ExportForSensors(db, policy, principal, collection, options);
  if (terminal) std::fputs("\r\033[K", stderr);
  if (!result.ok()) return ReportError(result.status());
  if (absl::Status st = WriteFiles(flags.output, *format, result->files); !st.ok())
    return ReportError(st);
  if (flags.json) {
    std::fputs(
        (boost::json::serialize(SummaryJson(result->summary, format_name, result->files)) + "\n")
            .c_str(),
        stderr);
  } else {
    PrintSummary(result->summary, format_name);
  }
  return kExitOk;
}

}  // namespace kizuna::cli
