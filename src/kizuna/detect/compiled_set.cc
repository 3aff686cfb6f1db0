// Kizuna.
#include "kizuna/detect/compiled_set.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "kizuna/base/digest.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"

namespace kizuna::detect {
namespace {

std::string Selection(const CompiledSetInputs& in) {
  std::string s = StrCat("reader=", in.reader, "\ncollections=");
  for (size_t i = 0; i < in.collection_ids.size(); ++i) {
    StrAppend(s, i == 0 ? "" : ",", in.collection_ids[i]);
  }
  StrAppend(s, "\nexercise=", in.exercise ? "yes" : "no", "\n");
  return s;
}

}  // namespace

std::string CompiledSetStamp(const CompiledSetInputs& in) {
  std::string s = Selection(in);
  StrAppend(s, "store.last_date_added=", in.marks.last_added, "\n");
  StrAppend(s, "store.entries_deleted=", in.marks.deleted, "\n");
  StrAppend(s, "allowlists=", in.stored_allowlists ? "stored+" : "", "given;categories=");
  for (size_t i = 0; i < in.allowlist_categories.size(); ++i) {
    StrAppend(s, i == 0 ? "" : ",", in.allowlist_categories[i]);
  }
  StrAppend(s, ";digest=", in.allowlist_digest, "\n");
  return s;
}

std::string CompiledSetPath(std::string_view dir, const CompiledSetInputs& in) {
  const Sha256Digest d = Sha256(Selection(in));
  return StrCat(dir, "/",
                HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())),
                ".kzset");
}

absl::Status MakeCompiledSetDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return FileError(dir, errno);
  return absl::OkStatus();
}

absl::Status PruneCompiledSets(const std::string& dir, size_t keep) {
  std::error_code ec;
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    std::error_code time_ec;
    const auto written = e.last_write_time(time_ec);
    if (time_ec) continue;  // removed meanwhile
    if (name.ends_with(".kzset")) {
      files.emplace_back(written, e.path());
    } else if (name.ends_with(".new") &&
               written < std::filesystem::file_time_type::clock::now() - std::chrono::hours(1)) {
      std::filesystem::remove(e.path(), time_ec);  // a write that did not finish
    }
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", dir, ": ", ec.message()));
  if (files.size() <= keep) return absl::OkStatus();
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = keep; i < files.size(); ++i) {
    if (!std::filesystem::remove(files[i].second, ec) && ec) {
      return absl::InternalError(
          StrCat("cannot remove ", files[i].second.string(), ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace kizuna::detect
