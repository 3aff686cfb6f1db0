// Kizuna. Plain indicator lists and sightings, the other things that come in.
#pragma once

// Both end in an Importer (importer.h), so what they produce is checked, counted and added
// like any imported object:
//   - ImportFeed converts a plain list (one value a line, or CSV; detect/feed.h) into STIX
//     indicators and imports the version each value gets (feed_lifecycle.h: an unchanged
//     value adds nothing); a value no pattern fits is a rejection of the import, with its
//     line and reason;
//   - AddSightings turns the matcher's sighting entries (detect/sightings.h) into STIX
//     sightings and imports them.
// Thread-safety: as the Importer (one thread per importer).

#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/detect/feed.h"
#include "kizuna/detect/sightings.h"
#include "kizuna/ingest/feed_lifecycle.h"
#include "kizuna/ingest/importer.h"

namespace kizuna::ingest {

// Converts `text`, the list `name` (a file name), and imports the indicators with `importer`,
// counting `text` as one file of the import (an empty list too: it adds nothing). Records
// the ids it imports and the feed in `ledger` when not null (for RevokeUnlisted). Returns
// the feed's counts in `result` (values, indicators, skipped, duplicates). Errors: a CSV
// without a value column, and the store's and the importer's.
absl::Status ImportFeed(Importer& importer, std::string_view name, std::string_view text,
                        const detect::FeedOptions& options, detect::FeedResult* result = nullptr,
                        FeedLedger* ledger = nullptr);

// Imports the sightings of `entries`, sighted by organisation `identity`, with `importer`;
// each carries `marking` when not empty (detect::SightingJson).
absl::Status AddSightings(Importer& importer, std::span<const detect::SightingAggregator::Entry> entries,
                          std::string_view identity, std::string_view marking = {});

}  // namespace kizuna::ingest
