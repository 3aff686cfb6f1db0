// Kizuna. What the audit log records of peers and feeds, and the name a feed's secret is sealed
// under: the same for every store (a copied store's secrets open, its audit log reads alike);
// not for other modules.
#pragma once

// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "kizuna/store/feeds.h"
#include "kizuna/store/identity.h"
#include "kizuna/store/peers.h"

namespace kizuna::store {

// An audit event of `action` by `actor` on `target` at `time_us` (details "{}").
AuditEvent FederationEvent(int64_t time_us, std::string_view actor, std::string_view action,
                           std::string_view target);

// A peer's settings as a JSON object's text, never its secret ("peer.update").
std::string PeerSettingsDetails(const Peer& p);
// Its settings and mappings ("peer.add").
std::string PeerDetails(const Peer& p);
// A feed's settings, never its secret ("feed.add").
std::string FeedDetails(const Feed& f);

// The name a feed's secret is sealed under (peer_tokens.h), apart from the peers'.
std::string FeedSealName(std::string_view feed);

}  // namespace kizuna::store
