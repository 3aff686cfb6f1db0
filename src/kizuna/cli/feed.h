// Kizuna. `kizuna feed add|list|run|remove`: feeds the node pulls on a schedule (feed.cc).
#pragma once

// Thread-safety: single-threaded, used only by main().

#include "kizuna/cli/command.h"

namespace CLI {
class App;
}

namespace kizuna::cli {

void AddFeedCommand(CLI::App& app, GlobalOptions& global);

}  // namespace kizuna::cli
