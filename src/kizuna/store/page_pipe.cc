// Kizuna.
#include "kizuna/store/page_pipe.h"

#include <utility>

namespace kizuna::store {

PagePipe::PagePipe(ReadFn read, PageRequest request)
    : pages_(
          [read = std::move(read), request = std::move(request)](Page& page) mutable -> absl::StatusOr<ReadOutcome> {
            if (absl::Status s = read(request, page); !s.ok()) return s;
            if (!page.more) return ReadOutcome::kLast;
            request.after = page.next;
            return ReadOutcome::kMore;
          },
          kAhead) {}

}  // namespace kizuna::store
