// Kizuna.
#include "kizuna/detect/matcher.h"

#include <algorithm>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/text.h"

namespace kizuna::detect {
namespace {

bool HasSlot(const Snapshot& s, Slot slot) {
  return (s.string_slots() >> static_cast<int>(slot)) & 1;
}

// Roles that probe one string slot as they are.
std::optional<Slot> DirectSlot(Role role) {
  switch (role) {
    case Role::kUrl: return Slot::kUrl;
    case Role::kHttpUri: return Slot::kHttpRequest;
    case Role::kHttpMethod: return Slot::kHttpMethod;
    case Role::kUserAgent: return Slot::kUserAgent;
    case Role::kFileName: return Slot::kFileName;
    case Role::kMd5: return Slot::kFileMd5;
    case Role::kSha1: return Slot::kFileSha1;
    case Role::kSha256: return Slot::kFileSha256;
    case Role::kSha512: return Slot::kFileSha512;
    case Role::kX509Md5: return Slot::kX509Md5;
    case Role::kX509Sha1: return Slot::kX509Sha1;
    case Role::kX509Sha256: return Slot::kX509Sha256;
    case Role::kX509Serial: return Slot::kX509Serial;
    default: return std::nullopt;
  }
}

// Sorts each record's run of matches by indicator and drops repeats, keeping the first
// match (the first field that produced it) of each indicator.
void Dedupe(std::vector<Match>& out, size_t from) {
  size_t w = from;
  for (size_t i = from; i < out.size();) {
    size_t j = i;
    while (j < out.size() && out[j].record == out[i].record) ++j;
    const auto by_indicator = [](const Match& a, const Match& b) {
      return a.indicator < b.indicator;
    };
    if (j - i <= 16) {
      // The usual few matches: an insertion sort, stable and without allocating.
      for (size_t k = i + 1; k < j; ++k) {
        const Match m = out[k];
        size_t at = k;
        for (; at > i && by_indicator(m, out[at - 1]); --at) out[at] = out[at - 1];
        out[at] = m;
      }
    } else {
      std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(i),
                       out.begin() + static_cast<std::ptrdiff_t>(j), by_indicator);
    }
    for (size_t k = i; k < j; ++k) {
      if (k > i && out[k].indicator == out[k - 1].indicator) continue;
      out[w++] = out[k];
    }
    i = j;
  }
  out.resize(w);
}

}  // namespace

void BatchMatcher::AddString(const Snapshot& s, Slot slot, std::string_view value,
                             uint32_t record, uint16_t field) {
  if (!HasSlot(s, slot)) return;
  const uint64_t hash = s.strings().Hash(static_cast<uint8_t>(slot), value);
  s.strings().Prefetch(hash);
  Probe& p = NewProbe(ProbeKind::kString, slot, record, field);
  p.value = value;
  p.hash = hash;
}

bool BatchMatcher::AddIp(const Snapshot& s, std::string_view value, uint32_t record, uint16_t field,
                         uint32_t& v4) {
  // Most values are canonical IPv4 addresses: try that first (such text has no ':').
  if (std::optional<uint32_t> a = ParseIpv4(value)) {
    v4 = *a;
    if (!s.ipv4().empty() || !s.v4_blocks().empty()) {
      const uint64_t hash = s.ipv4().Hash(v4);
      s.ipv4().Prefetch(hash);
      Probe& p = NewProbe(ProbeKind::kIpv4, Slot::kIpv4, record, field);
      p.value = value;
      p.word = v4;
      p.hash = hash;
    }
    return true;  // a canonical address equals no other spelling
  }
  Slot slot;
  if (IpKind(value) == HostKind::kIpv4) {
    slot = Slot::kIpv4;
    AddString(s, Slot::kIpv4, value, record, field);
    if (s.v4_blocks().empty()) return false;
  } else {
    slot = Slot::kIpv6;
    AddString(s, Slot::kIpv6, value, record, field);
    if (s.v6_blocks().empty()) return false;
  }
  // A block ("a.b.c.d/n") or an IPv6 address: the ranges decide.
  std::optional<IpBlock> block = ParseIpBlock(value);
  if (!block || block->v6 != (slot == Slot::kIpv6)) return false;
  Probe& p = NewProbe(ProbeKind::kBlock, slot, record, field);
  p.value = value;
  p.block = static_cast<uint32_t>(blocks_.size());
  blocks_.push_back(*block);
  return false;
}

