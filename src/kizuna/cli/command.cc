// Kizuna.
#include "kizuna/cli/command.h"

#include <unistd.h>

#include <cstdio>

#include "kizuna/base/strings.h"

namespace kizuna::cli {

int ReportError(const absl::Status& status) {
  std::string text = StrCat("kizuna: ", View(status.message()), "\n");
  std::fputs(text.c_str(), stderr);
  return kExitFailure;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace kizuna::cli
