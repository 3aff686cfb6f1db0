#!/usr/bin/env bash
# Formats every C++ file under src/, tests/, bench/ and fuzz/ with the pinned .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
find src tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i
