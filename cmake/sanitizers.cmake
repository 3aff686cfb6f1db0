# KIZUNA_SANITIZE=address,undefined adds -fsanitize to every target.
if(KIZUNA_SANITIZE)
  add_compile_options(-fsanitize=${KIZUNA_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${KIZUNA_SANITIZE})
endif()
