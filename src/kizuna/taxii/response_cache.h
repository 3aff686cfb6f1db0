// Kizuna. Responses of the reading endpoints, kept for a moment while nothing changes.
#pragma once

// The responses to GET objects, manifest, an object and its versions are pages of the store
// filtered by the releasability policy for one caller: building one costs a store query, a
// policy decision per version and the JSON. Clients poll the same pages over and over (the
// first page, the page after their cursor), so the service keeps 200 responses, keyed by
// caller (the whole principal) and request target, and stamped with:
//   - the local change counts of the store and the directory, read *before* the response is
//     built: a response is never served after a change made through this process (a POST,
//     a delete, a pull, a grant), so writers read their writes;
//   - the time it was built: a response is served for at most `max_age_us`, which bounds how
//     long a change made by another process (`kizuna import`, `kizuna admin`) or a refresh
//     of the policy's own caches (organisations, unknown markings) takes to show.
// A lookup with another change stamp misses, and a newer stamp empties the cache; when the
// bodies kept exceed `max_bytes` it empties too.
// Thread-safety: safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/http/message.h"

namespace kizuna::taxii {

struct ChangeStamp {
  int64_t store = 0;      // store::Store::LocalContentChanges()
  int64_t directory = 0;  // store::Directory::LocalChanges()
  bool operator==(const ChangeStamp&) const = default;
};

struct ResponseCacheOptions {
  size_t max_bytes = 64 << 20;   // bodies kept at most; 0 disables the cache
  int64_t max_age_us = 1'000'000;
};

class ResponseCache {
 public:
  explicit ResponseCache(ResponseCacheOptions options) : options_(options) {}
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // Returns the response kept under `key` for `stamp` and younger than max_age at `now_us`,
  // or null.
  std::shared_ptr<const http::Response> Find(const std::string& key, ChangeStamp stamp, int64_t now_us);

  // Keeps `response`, built at `built_us` from state no older than `stamp`. The response is
  // shared, not copied: a kept body goes out to every caller from the same bytes.
  void Put(std::string key, ChangeStamp stamp, int64_t built_us, std::shared_ptr<const http::Response> response);

 private:
  struct Entry {
    std::shared_ptr<const http::Response> response;
    int64_t built_us = 0;
  };

  const ResponseCacheOptions options_;
  absl::Mutex mu_;
  ChangeStamp stamp_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::taxii
