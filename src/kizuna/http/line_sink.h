// Kizuna. Where the access log goes: standard error, or a file appended to, a line at a time.
#pragma once

// The server hands each access-log line to ServerOptions::access_log; a LineSink writes them
// whole, one writer at a time, with a newline, and flushes each (a line is on its way to the
// file when the request is answered; the log is for people and tools that tail it).
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<LineSink> sink,
//   LineSink::Open("/var/log/kizuna/access.log")); options.access_log = sink->Writer();   // the
//   sink must outlive the server
//
// Thread-safety: the writer may be called from any thread.

#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::http {

class LineSink {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Opens `target`: "-" is standard error, anything else a file appended to (created 0600:
  // the log names users and their addresses). Returns Unavailable naming the file when it
  // cannot be opened.
  static absl::StatusOr<std::unique_ptr<LineSink>> Open(const std::string& target);

  // Use Open.
  LineSink(Private, std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  ~LineSink();
  LineSink(const LineSink&) = delete;
  LineSink& operator=(const LineSink&) = delete;

  // A function that writes one line (a newline is added). Valid while the sink lives.
  std::function<void(std::string_view)> Writer();

 private:
  std::mutex mu_;
  std::FILE* const file_;
  const bool owned_;
};

}  // namespace kizuna::http