void BatchMatcher::AddDomain(const Snapshot& s, std::string_view value, uint32_t record,
                             uint16_t field) {
  if (!HasSlot(s, Slot::kDomain)) return;
  const std::string_view lower = LowerDomain(value, scratch_);
  if (lower.data() == scratch_.data()) value = text_.Copy(lower);
  AddString(s, Slot::kDomain, value, record, field);
  if (!s.has_suffixes()) return;
  // LIKE '%.suffix' holds when the NFC form (normalised as the evaluator does) ends with
  // "." + suffix: probe every suffix that follows a dot.
  std::string_view nfc = pattern::ToNfc(value, scratch_);
  if (nfc.data() == scratch_.data()) nfc = text_.Copy(nfc);
  for (size_t dot = nfc.find('.'); dot != std::string_view::npos; dot = nfc.find('.', dot + 1)) {
    const std::string_view suffix = nfc.substr(dot + 1);
    const uint64_t hash = s.strings().Hash(static_cast<uint8_t>(Slot::kDomain), suffix);
    s.strings().Prefetch(hash);
    Probe& p = NewProbe(ProbeKind::kSuffix, Slot::kDomain, record, field);
    p.value = suffix;
    p.whole = value;
    p.hash = hash;
  }
}

void BatchMatcher::AddProbes(const Snapshot& s, const RecordBatch& batch, uint32_t index) {
  const Record& record = batch.records[index];
  std::string_view dst, host, uri;
  uint16_t dst_field = 0;
  uint32_t dst_v4 = 0, v4 = 0;
  bool dst_is_v4 = false;  // dst is a canonical IPv4 address, dst_v4
  std::optional<uint32_t> dst_port;
  // The port is parsed only when some indicator names a destination address and port.
  const bool want_port = !s.netdst_v4().empty() || HasSlot(s, Slot::kNetDst);
  bool method = false, agent = false;
  bool has_url = false;
  for (const FieldValue& v : batch.ValuesOf(record)) {
    switch (v.role) {
      case Role::kDstIp:
        if (dst.empty()) {
          dst = v.value;
          dst_field = v.field;
          dst_is_v4 = AddIp(s, v.value, index, v.field, dst_v4);
        } else {
          AddIp(s, v.value, index, v.field, v4);
        }
        break;
      case Role::kSrcIp:
      case Role::kIp:
        AddIp(s, v.value, index, v.field, v4);
        break;
      case Role::kDstPort:
        if (want_port && !dst_port) dst_port = ParsePort(v.value);
        break;
      case Role::kHost:
        if (HostKindOf(v.value) == HostKind::kDomain) {
          AddDomain(s, v.value, index, v.field);
        } else {
          AddIp(s, v.value, index, v.field, v4);
        }
        break;
      case Role::kDomain:
        AddDomain(s, v.value, index, v.field);
        break;
      case Role::kHttpHost: {
        if (host.empty()) host = v.value;
        const std::string_view name = HostWithoutPort(v.value);
        if (HostKindOf(name) == HostKind::kDomain) {
          AddDomain(s, name, index, v.field);
        } else {
          AddIp(s, name, index, v.field, v4);
        }
        break;
      }
      case Role::kHttpUri:
        if (uri.empty()) {
          uri = v.value;
          AddString(s, Slot::kHttpRequest, v.value, index, v.field);
        }
        break;
      case Role::kHttpMethod:  // only the first goes into the request extension
        if (!method) AddString(s, Slot::kHttpMethod, v.value, index, v.field);
        method = true;
        break;
      case Role::kUserAgent:
        if (!agent) AddString(s, Slot::kUserAgent, v.value, index, v.field);
        agent = true;
        break;
      case Role::kUrl:
        has_url = true;
        AddString(s, Slot::kUrl, v.value, index, v.field);
        break;
      case Role::kEmail:
        AddString(s, Slot::kEmail, EmailAddressOf(v.value), index, v.field);
        break;
      default:
        if (std::optional<Slot> slot = DirectSlot(v.role)) {
          AddString(s, *slot, v.value, index, v.field);
        }
        break;
    }
  }
  if (!has_url && HasSlot(s, Slot::kUrl)) {
    std::string_view url = ComposeUrl(host, uri, scratch_);
    if (!url.empty()) {
      if (url.data() == scratch_.data()) url = text_.Copy(url);
      AddString(s, Slot::kUrl, url, index, 0xFFFF);
    }
  }
  if (dst.empty() || !dst_port) return;
  // A canonical IPv4 destination is looked up in netdst_v4 only (ParseIpv4 accepts nothing
  // else), any other spelling in the strings.
  if (dst_is_v4) {
    if (s.netdst_v4().empty()) return;
    const uint64_t word = (uint64_t{dst_v4} << 32) | *dst_port;
    const uint64_t hash = s.netdst_v4().Hash(word);
    s.netdst_v4().Prefetch(hash);
    Probe& p = NewProbe(ProbeKind::kNetDstV4, Slot::kNetDst, index, dst_field);
    p.value = dst;
    p.word = word;
    p.hash = hash;
  } else if (HasSlot(s, Slot::kNetDst)) {
    scratch_ = StrCat(dst, "|", *dst_port);
    AddString(s, Slot::kNetDst, text_.Copy(scratch_), index, dst_field);
  }
}

