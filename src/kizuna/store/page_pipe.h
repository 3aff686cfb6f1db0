// Kizuna. Reading a collection's pages on a thread of their own while the caller works on
// the pages before.
#pragma once

// A reader of a whole collection (an export, the detection compiler) spends about as long
// reading entries as working on them; PagePipe overlaps the two. Its thread calls `read` for
// each page after the one before (request.after = page.next), into a page the caller handed
// back (Done), so that entries cost no allocation once the first pages are made; at most
// kAhead pages wait to be taken. It stops at the last page (more false), at an error (kept
// for status()), or when destroyed.
//
//   store::PagePipe pipe([&](const store::PageRequest& r, store::Page& p) {
//     return store.GetObjectsInto(collection, r, store::WithJson::kYes, p);
//   }, request);
//   while (std::optional<store::Page> page = pipe.Next()) { ...; pipe.Done(std::move(*page)); }
//   KZ_RETURN_IF_ERROR(pipe.status());
//
// Thread-safety: Next, Done and status are called by one thread (the caller's); `read` runs
// on the pipe's thread, so what it reads must be safe to read from another thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

class PagePipe {
 public:
  static constexpr size_t kAhead = 2;
  using ReadFn = std::function<absl::Status(const PageRequest& request, Page& page)>;

  // Starts reading from `request` on.
  PagePipe(ReadFn read, PageRequest request);
  // Stops the thread, after the page it is reading.
  ~PagePipe();
  PagePipe(const PagePipe&) = delete;
  PagePipe& operator=(const PagePipe&) = delete;

  // The next page, in order; nullopt after the last one or an error (see status()).
  std::optional<Page> Next();
  // Hands a page back for the thread to read a later one into.
  void Done(Page&& page);
  // The read's error, once Next returned nullopt; OK otherwise.
  absl::Status status();

 private:
  void Run(PageRequest request);

  ReadFn read_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Page> pages_;  // guarded by mu_, as are the four below
  std::deque<Page> spent_;
  bool done_ = false;
  bool stopped_ = false;
  absl::Status status_;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace kizuna::store
