// Kizuna. What every subcommand of the `kizuna` binary shares.
#pragma once

// Each subcommand lives in one file of src/kizuna/cli/ and exposes one Add<Name>Command()
// function, declared here, that adds it to the CLI11 app. The command's callback parses
// nothing itself (CLI11 did), calls the library, prints, and stores its exit code.
// Exit codes: 0 success; 1 the command ran but the data was invalid or the operation failed;
// 2 bad arguments (usage printed by CLI11).
// Thread-safety: single-threaded, used only by main().

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/store/store.h"

namespace CLI {
class App;
}
namespace kizuna::store {
class Database;
struct ModeChange;
}

namespace kizuna::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Options every subcommand may read, set by flags on the top-level app.
struct GlobalOptions {
  // Data directory (--data-dir, else $KIZUNA_DATA, else ./kizuna-data).
  std::string data_dir = "kizuna-data";
  // Exit code of the subcommand that ran; main() returns it.
  int exit_code = kExitOk;
};

// Prints "kizuna: <message>" for `status` on stderr and returns kExitFailure.
// Drops the line break a file's last line ends with (a token or USER:PASSWORD file).
std::string WithoutLineEnd(std::string text);

int ReportError(const absl::Status& status);

// Returns true when stderr is a terminal, so progress lines are worth drawing.
bool StderrIsTerminal();

// Opens the node's database in `data_dir` (store::OpenDatabase), after telling on stderr
// which of its files were open to other local accounts and have been closed to them; every
// write through it keeps the search index (search::Extractor).
absl::StatusOr<std::unique_ptr<store::Database>> OpenNodeDatabase(const std::string& data_dir);

// Returns the identity id of the organisation a command acts for (the creator of what it
// adds): the one `name` names (name or identity id), else the node's only organisation.
// Returns InvalidArgument, listing them, when the node has several or none and `name` is
// empty: what is added without a creator is read by nobody but the operator. `what` names
// the organisation in that error ("the sensor's", "the feed's").
absl::StatusOr<std::string> ActingOrganization(store::Database& db, const std::string& name,
                                               std::string_view what);

// The node's collections as listings name them for people: id -> alias (else the title).
// Listings print CollectionName(names, id); their --json output keeps the ids.
using CollectionNames = std::map<std::string, std::string, std::less<>>;
absl::StatusOr<CollectionNames> ListCollectionNames(store::Store& store);
// The name of collection `id`, or `id` itself when it names no collection of this node.
std::string_view CollectionName(const CollectionNames& names, std::string_view id);

// One object's entries (versions) in one collection, with their JSON, oldest first.
struct HeldObject {
  store::Collection collection;
  std::vector<store::StoredObject> versions;
};

// Returns the entries of `object_id` in collection `collection` (id or alias), or, when
// `collection` is empty, in every collection of the node that holds it. InvalidArgument for
// an id that is not a STIX id; NotFound when no collection (or not the one named) holds it.
absl::StatusOr<std::vector<HeldObject>> FindHeldObject(store::Store& store, const std::string& collection,
                                                       std::string_view object_id);

// Appends the audit event of a change made on the command line that the store does not
// audit itself (an import, a collection created or changed): actor "cli", `action` on
// `target`, with `details` (a JSON object's text). Made after the change, which stays made
// when this fails (the caller reports the error).
absl::Status AuditCommand(store::Database& db, std::string_view action, std::string_view target,
                          std::string details);

// Prints one line on stderr for each mode PrepareDataDir changed.
void ReportTightened(const std::vector<store::ModeChange>& changes);

void AddInitCommand(CLI::App& app, GlobalOptions& global);
void AddCollectionCommand(CLI::App& app, GlobalOptions& global);
void AddValidateCommand(CLI::App& app, GlobalOptions& global);
void AddImportCommand(CLI::App& app, GlobalOptions& global);
void AddExportCommand(CLI::App& app, GlobalOptions& global);
void AddShipCommand(CLI::App& app, GlobalOptions& global);
void AddBusCommand(CLI::App& app, GlobalOptions& global);
void AddDeleteCommand(CLI::App& app, GlobalOptions& global);
void AddRevokeCommand(CLI::App& app, GlobalOptions& global);
void AddAdminCommand(CLI::App& app, GlobalOptions& global);
void AddPatternCommand(CLI::App& app, GlobalOptions& global);
void AddServeCommand(CLI::App& app, GlobalOptions& global);
void AddPeerCommand(CLI::App& app, GlobalOptions& global);
void AddSyncCommand(CLI::App& app, GlobalOptions& global);
void AddMatchCommand(CLI::App& app, GlobalOptions& global);
void AddAllowlistCommand(CLI::App& app, GlobalOptions& global);
void AddCheckCommand(CLI::App& app, GlobalOptions& global);
void AddPolicyCommand(CLI::App& app, GlobalOptions& global);
void AddProvenanceCommand(CLI::App& app, GlobalOptions& global);
void AddBriefCommand(CLI::App& app, GlobalOptions& global);
void AddExerciseCommand(CLI::App& app, GlobalOptions& global);
void AddIndexCommand(CLI::App& app, GlobalOptions& global);
void AddStoreCommand(CLI::App& app, GlobalOptions& global);
void AddSearchCommand(CLI::App& app, GlobalOptions& global);
void AddObservableCommand(CLI::App& app, GlobalOptions& global);
void AddRelatedCommand(CLI::App& app, GlobalOptions& global);

}  // namespace kizuna::cli