void BatchMatcher::Emit(const Snapshot& s, const Probe& p, Payload payload,
                        std::vector<Match>& out) {
  uint32_t one;
  for (uint32_t indicator : s.lists().Expand(payload, one)) {
    Match m;
    m.record = p.record;
    m.indicator = indicator;
    m.slot = p.slot;
    m.field = p.field;
    m.value = p.kind == ProbeKind::kSuffix ? p.whole : p.value;
    out.push_back(m);
  }
}

void BatchMatcher::RunProbe(const Snapshot& s, const Probe& p, std::vector<Match>& out) {
  switch (p.kind) {
    case ProbeKind::kString:
    case ProbeKind::kSuffix: {
      const uint8_t want = p.kind == ProbeKind::kString ? kExact : kSuffix;
      s.strings().ForEach(static_cast<uint8_t>(p.slot), p.value, p.hash,
                          [&](Payload payload, uint8_t flags) {
                            if (flags & want) Emit(s, p, payload, out);
                          });
      break;
    }
    case ProbeKind::kIpv4: {
      const uint32_t a = static_cast<uint32_t>(p.word);
      if (const Payload* payload = s.ipv4().Find(a, p.hash)) Emit(s, p, *payload, out);
      s.v4_blocks().ForEachContaining(a, 32, [&](Payload payload) { Emit(s, p, payload, out); });
      break;
    }
    case ProbeKind::kBlock: {
      const IpBlock& b = blocks_[p.block];
      if (b.v6) {
        s.v6_blocks().ForEachContaining(MaskV6(b.v6_address, b.prefix), b.prefix,
                                        [&](Payload payload) { Emit(s, p, payload, out); });
      } else {
        s.v4_blocks().ForEachContaining(MaskV4(b.v4, b.prefix), b.prefix,
                                        [&](Payload payload) { Emit(s, p, payload, out); });
      }
      break;
    }
    case ProbeKind::kNetDstV4:
      if (const Payload* payload = s.netdst_v4().Find(p.word, p.hash)) {
        Emit(s, p, *payload, out);
      }
      break;
  }
}

