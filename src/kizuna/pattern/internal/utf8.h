// Kizuna. UTF-8 helpers for the pattern module.
#pragma once

// Thread-safety: stateless.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kizuna::pattern_internal {

// Decodes the code point starting at text[pos]. Returns its length in bytes (1..4) and sets
// `cp`, or returns 0 for an invalid or truncated sequence (overlong forms and surrogates are
// invalid).
size_t DecodeUtf8(std::string_view text, size_t pos, uint32_t& cp);

// Returns true if `text` is entirely valid UTF-8.
bool IsValidUtf8(std::string_view text);

// Returns true if every byte of `text` is ASCII.
bool IsAscii(std::string_view text);

// Appends code point `cp` (<= 0x10FFFF, not a surrogate) as UTF-8.
void AppendUtf8(uint32_t cp, std::string& out);

// If `text` is valid UTF-8 whose code points are all below U+0100, sets `latin1` to those
// code points as bytes and returns true; otherwise returns false. STIX compares a string
// constant with binary data this way (§9.6.3).
bool Utf8ToLatin1(std::string_view text, std::string& latin1);

// Sets `utf8` to the text whose code points are the bytes of `latin1` (U+0000..U+00FF): how
// LIKE reads a binary value (STIX 2.1 §9.6.4). Such text is always valid UTF-8 and in NFC.
void Latin1ToUtf8(std::string_view latin1, std::string& utf8);

}  // namespace kizuna::pattern_internal
