// Kizuna.
#include "kizuna/detect/snapshot.h"

#include <cstring>

#include "kizuna/base/strings.h"

namespace kizuna::detect {
namespace {

constexpr std::string_view kPrefix = "indicator--";

// Hex digit values; 0xFF for every other byte.
constexpr std::array<uint8_t, 256> kHexValues = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xFF);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<uint8_t>(c - 'A' + 10);
  return t;
}();

// Where the two hex digits of each byte are in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
constexpr std::array<uint8_t, 16> kByteAt = {0,  2,  4,  6,  9,  11, 14, 16,
                                             19, 21, 24, 26, 28, 30, 32, 34};

}  // namespace

bool ParseIndicatorUuid(std::string_view id, Uuid& out) {
  if (id.size() != kPrefix.size() + 36 || !id.starts_with(kPrefix)) return false;
  const char* u = id.data() + kPrefix.size();
  if (u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-') return false;
  uint8_t bad = 0;  // 0xFF seen
  for (size_t i = 0; i < 16; ++i) {
    const uint8_t hi = kHexValues[static_cast<unsigned char>(u[kByteAt[i]])];
    const uint8_t lo = kHexValues[static_cast<unsigned char>(u[kByteAt[i] + 1])];
    bad |= hi | lo;
    out[i] = static_cast<uint8_t>(hi << 4 | (lo & 15));
  }
  return (bad & 0xF0) == 0;
}

std::string FormatIndicatorId(const Uuid& uuid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kPrefix.size() + 36, '-');
  std::memcpy(out.data(), kPrefix.data(), kPrefix.size());
  char* u = out.data() + kPrefix.size();
  for (size_t i = 0; i < 16; ++i) {
    u[kByteAt[i]] = kHex[uuid[i] >> 4];
    u[kByteAt[i] + 1] = kHex[uuid[i] & 15];
  }
  return out;
}

std::string Snapshot::IndicatorId(uint32_t i) const { return FormatIndicatorId(ids_[i]); }

SnapshotBuilder::SnapshotBuilder(uint64_t seed)
    : seed_(seed), snapshot_(std::make_unique<Snapshot>(Snapshot::PrivateTag{})) {}

absl::StatusOr<uint32_t> SnapshotBuilder::AddIndicator(std::string_view id) {
  Uuid uuid;
  if (!ParseIndicatorUuid(id, uuid)) {
    return absl::InvalidArgumentError(StrCat("'", id, "' is not an indicator id"));
  }
  return AddIndicator(uuid);
}

absl::StatusOr<uint32_t> SnapshotBuilder::AddIndicator(const Uuid& uuid) {
  if (snapshot_->ids_.size() >= kMaxIndicators) {
    return absl::ResourceExhaustedError(StrCat("more than ", kMaxIndicators, " indicators"));
  }
  snapshot_->ids_.push_back(uuid);
  return static_cast<uint32_t>(snapshot_->ids_.size() - 1);
}

void SnapshotBuilder::AddKeys(uint32_t indicator, const std::vector<SimpleKey>& keys) {
  Snapshot& s = *snapshot_;
  ++s.stats_.simple;
  s.stats_.keys += keys.size();
  for (const SimpleKey& k : keys) {
    switch (k.kind) {
      case SimpleKey::Kind::kString:
        strings_.Add(static_cast<uint8_t>(k.slot), k.text, kExact, indicator);
        s.string_slots_ |= 1u << static_cast<int>(k.slot);
        break;
      case SimpleKey::Kind::kSuffix:
        strings_.Add(static_cast<uint8_t>(Slot::kDomain), k.text, kSuffix, indicator);
        s.string_slots_ |= 1u << static_cast<int>(Slot::kDomain);
        s.has_suffixes_ = true;
        break;
      case SimpleKey::Kind::kIpv4:
        ipv4_.Add(k.v4, indicator);
        break;
      case SimpleKey::Kind::kBlock:
        if (k.block.v6) {
          v6_blocks_.Add(MaskV6(k.block.v6_address, k.block.prefix), k.block.prefix, indicator);
        } else {
          v4_blocks_.Add(MaskV4(k.block.v4, k.block.prefix), k.block.prefix, indicator);
        }
        break;
      case SimpleKey::Kind::kNetDst:
        if (ParseIpv4(k.text)) {
          netdst_v4_.Add((uint64_t{k.v4} << 32) | k.port, indicator);
        } else {
          scratch_ = StrCat(k.text, "|", k.port);
          strings_.Add(static_cast<uint8_t>(Slot::kNetDst), scratch_, kExact, indicator);
          s.string_slots_ |= 1u << static_cast<int>(Slot::kNetDst);
        }
        break;
    }
  }
}

void SnapshotBuilder::AddPattern(uint32_t indicator,
                                 std::shared_ptr<const pattern::Pattern> pattern) {
  Snapshot& s = *snapshot_;
  if (pattern->requirements().single_observation) {
    ++s.stats_.evaluated;
    for (const std::string& type : pattern->requirements().root_types) {
      s.pattern_type_mask_ |= pattern::Observation::TypeBit(pattern::Observation::TypeHash(type));
    }
  } else {
    ++s.stats_.multi;
  }
  patterns_.Add(std::move(pattern));
  s.pattern_indicator_.push_back(indicator);
}

void SnapshotBuilder::SetTimes(int64_t selected_at_us, int64_t next_change_us) {
  snapshot_->selected_at_us_ = selected_at_us;
  snapshot_->next_change_us_ = next_change_us;
}

std::unique_ptr<const Snapshot> SnapshotBuilder::Build() && {
  Snapshot& s = *snapshot_;
  s.strings_ = std::move(strings_).Build(seed_, s.lists_);
  s.ipv4_ = std::move(ipv4_).Build(seed_, s.lists_);
  s.netdst_v4_ = std::move(netdst_v4_).Build(seed_, s.lists_);
  s.v4_blocks_ = std::move(v4_blocks_).Build(s.lists_);
  s.v6_blocks_ = std::move(v6_blocks_).Build(s.lists_);
  if (!s.pattern_indicator_.empty()) s.patterns_ = std::move(patterns_).Build();
  if (s.patterns_ != nullptr && !s.patterns_->multi_observation().empty()) {
    s.correlations_ = CorrelationSet::Build(*s.patterns_, &s.stats_.uncorrelated);
  }
  s.lists_.ShrinkToFit();
  s.ids_.shrink_to_fit();
  s.stats_.indicators = s.ids_.size();
  s.stats_.lookup_bytes = s.ids_.capacity() * sizeof(Uuid) + s.lists_.bytes() +
                          s.strings_.bytes() + s.ipv4_.bytes() + s.netdst_v4_.bytes() +
                          s.v4_blocks_.bytes() + s.v6_blocks_.bytes();
  return std::move(snapshot_);
}

}  // namespace kizuna::detect
