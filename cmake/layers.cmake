# One static library per subsystem folder of src/kizuna, with the folders it builds on.
#
#   kizuna_layer(store DEPENDS identity stix)
#
# makes `kizuna_store` from the folder's sources (added with target_sources), linked to
# `kizuna_identity` and `kizuna_stix` (and so to what they build on: `kizuna_base`) and to
# nothing above them: a call into a folder not declared fails to link in the folder's tests,
# and scripts/check_layers.py, run by scripts/banned_symbols.sh, fails on an #include of
# a folder not declared or of another folder's internal/. DEPENDS is read by that script
# too: it is the one statement of the layering (docs/ARCHITECTURE.md draws it).
function(kizuna_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "DEPENDS")
  add_library(kizuna_${name} STATIC)
  target_include_directories(kizuna_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  foreach(dep IN LISTS ARG_DEPENDS)
    target_link_libraries(kizuna_${name} PUBLIC kizuna_${dep})
  endforeach()
  kizuna_warnings(kizuna_${name})
  kizuna_pch(kizuna_${name} LIBRARY)
  target_link_libraries(kizuna INTERFACE kizuna_${name})
endfunction()
