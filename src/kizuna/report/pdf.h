// Kizuna. The brief as PDF, printed by headless Chromium (Debian's `chromium`).
#pragma once

// PrintPdf runs Chromium once, headless, on the brief's HTML file, with a fresh profile in a
// temporary directory and every background service off (no network: the page is
// self-contained), and waits for it within a time limit. The page's print styles put the TLP
// banner and page numbers on every page (html.h).
//
//   KZ_RETURN_IF_ERROR(PrintPdf("brief.html", "brief.pdf", {}));
//
// Thread-safety: stateless; each call runs its own browser.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kizuna::report {

struct PdfOptions {
  std::string chromium = "/usr/bin/chromium";
  // Longest the browser may take; it is killed after. Default 60 s (a first start of
  // Chromium on a small machine takes a few seconds, a large brief a few more).
  int64_t timeout_ms = 60'000;
};

// Prints `html_path` to `pdf_path`. FailedPrecondition when the browser is not installed
// (naming the path and the package); DeadlineExceeded after the time limit; Internal when
// it fails or writes no PDF.
absl::Status PrintPdf(const std::string& html_path, const std::string& pdf_path, const PdfOptions& options);

// Prints the page `html` (as RenderBrief draws it) in a temporary directory of its own and
// returns the PDF's bytes; the directory is removed. Errors: PrintPdf's; Internal when the
// directory or files cannot be made or read; ResourceExhausted when the PDF is larger than
// `max_bytes`.
absl::StatusOr<std::string> PrintPdfOf(std::string_view html, const PdfOptions& options, uint64_t max_bytes);

}  // namespace kizuna::report
