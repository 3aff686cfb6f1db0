// Kizuna.
#include "kizuna/store/page_pipe.h"

#include <utility>

namespace kizuna::store {

PagePipe::PagePipe(ReadFn read, PageRequest request)
    : read_(std::move(read)), thread_([this, request] { Run(request); }) {}

PagePipe::~PagePipe() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void PagePipe::Run(PageRequest request) {
  for (;;) {
    Page page;
    {
      std::lock_guard lock(mu_);
      if (!spent_.empty()) {
        page = std::move(spent_.front());
        spent_.pop_front();
      }
    }
    absl::Status read = read_(request, page);
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return pages_.size() < kAhead || stopped_; });
    if (stopped_) return;
    if (!read.ok()) {
      status_ = read;
      done_ = true;
      cv_.notify_all();
      return;
    }
    const bool more = page.more;
    request.after = page.next;
    pages_.push_back(std::move(page));
    done_ = !more;
    cv_.notify_all();
    if (!more) return;
  }
}

std::optional<Page> PagePipe::Next() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !pages_.empty() || done_; });
  if (pages_.empty()) return std::nullopt;
  Page page = std::move(pages_.front());
  pages_.pop_front();
  cv_.notify_all();
  return page;
}

void PagePipe::Done(Page&& page) {
  std::lock_guard lock(mu_);
  spent_.push_back(std::move(page));
}

absl::Status PagePipe::status() {
  std::lock_guard lock(mu_);
  return status_;
}

}  // namespace kizuna::store