absl::Status BatchMatcher::MatchBatch(const Snapshot& s, const RecordBatch& batch,
                                 std::vector<detect::Match>& out) {
  const size_t from = out.size();
  probes_.clear();
  blocks_.clear();
  text_.Clear();
  for (uint32_t i = 0; i < batch.records.size(); ++i) AddProbes(s, batch, i);
  for (const Probe& p : probes_) RunProbe(s, p, out);

  absl::Status first_error;
  const pattern::PatternSet* patterns = s.patterns();
  if (patterns != nullptr && s.pattern_type_mask() != 0) {
    // Evaluator matches go after the lookup ones; Dedupe sorts each record's run.
    std::vector<detect::Match> evaluated;
    for (uint32_t i = 0; i < batch.records.size(); ++i) {
      const Record& r = batch.records[i];
      if ((ObservationBuilder::TypeMask(batch, r) & s.pattern_type_mask()) == 0) continue;
      ++observations_built_;
      if (!builder_.Build(batch, r, observation_)) continue;
      matched_.clear();
      absl::Status st = patterns->MatchOne(observation_, pattern_scratch_, matched_);
      if (!st.ok() && first_error.ok()) first_error = st;
      for (size_t p : matched_) {
        detect::Match m;
        m.record = i;
        m.indicator = s.PatternIndicator(p);
        m.evaluated = true;
        evaluated.push_back(m);
      }
    }
    if (!evaluated.empty()) {
      out.insert(out.end(), evaluated.begin(), evaluated.end());
      std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(),
                       [](const detect::Match& a, const detect::Match& b) { return a.record < b.record; });
    }
  }
  Dedupe(out, from);
  return first_error;
}

absl::Status BatchMatcher::FindCorrelationEvents(const Snapshot& s, const RecordBatch& batch,
                                                 std::vector<CorrelationCandidate>& out,
                                                 std::vector<uint32_t>& untimed) {
  const CorrelationSet* set = s.correlations();
  if (set == nullptr) return absl::OkStatus();
  absl::Status first_error;
  for (uint32_t i = 0; i < batch.records.size(); ++i) {
    const Record& r = batch.records[i];
    if ((ObservationBuilder::TypeMask(batch, r) & set->type_mask()) == 0) continue;
    if (!builder_.Build(batch, r, observation_)) continue;
    concerned_.clear();
    absl::Status st = set->Find(observation_, correlation_scratch_, concerned_);
    if (!st.ok() && first_error.ok()) first_error = st;
    if (concerned_.empty()) continue;
    if (!r.has_time) {
      untimed.push_back(i);
      continue;
    }
    auto event = std::make_shared<CorrelationEvent>();
    event->observation = observation_;
    event->time_us = r.time_us;
    event->line = r.line;
    event->log_type = std::string(r.log_type);
    event->raw = std::string(r.raw);
    event->json = r.json;
    out.push_back({std::move(event), concerned_});
  }
  return first_error;
}

absl::Status BatchMatcher::EvaluateBatch(const pattern::PatternSet& patterns,
                                              const RecordBatch& batch,
                                              std::vector<detect::Match>& out) {
  absl::Status first_error;
  for (uint32_t i = 0; i < batch.records.size(); ++i) {
    if (!builder_.Build(batch, batch.records[i], observation_)) continue;
    matched_.clear();
    absl::Status st = patterns.MatchOne(observation_, pattern_scratch_, matched_);
    if (!st.ok() && first_error.ok()) first_error = st;
    for (size_t p : matched_) {
      detect::Match m;
      m.record = i;
      m.indicator = static_cast<uint32_t>(p);
      m.evaluated = true;
      out.push_back(m);
    }
  }
  return first_error;
}

}  // namespace kizuna::detect
