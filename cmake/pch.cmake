# Precompiled headers: the third-party headers most translation units parse (the standard
# library, absl, fmt, simdjson; Boost.JSON and CLI11 in the binary; GoogleTest in the tests)
# are parsed once per kind of target instead of once per file. One header is built for the
# libraries (kizuna_base's, reused by every other layer and by the benchmarks), one for the
# binary and one for the tests (base_test's, reused by the others).
#
# Off by default, so that a build directory set up by hand compiles as it always did;
# scripts/test (and so CI) turns it on. With a compiler launcher (ccache), ccache only caches
# a compilation that uses a precompiled header with `sloppiness = pch_defines,time_macros`
# (CONTRIBUTING.md).
# A precompiled header is included first in every file of its target, so a file that forgets
# an #include still compiles with it: the build without it (KIZUNA_PCH=OFF) is the one
# that shows such a file. Every file pays for reading the header
# (about 2 s of CPU for the libraries'), so it holds only what most files include: Boost.JSON,
# in a fifth of the libraries' files, costs the others 0.4-0.7 s each and is left out of
# theirs (bench/README.md, "Build and test time").
option(KIZUNA_PCH "Precompile the common third-party headers" OFF)

set(KIZUNA_PCH_COMMON
  <algorithm> <chrono> <cstdint> <functional> <map> <memory> <mutex> <optional> <set>
  <string> <string_view> <thread> <utility> <variant> <vector>
  [["absl/container/flat_hash_map.h"]] [["absl/container/flat_hash_set.h"]]
  [["absl/status/status.h"]] [["absl/status/statusor.h"]] [["absl/strings/str_cat.h"]]
  [["absl/synchronization/mutex.h"]] [["absl/time/time.h"]]
  <fmt/format.h> [["simdjson.h"]])

# GCC 12's flow-sensitive warnings at -O2 (-Wstringop-overflow above all, on std::string
# appends) depend on inlining decisions, which the header's different order of declarations
# changes: bench/pattern_bench.cc (-Wstringop-overflow) and tests/base/file_test.cc
# (-Warray-bounds) warn with it and not without it, on code that is correct (GCC bug 105651). With a precompiled header these warnings are printed but are not errors;
# the build without one (KIZUNA_PCH=OFF) still stops on them.
set(KIZUNA_PCH_WARNINGS_NOT_ERRORS
  -Wno-error=stringop-overflow -Wno-error=stringop-overread -Wno-error=array-bounds
  -Wno-error=restrict -Wno-error=maybe-uninitialized -Wno-error=free-nonheap-object
  -Wno-error=dangling-pointer -Wno-error=use-after-free)

# kizuna_pch(<target> LIBRARY|BINARY|TEST): gives <target> the precompiled header of its kind.
function(kizuna_pch target kind)
  if(NOT KIZUNA_PCH)
    return()
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE ${KIZUNA_PCH_WARNINGS_NOT_ERRORS})
  endif()
  set_property(GLOBAL APPEND PROPERTY KIZUNA_PCH_TARGETS ${target})
  if(kind STREQUAL "LIBRARY")
    if(target STREQUAL "kizuna_base")
      target_precompile_headers(${target} PRIVATE ${KIZUNA_PCH_COMMON})
    else()
      target_precompile_headers(${target} REUSE_FROM kizuna_base)
    endif()
  elseif(kind STREQUAL "BINARY")
    target_precompile_headers(${target} PRIVATE ${KIZUNA_PCH_COMMON} <boost/json.hpp> <CLI/CLI.hpp>)
  elseif(kind STREQUAL "TEST")
    if(target STREQUAL "base_test")
      target_precompile_headers(${target} PRIVATE ${KIZUNA_PCH_COMMON} <gtest/gtest.h>)
    else()
      target_precompile_headers(${target} REUSE_FROM base_test)
    endif()
  else()
    message(FATAL_ERROR "kizuna_pch: unknown kind ${kind}")
  endif()
endfunction()

# A file compiled with options of its own (the On-Demand walkers' -mavx2 and the like) cannot
# use a header precompiled without them: GCC refuses it ("created and used with differing
# settings", an error with -Werror). Such files skip the header. Run once every target and
# its files' properties are defined, at the end of the top-level CMakeLists.txt.
function(kizuna_pch_skip_own_options)
  get_property(targets GLOBAL PROPERTY KIZUNA_PCH_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(dir ${target} SOURCE_DIR)
    get_target_property(sources ${target} SOURCES)
    foreach(source IN LISTS sources)
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${dir} OUTPUT_VARIABLE path)
      get_source_file_property(options ${path} TARGET_DIRECTORY ${target} COMPILE_OPTIONS)
      if(options)
        set_source_files_properties(${path} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
      endif()
    endforeach()
  endforeach()
endfunction()
if(KIZUNA_PCH)
  cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL kizuna_pch_skip_own_options)
endif()
