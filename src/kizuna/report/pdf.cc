// Kizuna. The brief as PDF, printed by headless Chromium.
#include "kizuna/report/pdf.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"

extern char** environ;

namespace kizuna::report {
namespace {

// How often the wait for the browser looks whether it has ended.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

// Returns the absolute file:// URL of `path`.
std::string FileUrl(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return StrCat("file://", ec ? path : abs.string());
}

}  // namespace

absl::Status PrintPdf(const std::string& html_path, const std::string& pdf_path, const PdfOptions& options) {
  if (::access(options.chromium.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        StrCat("--pdf needs Chromium at ", options.chromium, " (Debian package chromium)"));
  }
  std::string profile_template = (std::filesystem::temp_directory_path() / "kizuna-brief-XXXXXX").string();
  if (::mkdtemp(profile_template.data()) == nullptr) {
    return absl::InternalError(StrCat("cannot make a temporary directory for Chromium: ", std::strerror(errno)));
  }
  std::error_code ec;
  std::filesystem::remove(pdf_path, ec);
  std::vector<std::string> args = {options.chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   StrCat("--user-data-dir=", profile_template),
                                   "--no-pdf-header-footer",
                                   StrCat("--print-to-pdf=", pdf_path),
                                   FileUrl(html_path)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group: killed whole on time-out
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, options.chromium.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  absl::Status result;
  if (spawned != 0) {
    result = absl::InternalError(StrCat("cannot run ", options.chromium, ": ", std::strerror(spawned)));
  } else {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
    int status = 0;
    for (;;) {
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        result = absl::DeadlineExceededError(
            StrCat("Chromium did not print ", html_path, " within ", options.timeout_ms, " ms"));
        break;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    if (result.ok() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      result = absl::InternalError(StrCat("Chromium failed printing ", html_path, " (status ", status, ")"));
    }
    struct stat st;
    if (result.ok() && (::stat(pdf_path.c_str(), &st) != 0 || st.st_size == 0)) {
      result = absl::InternalError(StrCat("Chromium wrote no PDF to ", pdf_path));
    }
  }
  std::filesystem::remove_all(profile_template, ec);
  return result;
}

absl::StatusOr<std::string> PrintPdfOf(std::string_view html, const PdfOptions& options, uint64_t max_bytes) {
  std::string dir = (std::filesystem::temp_directory_path() / "kizuna-pdf-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(StrCat("cannot make a temporary directory for the PDF: ", std::strerror(errno)));
  }
  const std::string html_path = StrCat(dir, "/brief.html");
  const std::string pdf_path = StrCat(dir, "/brief.pdf");
  absl::StatusOr<std::string> pdf = [&]() -> absl::StatusOr<std::string> {
    if (absl::Status s = WriteFileAtomically(html_path, html); !s.ok()) return s;
    if (absl::Status s = PrintPdf(html_path, pdf_path, options); !s.ok()) return s;
    absl::StatusOr<simdjson::padded_string> bytes = ReadFile(pdf_path, max_bytes);
    if (!bytes.ok()) return bytes.status();
    return std::string(std::string_view(*bytes));
  }();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return pdf;
}

}  // namespace kizuna::report
