// Kizuna. Named limits on every input, with their defaults.
#pragma once

// Every input Kizuna reads is bounded before anything is allocated for it. Each limit here is
// a default; the options structs of the readers and servers copy it and may override it.
// Thread-safety: constants only.

#include <cstddef>
#include <cstdint>

namespace kizuna::limits {

// Largest single STIX object, in bytes of JSON. ATT&CK's largest objects are ~60 KB; real
// reports with embedded artifacts can reach megabytes. Larger objects are rejected with an
// error naming the object, not truncated.
inline constexpr size_t kMaxObjectBytes = 16 * 1024 * 1024;

// Largest input document (bundle file, JSON-lines file, TAXII envelope) read as one buffer.
// Files beyond this are rejected before reading.
inline constexpr uint64_t kMaxDocumentBytes = 4ull * 1024 * 1024 * 1024;

// Deepest JSON nesting accepted in an object. STIX objects rarely exceed 8 levels; the limit
// stops stack and memory exhaustion from hostile input such as 10,000 nested arrays.
inline constexpr size_t kMaxJsonDepth = 64;

// Longest JSON line accepted in JSON-lines input (one object per line).
inline constexpr size_t kMaxLineBytes = kMaxObjectBytes;

// Longest string property value accepted in a STIX object (a 100 MB string is rejected).
inline constexpr size_t kMaxStringBytes = 8 * 1024 * 1024;

// Most object markings, and most granular markings, one object may carry. Every read decides
// each of them, so thousands on every object of a collection would slow every reader of it;
// real objects carry a handful (a TLP level, a REL TO list, recipients).
inline constexpr size_t kMaxMarkingRefs = 100;

// Objects per store transaction during bulk import: large enough to amortise the commit's
// fsync, small enough that a crash loses at most one uncommitted batch.
inline constexpr size_t kImportBatchObjects = 10000;

}  // namespace kizuna::limits
