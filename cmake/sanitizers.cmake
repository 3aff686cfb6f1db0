# KIZUNA_SANITIZE=address,undefined adds -fsanitize to every target.
if(KIZUNA_SANITIZE)
  add_compile_options(-fsanitize=${KIZUNA_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${KIZUNA_SANITIZE})
endif()

# Fuzzing builds (clang) instrument the whole library for coverage and memory errors; the fuzz
# targets add the libFuzzer driver when they link. Undefined behaviour aborts, so that
# libFuzzer stops and keeps the input, as it does for memory errors.
if(KIZUNA_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KIZUNA_BUILD_FUZZERS needs clang: configure with CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
endif()
