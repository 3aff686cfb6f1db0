// Kizuna. Reading a collection's pages on a thread of their own while the caller works on
// the pages before.
#pragma once

// A reader of a whole collection (an export, the detection compiler) spends about as long
// reading entries as working on them; PagePipe overlaps the two (base/read_ahead.h). Its
// thread calls `read` for each page after the one before (request.after = page.next), into
// a page the caller handed back (Done), so that entries cost no allocation once the first
// pages are made; at most kAhead pages wait to be taken. It stops at the last page (more
// false), at an error (kept for status()), or when destroyed.
//
//   store::PagePipe pipe([&](const store::PageRequest& r, store::Page& p) {
//     return store.GetObjectsInto(collection, r, store::WithJson::kYes, p);
//   }, request);
//   while (std::optional<store::Page> page = pipe.Next()) { ...; pipe.Done(std::move(*page)); }
//   KZ_RETURN_IF_ERROR(pipe.status());
//
// Thread-safety: Next, Done and status are called by one thread (the caller's); `read` runs
// on the pipe's thread, so what it reads must be safe to read from another thread.

#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "kizuna/base/read_ahead.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

class PagePipe {
 public:
  static constexpr size_t kAhead = 2;
  using ReadFn = std::function<absl::Status(const PageRequest& request, Page& page)>;

  // Starts reading from `request` on.
  PagePipe(ReadFn read, PageRequest request);

  // The next page, in order; nullopt after the last one or an error (see status()).
  std::optional<Page> Next() { return pages_.Next(); }
  // Hands a page back for the thread to read a later one into.
  void Done(Page&& page) { pages_.Done(std::move(page)); }
  // The read's error, once Next returned nullopt; OK otherwise.
  absl::Status status() { return pages_.status(); }

 private:
  ReadAhead<Page> pages_;
};

}  // namespace kizuna::store
