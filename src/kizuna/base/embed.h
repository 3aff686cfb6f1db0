// Kizuna. KZ_EMBED: a file of the source tree built into the binary as constant bytes.
#pragma once

// At namespace scope, outside any namespace:
//
//   KZ_EMBED(kizuna_brief_html, KIZUNA_REPORT_ASSETS "/brief.html")
//   std::string_view BriefTemplate() { return {kizuna_brief_html, kizuna_brief_html_end}; }
//
// defines `name` and `name##_end` around the file's bytes (the assembler's .incbin, read at
// build time; the CMakeLists names the file in the source's OBJECT_DEPENDS so a change
// rebuilds it), followed by a NUL. Pages made from embedded files need nothing at run time.
// Thread-safety: constant data.

#define KZ_EMBED(name, path)                                                                  \
  __asm__(".section .rodata\n.global " #name "\n.balign 16\n" #name ":\n.incbin \"" path     \
          "\"\n.global " #name "_end\n" #name "_end:\n.byte 0\n.previous\n");              \
  extern "C" const char name[];                                                               \
  extern "C" const char name##_end[];
