# Warnings are errors in our own code. Third-party headers come from /usr/include and are
# treated as system headers by the compiler, so their warnings do not stop the build.
# -Wshadow=local is GCC's spelling; clang (the fuzz build) does not know it.
function(kizuna_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough -Werror)
endfunction()
