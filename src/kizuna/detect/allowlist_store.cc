// Kizuna.
#include "kizuna/detect/allowlist_store.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

namespace fs = std::filesystem;

bool IsMisp(const fs::path& p) { return p.filename() == "list.json" || p.extension() == ".json"; }

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxAllowlistNameBytes || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// The files of `path` to add: list.json and .txt files, sorted.
absl::StatusOr<std::vector<fs::path>> ListFiles(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (!fs::exists(path, ec)) return absl::NotFoundError(StrCat(path, ": no such file"));
    return std::vector<fs::path>{path};
  }
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const fs::path& p = it->path();
    if (p.filename() == "list.json" || p.extension() == ".txt") files.push_back(p);
  }
  if (ec) return absl::NotFoundError(StrCat("cannot list '", path, "': ", ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

absl::StatusOr<StoredAllowlist> DescribeAllowlist(std::string_view text, bool misp,
                                                  std::string_view origin) {
  StoredAllowlist out;
  if (!misp) {
    out.type = "plain";
    for (std::string_view rest = text; !rest.empty();) {
      const size_t nl = rest.find('\n');
      std::string_view line = Trim(rest.substr(0, nl).substr(0, rest.substr(0, nl).find('#')));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      out.entries += !line.empty();
    }
    return out;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(text.data(), text.size()).get(doc)) {
    return absl::InvalidArgumentError(
        StrCat(origin, ": not JSON: ", simdjson::error_message(error)));
  }
  std::string_view title, type, category;
  simdjson::dom::array values;
  if (doc["name"].get(title) || doc["type"].get(type) || doc["list"].get(values)) {
    return absl::InvalidArgumentError(
        StrCat(origin, ": a warninglist needs string `name`, `type` and array `list`"));
  }
  if (!doc["category"].get(category)) out.category = std::string(category);
  out.title = std::string(title);
  out.type = std::string(type);
  out.entries = static_cast<int64_t>(values.size());
  return out;
}

bool InCategories(const StoredAllowlist& list, const std::vector<std::string>& categories) {
  if (categories.empty()) return true;
  return std::any_of(categories.begin(), categories.end(), [&](const std::string& c) {
    return c == list.type || (!list.category.empty() && c == list.category);
  });
}

absl::StatusOr<std::vector<StoredAllowlist>> AllowlistStore::Add(
    const std::string& path, const std::vector<std::string>& categories) {
  KZ_ASSIGN_OR_RETURN(std::vector<fs::path> files, ListFiles(path));
  struct Pending {
    StoredAllowlist list;
    std::string file;
    simdjson::padded_string text;
  };
  std::vector<Pending> pending;
  // Everything is read and checked before anything is written.
  for (const fs::path& f : files) {
    const bool misp = IsMisp(f);
    KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(f.string(), kMaxAllowlistFileBytes));
    const std::string_view view(text.data(), text.size());
    KZ_ASSIGN_OR_RETURN(StoredAllowlist list, DescribeAllowlist(view, misp, f.string()));
    if (misp) {
      Allowlist check;
      KZ_RETURN_IF_ERROR(check.AddMispList(view, f.string()));
    }
    list.name =
        f.filename() == "list.json" ? f.parent_path().filename().string() : f.stem().string();
    if (!ValidName(list.name)) {
      return absl::InvalidArgumentError(StrCat(f.string(), ": list name '", list.name,
                                               "' is not 1 to ", kMaxAllowlistNameBytes,
                                               " bytes of letters, digits, '.', '_' and '-'"));
    }
    if (list.title.empty()) list.title = list.name;
    if (!InCategories(list, categories)) continue;
    const std::string file = StrCat(list.name, misp ? ".json" : ".txt");
    pending.push_back({std::move(list), file, std::move(text)});
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return absl::InternalError(StrCat("cannot create ", dir_, ": ", ec.message()));
  fs::permissions(dir_, fs::perms::owner_all, ec);
  std::vector<StoredAllowlist> added;
  for (Pending& p : pending) {
    // A list of the same name in the other format would shadow this one: drop it.
    const std::string other = StrCat(p.list.name, p.file.ends_with(".json") ? ".txt" : ".json");
    fs::remove(fs::path(dir_) / other, ec);
    KZ_RETURN_IF_ERROR(WriteFileAtomically((fs::path(dir_) / p.file).string(),
                                           std::string_view(p.text.data(), p.text.size())));
    added.push_back(std::move(p.list));
  }
  return added;
}

absl::StatusOr<std::vector<StoredAllowlist>> AllowlistStore::List() const {
  std::vector<StoredAllowlist> out;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const fs::path& p = e.path();
    if (e.is_regular_file() && (p.extension() == ".json" || p.extension() == ".txt") &&
        ValidName(p.stem().string())) {
      files.push_back(p);
    }
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", dir_, ": ", ec.message()));
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(f.string(), kMaxAllowlistFileBytes));
    KZ_ASSIGN_OR_RETURN(StoredAllowlist list,
                        DescribeAllowlist(std::string_view(text.data(), text.size()),
                                          f.extension() == ".json", f.string()));
    list.name = f.stem().string();
    if (list.title.empty()) list.title = list.name;
    out.push_back(std::move(list));
  }
  return out;
}

absl::Status AllowlistStore::Remove(const std::string& name) {
  std::error_code ec;
  bool removed = false;
  if (ValidName(name)) {
    for (const char* ext : {".json", ".txt"})
      removed |= fs::remove(fs::path(dir_) / (name + ext), ec);
  }
  if (!removed) return absl::NotFoundError(StrCat("no stored allowlist named '", name, "'"));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AllowlistStore::LoadInto(Allowlist& allowlist) const {
  KZ_ASSIGN_OR_RETURN(std::vector<StoredAllowlist> lists, List());
  int64_t loaded = 0;
  for (const StoredAllowlist& list : lists) {
    if (!InCategories(list, allowlist.categories)) continue;
    const bool misp = list.type != "plain";
    const fs::path file = fs::path(dir_) / StrCat(list.name, misp ? ".json" : ".txt");
    KZ_ASSIGN_OR_RETURN(simdjson::padded_string text,
                        ReadFile(file.string(), kMaxAllowlistFileBytes));
    const std::string_view view(text.data(), text.size());
    if (misp) {
      KZ_RETURN_IF_ERROR(allowlist.AddMispList(view, file.string()));
    } else {
      allowlist.AddPlainList(view, list.name);
    }
    if (allowlist.on_file) allowlist.on_file(file.string());
    ++loaded;
  }
  return loaded;
}

}  // namespace kizuna::detect
