// Kizuna.
#include "kizuna/store/sqlite/text_rank.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "kizuna/base/strings.h"

namespace kizuna::store::sqlite_internal {
namespace {

// FTS5's bm25 constants (sqlite.org/fts5.html, "The bm25() function").
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

// What one query's ranking computes once (FTS5 auxiliary data, freed with the query).
struct RankData {
  RankData() = default;
  RankData(const RankData&) = delete;
  RankData& operator=(const RankData&) = delete;
  ~RankData() { sqlite3_blob_close(docsize); }  // a no-op on nullptr

  double avgdl = 1;
  std::vector<double> idf;   // per phrase
  std::vector<double> freq;  // per phrase, the row being ranked
  // The lengths of the entries: a handle on kDocsizeTable's `sz`, moved from row to row (one
  // b-tree seek each) instead of FTS5's per-row statement (xColumnSize). Opened at the first
  // row; when it cannot be (or a row is not there), `docsize_failed` and xColumnSize is used.
  sqlite3_blob* docsize = nullptr;
  bool docsize_failed = false;
};

// FTS5's table of each entry's length in tokens, per column: the `sz` blob of kDocsizeTable
// holds one varint per column (SQLite's varint: 7 bits a byte, high bit set on all but the
// last; a ninth byte carries 8 bits). kizuna_rank() ranks search_text only (text_rank.h).
constexpr const char* kDocsizeTable = "search_text_docsize";
constexpr int kMaxDocsizeBytes = 64;

// The sum of the varints of `bytes` (a docsize blob), or -1 when one is cut short.
int64_t SumOfVarints(const unsigned char* bytes, int size) {
  int64_t sum = 0;
  for (int at = 0; at < size;) {
    uint64_t v = 0;
    int i = 0;
    for (;; ++i) {
      if (at + i >= size) return -1;
      const unsigned char b = bytes[at + i];
      if (i == 8) {
        v = (v << 8) | b;
        break;
      }
      v = (v << 7) | (b & 0x7f);
      if ((b & 0x80) == 0) break;
    }
    at += i + 1;
    sum += static_cast<int64_t>(v & 0x7fffffff);  // FTS5 reads each as a 32-bit count
  }
  return sum;
}

// The entry's length in tokens (every column), read through `data->docsize`; nullopt when
// it cannot be (then xColumnSize answers).
std::optional<int64_t> DocsizeLength(sqlite3* db, sqlite3_int64 rowid, RankData& data) {
  if (data.docsize_failed) return std::nullopt;
  int rc = data.docsize == nullptr
               ? sqlite3_blob_open(db, "main", kDocsizeTable, "sz", rowid, 0, &data.docsize)
               : sqlite3_blob_reopen(data.docsize, rowid);
  unsigned char bytes[kMaxDocsizeBytes];
  const int size = rc == SQLITE_OK ? sqlite3_blob_bytes(data.docsize) : 0;
  if (rc == SQLITE_OK && size > 0 && size <= kMaxDocsizeBytes)
    rc = sqlite3_blob_read(data.docsize, bytes, size, 0);
  const int64_t sum =
      rc == SQLITE_OK && size > 0 && size <= kMaxDocsizeBytes ? SumOfVarints(bytes, size) : -1;
  if (sum < 0) {
    data.docsize_failed = true;  // xColumnSize from here on; the handle is closed with `data`
    return std::nullopt;
  }
  return sum;
}

struct PhraseCount {
  int64_t n = 0;
};

int CountPhrase(const Fts5ExtensionApi*, Fts5Context*, void* arg) {
  auto* c = static_cast<PhraseCount*>(arg);
  return ++c->n >= kMaxCountedPerPhrase ? SQLITE_DONE : SQLITE_OK;
}

void FreeRankData(void* p) {
  std::unique_ptr<RankData> owned(static_cast<RankData*>(p));  // FTS5 held it (xSetAuxdata)
}

// The data of the current query: computed at its first row.
int GetRankData(const Fts5ExtensionApi* api, Fts5Context* fts, RankData** out) {
  auto* data = static_cast<RankData*>(api->xGetAuxdata(fts, 0));
  if (data != nullptr) {
    *out = data;
    return SQLITE_OK;
  }
  auto owned = std::make_unique<RankData>();
  sqlite3_int64 rows = 0, tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc != SQLITE_OK) return rc;
  owned->avgdl = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1;
  if (owned->avgdl <= 0) owned->avgdl = 1;
  const int phrases = api->xPhraseCount(fts);
  owned->idf.assign(static_cast<size_t>(phrases), 1.0);
  owned->freq.assign(static_cast<size_t>(phrases), 0.0);
  for (int i = 0; phrases > 1 && i < phrases; ++i) {
    PhraseCount count;
    rc = api->xQueryPhrase(fts, i, &count, CountPhrase);
    if (rc != SQLITE_OK) return rc;
    const double n = static_cast<double>(count.n), total = static_cast<double>(rows);
    double idf = std::log((total - n + 0.5) / (n + 0.5));
    owned->idf[static_cast<size_t>(i)] = idf > 1e-6 ? idf : 1e-6;
  }
  data = owned.get();
  rc = api->xSetAuxdata(fts, owned.release(), FreeRankData);
  if (rc != SQLITE_OK) return rc;  // xSetAuxdata freed it
  *out = data;
  return SQLITE_OK;
}

void Rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int args,
          sqlite3_value**) {
  if (args != 0) {
    sqlite3_result_error(ctx, "kizuna_rank() takes no arguments", -1);
    return;
  }
  RankData* data = nullptr;
  int rc = GetRankData(api, fts, &data);
  int inst = 0;
  if (rc == SQLITE_OK) rc = api->xInstCount(fts, &inst);
  if (rc == SQLITE_OK) {
    std::fill(data->freq.begin(), data->freq.end(), 0.0);
    for (int i = 0; rc == SQLITE_OK && i < inst; ++i) {
      int phrase = 0, column = 0, offset = 0;
      rc = api->xInst(fts, i, &phrase, &column, &offset);
      if (rc == SQLITE_OK && phrase >= 0 && static_cast<size_t>(phrase) < data->freq.size()) {
        data->freq[static_cast<size_t>(phrase)] += 1.0;
      }
    }
  }
  int64_t length = 0;
  if (rc == SQLITE_OK) {
    std::optional<int64_t> stored =
        DocsizeLength(sqlite3_context_db_handle(ctx), api->xRowid(fts), *data);
    if (stored) {
      length = *stored;
    } else {
      int columns = 0;
      rc = api->xColumnSize(fts, -1, &columns);
      length = columns;
    }
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  const double norm = kK1 * (1 - kB + kB * static_cast<double>(length) / data->avgdl);
  double score = 0;
  for (size_t i = 0; i < data->freq.size(); ++i) {
    const double f = data->freq[i];
    score += data->idf[i] * (f * (kK1 + 1)) / (f + norm);
  }
  sqlite3_result_double(ctx, -score);
}

}  // namespace

absl::Status AddTextRankFunction(Connection& db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), "SELECT fts5(?1)", -1, &st, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK || api == nullptr || api->iVersion < 2) {
    return absl::InternalError(
        StrCat("cannot register kizuna_rank() with FTS5: ", sqlite3_errstr(rc)));
  }
  rc = api->xCreateFunction(api, "kizuna_rank", nullptr, Rank, nullptr);
  if (rc != SQLITE_OK) {
    return absl::InternalError(
        StrCat("cannot register kizuna_rank() with FTS5: ", sqlite3_errstr(rc)));
  }
  return absl::OkStatus();
}

}  // namespace kizuna::store::sqlite_internal
