# Warnings are errors in our own code. Third-party headers come from /usr/include and are
# treated as system headers by the compiler, so their warnings do not stop the build.
# Exception: GCC 12 reports -Wdangling-pointer and -Wmaybe-uninitialized false positives in
# simdjson.h's simdjson_result accessors once they are inlined into our code at -O2 (the
# RelWithDebInfo and Release builds), so those two are off for GCC.
function(kizuna_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough -Werror
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-dangling-pointer>
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endfunction()
