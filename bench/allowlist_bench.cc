// Kizuna. Allowlist benchmark: load MISP warninglists, then check indicator keys against them
// (what `kizuna match --allowlist` does for every key of every indicator it compiles).
//   load        Allowlist::Load of every list below --lists, and Finish
//   allows      Allowlist::Allows on --keys generated domain-name keys
//   reference   the same keys searched in the substring lists needle by needle with find,
//               as Allowlist did before it used one SubstringSet (run on --reference-keys
//               keys only: it is slow), so `speedup` = allows keys/s ÷ reference keys/s
//               (the reference covers only the substring lists, so it flatters the old way)
// Keys: random names under a mix of TLDs, a fixed seed; one in 64 ends in a name of the
// lists (so some are allowed). Prints one JSON line per measurement. Usage:
//   allowlist_bench [--lists DIR] [--keys N] [--reference-keys N]
// Without the shared data (../shared/data/warninglists/lists) it generates 4 substring lists
// of 2,000 needles each.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/allowlist.h"

namespace kizuna::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using Rng = std::mt19937_64;

std::string Label(Rng& rng, size_t max) {
  std::string s(3 + rng() % max, 'a');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

// The substring lists covering domain names (MISP attributes hostname, domain, domain|ip):
// the needles of each, lowered.
std::vector<std::vector<std::string>> SubstringLists(const std::string& dir) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().filename() == "list.json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    absl::StatusOr<simdjson::padded_string> text = ReadFile(f.string(), 256 << 20);
    if (!text.ok()) continue;
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(std::string_view(text->data(), text->size()), ec);
    if (ec || !v.is_object() || v.at("type") != "substring") continue;
    bool domain = false;
    if (const auto* a = v.as_object().if_contains("matching_attributes"); a && a->is_array()) {
      for (const auto& x : a->as_array()) {
        domain |= x == "hostname" || x == "domain" || x == "domain|ip";
      }
    }
    if (!domain) continue;
    std::vector<std::string>& list = out.emplace_back();
    for (const auto& x : v.at("list").as_array()) {
      if (!x.is_string()) continue;
      std::string s(x.as_string());
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!s.empty()) list.push_back(std::move(s));
    }
  }
  return out;
}

// Writes 4 generated substring lists under a temporary directory; returns it.
std::string GenerateLists(Rng& rng) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "allowlist_bench";
  for (int l = 0; l < 4; ++l) {
    boost::json::array needles;
    for (int i = 0; i < 2000; ++i) needles.emplace_back(Label(rng, 8));
    boost::json::object list{{"name", StrCat("generated ", l)},
                             {"type", "substring"},
                             {"matching_attributes", boost::json::array{"domain", "hostname"}},
                             {"list", needles}};
    std::filesystem::create_directories(dir / std::to_string(l));
    const std::string text = boost::json::serialize(list);
    FILE* f = std::fopen((dir / std::to_string(l) / "list.json").c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  return dir.string();
}

int Main(int argc, char** argv) {
  std::string lists = KIZUNA_SHARED_DATA "/warninglists/lists";
  size_t key_count = 1000000, reference_count = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--lists") lists = argv[i + 1];
    if (flag == "--keys") key_count = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--reference-keys") reference_count = std::strtoull(argv[i + 1], nullptr, 10);
  }
  Rng rng(7);
  if (!std::filesystem::is_directory(lists)) lists = GenerateLists(rng);

  auto start = Clock::now();
  detect::Allowlist allowlist;
  if (absl::Status st = allowlist.Load(lists); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return 1;
  }
  allowlist.Finish();
  const double load_s = Seconds(start);
  std::printf(
      "{\"bench\":\"allowlist\",\"measure\":\"load\",\"lists\":%zu,\"entries\":%zu,"
      "\"seconds\":%.3f}\n",
      allowlist.list_count(), allowlist.entry_count(), load_s);

  const std::vector<std::vector<std::string>> substrings = SubstringLists(lists);
  std::vector<std::string> names;
  for (const auto& l : substrings)
    names.insert(names.end(), l.begin(), l.begin() + std::min<size_t>(l.size(), 100));
  const char* kTlds[] = {"com", "net", "org", "ru", "cn", "xyz", "tk", "info", "jp", "io"};
  std::vector<detect::SimpleKey> keys(key_count);
  for (detect::SimpleKey& k : keys) {
    k.slot = detect::Slot::kDomain;
    k.text = StrCat(Label(rng, 12), ".", Label(rng, 6), ".", kTlds[rng() % 10]);
    if (!names.empty() && rng() % 64 == 0) k.text += StrCat(".", names[rng() % names.size()]);
  }

  start = Clock::now();
  size_t allowed = 0;
  for (const detect::SimpleKey& k : keys) allowed += allowlist.Allows(k) != nullptr;
  const double allows_s = Seconds(start);
  const double allows_rate = static_cast<double>(keys.size()) / allows_s;
  std::printf(
      "{\"bench\":\"allowlist\",\"measure\":\"allows\",\"keys\":%zu,\"allowed\":%zu,"
      "\"seconds\":%.3f,\"keys_per_second\":%.0f}\n",
      keys.size(), allowed, allows_s, allows_rate);

  reference_count = std::min(reference_count, keys.size());
  size_t needles = 0;
  for (const auto& l : substrings) needles += l.size();
  start = Clock::now();
  size_t reference_allowed = 0;
  for (size_t i = 0; i < reference_count; ++i) {
    const std::string_view text = keys[i].text;
    bool found = false;
    for (const auto& l : substrings) {
      for (const std::string& s : l) {
        if (text.find(s) != std::string_view::npos) {
          found = true;
          break;
        }
      }
      if (found) break;
    }
    reference_allowed += found;
  }
  const double reference_s = Seconds(start);
  const double reference_rate = static_cast<double>(reference_count) / reference_s;
  std::printf(
      "{\"bench\":\"allowlist\",\"measure\":\"reference\",\"keys\":%zu,\"needles\":%zu,"
      "\"allowed\":%zu,\"seconds\":%.3f,\"keys_per_second\":%.0f,\"speedup\":%.1f}\n",
      reference_count, needles, reference_allowed, reference_s, reference_rate,
      allows_rate / reference_rate);
  return 0;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) { return kizuna::bench::Main(argc, argv); }
