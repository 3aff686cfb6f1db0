// Kizuna.
#include "kizuna/detect/classify.h"

#include "kizuna/detect/lookup/string_table.h"

namespace kizuna::detect {
namespace {

using pattern::CmpExpr;
using pattern::CompareOp;
using pattern::LiteralKind;
using pattern::ObsExpr;
using Keys = std::vector<SimpleKey>;

const CmpExpr& StripGroups(const CmpExpr* e) {
  while (e->kind == CmpExpr::Kind::kGroup) e = e->operands[0];
  return *e;
}

// True when the steps of `path`, as pattern::ToString prints them after "type:", are
// `text`, which is itself such a print ("hashes.'SHA-256'"): a bare component is a key
// equal to it, a quoted one a key equal to what is inside the quotes (a key the printer
// quotes, since `text` quotes it). False for index and [*] steps. Compares in place, so
// classifying a comparison allocates nothing.
bool StepsAre(const pattern::ObjectPath& path, std::string_view text) {
  for (size_t i = 0; i < path.steps.size(); ++i) {
    const pattern::PathStep& step = path.steps[i];
    if (step.kind != pattern::PathStep::Kind::kKey) return false;
    if (i > 0) {
      if (!text.starts_with('.')) return false;
      text.remove_prefix(1);
    }
    std::string_view component;
    if (text.starts_with('\'')) {
      const size_t close = text.find('\'', 1);
      if (close == std::string_view::npos) return false;
      component = text.substr(1, close - 1);
      text.remove_prefix(close + 1);
    } else {
      component = text.substr(0, text.find('.'));
      text.remove_prefix(component.size());
    }
    if (step.key != component) return false;
  }
  return text.empty();
}

// The slot of `type:path`, or nullopt (SlotFromPath without printing the path).
std::optional<Slot> SlotOfPath(const pattern::ObjectPath& path) {
  for (int i = 0; i < kSlotCount; ++i) {
    const Slot slot = static_cast<Slot>(i);
    if (slot == Slot::kNetDst) continue;
    const std::string_view full = SlotPath(slot);
    const std::string_view type = path.object_type;
    if (full.size() > type.size() && full[type.size()] == ':' && full.starts_with(type) &&
        StepsAre(path, full.substr(type.size() + 1))) {
      return slot;
    }
  }
  return std::nullopt;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool Equality(const CmpExpr& c) {
  return !c.negated && (c.op == CompareOp::kEq || c.op == CompareOp::kIn);
}

bool AddEquality(const CmpExpr& c, Slot slot, Keys& out) {
  for (const pattern::Literal& v : c.values) {
    if (v.kind != LiteralKind::kString) continue;  // never equal to a string value
    if (v.text.size() > kMaxKeyBytes) return false;
    SimpleKey k;
    if (slot == Slot::kIpv4) {
      if (std::optional<uint32_t> a = ParseIpv4(v.text)) {
        k.kind = SimpleKey::Kind::kIpv4;
        k.v4 = *a;
        out.push_back(std::move(k));
        continue;
      }
    }
    k.kind = SimpleKey::Kind::kString;
    k.slot = slot;
    k.text = std::string(v.text);
    out.push_back(std::move(k));
  }
  return true;
}

}  // namespace

bool ClassifyComparison(const CmpExpr& c, Keys& out) {
  if (c.negated || c.path.steps.empty()) return false;
  const std::string_view type = c.path.object_type;
  if (Equality(c)) {
    std::optional<Slot> slot = SlotOfPath(c.path);
    return slot.has_value() && AddEquality(c, *slot, out);
  }
  const bool value = StepsAre(c.path, "value");
  if (c.op == CompareOp::kIsSubset && value &&
      (type == "ipv4-addr" || type == "ipv6-addr")) {
    if (c.values.size() != 1 || c.values[0].kind != LiteralKind::kString) return false;
    std::optional<IpBlock> block = ParseIpBlock(c.values[0].text);
    if (!block) return false;  // the validator rejects these; be safe
    if (block->v6 != (type == "ipv6-addr")) return true;  // IPv4 never inside IPv6: no key
    SimpleKey k;
    k.kind = SimpleKey::Kind::kBlock;
    k.slot = block->v6 ? Slot::kIpv6 : Slot::kIpv4;
    k.block = *block;
    out.push_back(std::move(k));
    return true;
  }
  if (c.op == CompareOp::kLike && type == "domain-name" && value) {
    if (c.values.size() != 1 || c.values[0].kind != LiteralKind::kString) return false;
    std::string_view like = c.values[0].text;
    if (!like.starts_with("%.")) return false;
    std::string_view suffix = like.substr(2);
    if (suffix.find_first_of("%_") != std::string_view::npos || !IsAscii(suffix) ||
        suffix.size() > kMaxKeyBytes) {
      return false;
    }
    SimpleKey k;
    k.kind = SimpleKey::Kind::kSuffix;
    k.slot = Slot::kDomain;
    k.text = std::string(suffix);
    out.push_back(std::move(k));
    return true;
  }
  return false;
}

namespace {

// `network-traffic:dst_ref.value = a AND network-traffic:dst_port = p` (IN lists allowed).
bool AddNetDst(const CmpExpr& e, Keys& out) {
  if (e.operands.size() != 2) return false;
  const CmpExpr* address = nullptr;
  const CmpExpr* port = nullptr;
  for (const CmpExpr* op : e.operands) {
    const CmpExpr& c = StripGroups(op);
    if (c.kind != CmpExpr::Kind::kCompare || !Equality(c) ||
        c.path.object_type != "network-traffic") {
      return false;
    }
    if (StepsAre(c.path, "dst_ref.value")) {
      address = &c;
    } else if (StepsAre(c.path, "dst_port")) {
      port = &c;
    }
  }
  if (address == nullptr || port == nullptr) return false;
  std::vector<uint32_t> ports;
  for (const pattern::Literal& v : port->values) {
    // Observations hold ports as integers 0..65535; other constants never equal one.
    if (v.kind == LiteralKind::kInt && v.int_value >= 0 && v.int_value <= 65535) {
      ports.push_back(static_cast<uint32_t>(v.int_value));
    } else if (v.kind == LiteralKind::kFloat) {
      return false;  // 80.0 = 80 numerically: leave such oddities to the evaluator
    }
  }
  size_t strings = 0;
  for (const pattern::Literal& v : address->values) strings += v.kind == LiteralKind::kString;
  if (strings * ports.size() > kMaxKeysPerIndicator) return false;
  for (const pattern::Literal& v : address->values) {
    if (v.kind != LiteralKind::kString) continue;
    if (v.text.size() > kMaxKeyBytes - 8) return false;
    for (uint32_t p : ports) {
      SimpleKey k;
      k.kind = SimpleKey::Kind::kNetDst;
      k.slot = Slot::kNetDst;
      k.text = std::string(v.text);
      k.port = p;
      if (std::optional<uint32_t> a = ParseIpv4(v.text)) k.v4 = *a;
      out.push_back(std::move(k));
    }
  }
  return true;
}

bool AddCmp(const CmpExpr& expr, Keys& out) {
  const CmpExpr& e = StripGroups(&expr);
  switch (e.kind) {
    case CmpExpr::Kind::kCompare:
      return ClassifyComparison(e, out);
    case CmpExpr::Kind::kOr:
      for (const CmpExpr* op : e.operands) {
        if (!AddCmp(*op, out)) return false;
      }
      return true;
    case CmpExpr::Kind::kAnd:
      return AddNetDst(e, out);
    case CmpExpr::Kind::kGroup:
      break;
  }
  return false;
}

bool AddObs(const ObsExpr& expr, Keys& out) {
  const ObsExpr* e = &expr;
  while (e->kind == ObsExpr::Kind::kGroup) e = e->operands[0];
  if (e->kind == ObsExpr::Kind::kObservation) return AddCmp(*e->comparison, out);
  if (e->kind == ObsExpr::Kind::kOr) {
    for (const ObsExpr* op : e->operands) {
      if (!AddObs(*op, out)) return false;
    }
    return true;
  }
  return false;  // AND, FOLLOWEDBY and qualifiers
}

}  // namespace

std::optional<std::vector<SimpleKey>> Classify(const pattern::Ast& ast) {
  Keys keys;
  if (!AddObs(ast.root(), keys) || keys.size() > kMaxKeysPerIndicator) return std::nullopt;
  return keys;
}

}  // namespace kizuna::detect
