# Build switches. Defaults suit a developer checkout; scripts/run turns tests off.
option(KIZUNA_BUILD_TESTS "Build the unit and integration tests" ON)
option(KIZUNA_BUILD_BENCHMARKS "Build the benchmarks under bench/" ON)
option(KIZUNA_BUILD_FUZZERS "Build libFuzzer targets (needs clang); off builds the replay driver only" OFF)
set(KIZUNA_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
