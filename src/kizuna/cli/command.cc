// Kizuna.
#include "kizuna/cli/command.h"

#include <unistd.h>

#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {

int ReportError(const absl::Status& status) {
  std::string text = StrCat("kizuna: ", View(status.message()), "\n");
  std::fputs(text.c_str(), stderr);
  return kExitFailure;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

void ReportTightened(const std::vector<store::ModeChange>& changes) {
  for (const store::ModeChange& c : changes) {
    std::string line = StrCat("kizuna: ", c.path, " was ", store::ModeText(c.from),
                              ", open to other local accounts; it is now ", store::ModeText(c.to), "\n");
    std::fputs(line.c_str(), stderr);
  }
}

absl::StatusOr<std::unique_ptr<store::Database>> OpenNodeDatabase(const std::string& data_dir) {
  std::vector<store::ModeChange> tightened;
  absl::StatusOr<std::unique_ptr<store::Database>> db = store::OpenDatabase(data_dir, SystemClock(), &tightened);
  ReportTightened(tightened);
  return db;
}

}  // namespace kizuna::cli
