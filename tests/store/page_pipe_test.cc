// Kizuna.
#include "kizuna/store/page_pipe.h"

#include <atomic>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace kizuna::store {
namespace {

// A collection of `pages` pages of two objects each, numbered 0, 1, ...: the page after
// cursor n (after_date_added_us) holds objects 2n and 2n+1.
struct FakeReader {
  int64_t pages = 0;
  int64_t fail_at = -1;           // the page whose read fails
  std::atomic<int> reads = 0;
  std::atomic<int> reused = 0;    // reads into a page handed back (objects already there)

  absl::Status operator()(const PageRequest& request, Page& page) {
    ++reads;
    const int64_t n = request.after ? request.after->after_date_added_us : 0;
    if (n == fail_at) return absl::DataLossError("page broken");
    if (!page.objects.empty()) ++reused;
    page.objects.resize(2);
    for (int64_t i = 0; i < 2; ++i) page.objects[i].id = std::to_string(2 * n + i);
    page.more = n + 1 < pages;
    page.next.after_date_added_us = n + 1;
    return absl::OkStatus();
  }
};

TEST(PagePipeTest, PagesComeInOrderAndPagesHandedBackAreReadInto) {
  FakeReader reader{.pages = 20};
  std::vector<std::string> ids;
  {
    PagePipe pipe([&](const PageRequest& r, Page& p) { return reader(r, p); }, PageRequest{});
    while (std::optional<Page> page = pipe.Next()) {
      for (const StoredObject& o : page->objects) ids.push_back(o.id);
      pipe.Done(std::move(*page));
    }
    EXPECT_TRUE(pipe.status().ok());
  }
  ASSERT_EQ(ids.size(), 40u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], std::to_string(i));
  EXPECT_EQ(reader.reads.load(), 20);
  EXPECT_GT(reader.reused.load(), 0);
}

TEST(PagePipeTest, AReadErrorEndsThePagesAfterThoseReadBefore) {
  FakeReader reader{.pages = 10, .fail_at = 3};
  PagePipe pipe([&](const PageRequest& r, Page& p) { return reader(r, p); }, PageRequest{});
  int pages = 0;
  while (std::optional<Page> page = pipe.Next()) ++pages;
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(pipe.status().code(), absl::StatusCode::kDataLoss);
}

TEST(PagePipeTest, APipeLeftBeforeItsEndStopsItsThread) {
  FakeReader reader{.pages = 1'000'000};
  {
    PagePipe pipe([&](const PageRequest& r, Page& p) { return reader(r, p); }, PageRequest{});
    ASSERT_TRUE(pipe.Next().has_value());
  }  // the destructor returns: the thread waits for room, sees the stop, and ends
  EXPECT_LE(reader.reads.load(), static_cast<int>(PagePipe::kAhead) + 2);
}

}  // namespace
}  // namespace kizuna::store
