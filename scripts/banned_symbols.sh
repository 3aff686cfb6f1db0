#!/usr/bin/env bash
# Fails if the library uses a banned symbol (STYLE.md point 9):
#   std::regex / std::wregex  anywhere: shared patterns run on RE2 (linear time) only;
#   std::fstream family       outside base/file.* (the I/O layer);
#   printf / puts / exit      in the library outside base/assert.cc: only cli/ prints and exits;
#   new / delete expressions  anywhere in src/: ownership goes through unique_ptr.
# and if an include breaks the layering of src/kizuna (scripts/check_layers.py).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() {  # check <description> <grep -E pattern> <files...>
  local what=$1 pattern=$2
  shift 2
  local hits
  # Code only: string literals and comments (// to the end of the line) are left out.
  hits=$(awk -v pat="$pattern" '{ code = $0; gsub(/"([^"\\]|\\.)*"/, "\"\"", code); sub(/\/\/.*/, "", code);
                                   if (code ~ pat) print FILENAME ":" FNR ": " $0 }' "$@")
  if [[ -n "$hits" ]]; then
    echo "banned: $what"
    echo "$hits"
    status=1
  fi
}
mapfile -t all < <(find src -name '*.cc' -o -name '*.h')
mapfile -t library < <(printf '%s\n' "${all[@]}" | grep -v '^src/kizuna/cli/')
check "std::regex (use RE2)" 'std::w?regex' "${all[@]}"
check "std::fstream outside base/file" 'std::(i|o)?fstream' $(printf '%s\n' "${library[@]}" | grep -v 'base/file\.')
check "printing or exiting in the library" '((^|[^_a-zA-Z0-9:]|std::)(printf|fprintf|puts|fputs|exit|_exit|abort)[ ]*[(])|std::(cout|cerr)' \
  $(printf '%s\n' "${library[@]}" | grep -v 'base/assert\.cc')
check "new/delete expressions" '(=|return|[(])[ ]*new[ ]+[A-Za-z_]|(^|[^_a-z])delete[ ]+[a-z_]' "${all[@]}"
python3 scripts/check_layers.py || status=1
exit $status
