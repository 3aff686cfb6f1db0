# Warnings are errors in our own code. Third-party headers come from /usr/include and are
# treated as system headers by the compiler, so their warnings do not stop the build.
function(kizuna_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough -Werror)
endfunction()
