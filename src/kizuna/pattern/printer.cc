// Kizuna. Canonical text and JSON of pattern syntax trees (ast.h).
#include <array>

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/ast.h"

namespace kizuna::pattern {
namespace {

constexpr std::array<std::string_view, 19> kKeywords = {
    "AND",   "OR",    "NOT",     "FOLLOWEDBY", "LIKE",  "MATCHES", "ISSUPERSET",
    "ISSUBSET", "EXISTS", "LAST", "IN",       "START", "STOP",    "SECONDS",
    "true",  "false", "WITHIN",  "REPEATS",    "TIMES"};

// True if `key` can be written without quotes in every STIX version: an identifier with no
// '-' that is not a keyword.
bool IsBareKey(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  for (std::string_view k : kKeywords) {
    if (k == key) return false;
  }
  return true;
}

void AppendQuoted(std::string_view value, std::string& out) {
  out += '\'';
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

// Binding strength, loosest first: FOLLOWEDBY < OR < AND < everything else.
int Precedence(const ObsExpr& e) {
  switch (e.kind) {
    case ObsExpr::Kind::kFollowedBy: return 1;
    case ObsExpr::Kind::kOr: return 2;
    case ObsExpr::Kind::kAnd: return 3;
    default: return 4;
  }
}

int Precedence(const CmpExpr& e) {
  switch (e.kind) {
    case CmpExpr::Kind::kOr: return 1;
    case CmpExpr::Kind::kAnd: return 2;
    default: return 3;
  }
}

void Print(const CmpExpr& e, std::string& out);
void Print(const ObsExpr& e, std::string& out);

void PrintOperand(const CmpExpr& e, int parent, std::string& out) {
  const bool parens = Precedence(e) < parent;
  if (parens) out += '(';
  Print(e, out);
  if (parens) out += ')';
}

void PrintOperand(const ObsExpr& e, int parent, std::string& out) {
  const bool parens = Precedence(e) < parent;
  if (parens) out += '(';
  Print(e, out);
  if (parens) out += ')';
}

void PrintPath(const ObjectPath& path, std::string& out) {
  out += path.object_type;
  out += ':';
  for (size_t i = 0; i < path.steps.size(); ++i) {
    const PathStep& step = path.steps[i];
    switch (step.kind) {
      case PathStep::Kind::kKey:
        if (i > 0) out += '.';
        if (IsBareKey(step.key)) {
          out += step.key;
        } else {
          AppendQuoted(step.key, out);
        }
        break;
      case PathStep::Kind::kIndex: StrAppend(out, "[", step.index, "]"); break;
      case PathStep::Kind::kStar: out += "[*]"; break;
    }
  }
}

void PrintLiteral(const Literal& l, std::string& out) {
  switch (l.kind) {
    case LiteralKind::kString: AppendQuoted(l.text, out); break;
    case LiteralKind::kInt: StrAppend(out, l.int_value); break;
    case LiteralKind::kFloat: out += FormatFloatLiteral(l.float_value); break;
    case LiteralKind::kBool: out += l.bool_value ? "true" : "false"; break;
    case LiteralKind::kHex: StrAppend(out, "h'", l.text, "'"); break;
    case LiteralKind::kBinary: StrAppend(out, "b'", l.text, "'"); break;
    case LiteralKind::kTimestamp: StrAppend(out, "t'", l.text, "'"); break;
  }
}

void Print(const CmpExpr& e, std::string& out) {
  switch (e.kind) {
    case CmpExpr::Kind::kAnd:
    case CmpExpr::Kind::kOr: {
      const std::string_view sep = e.kind == CmpExpr::Kind::kAnd ? " AND " : " OR ";
      for (size_t i = 0; i < e.operands.size(); ++i) {
        if (i > 0) out += sep;
        PrintOperand(*e.operands[i], Precedence(e), out);
      }
      return;
    }
    case CmpExpr::Kind::kGroup:
      out += '(';
      Print(*e.operands[0], out);
      out += ')';
      return;
    case CmpExpr::Kind::kCompare:
      break;
  }
  if (e.op == CompareOp::kExists) {
    if (e.negated) out += "NOT ";
    out += "EXISTS ";
    PrintPath(e.path, out);
    return;
  }
  PrintPath(e.path, out);
  out += e.negated ? " NOT " : " ";
  out += CompareOpName(e.op);
  out += ' ';
  if (e.op == CompareOp::kIn) {
    out += '(';
    for (size_t i = 0; i < e.values.size(); ++i) {
      if (i > 0) out += ", ";
      PrintLiteral(e.values[i], out);
    }
    out += ')';
    return;
  }
  PrintLiteral(e.values[0], out);
}

void Print(const ObsExpr& e, std::string& out) {
  switch (e.kind) {
    case ObsExpr::Kind::kObservation:
      out += '[';
      Print(*e.comparison, out);
      out += ']';
      return;
    case ObsExpr::Kind::kAnd:
    case ObsExpr::Kind::kOr:
    case ObsExpr::Kind::kFollowedBy: {
      const std::string_view sep = e.kind == ObsExpr::Kind::kAnd  ? " AND "
                                   : e.kind == ObsExpr::Kind::kOr ? " OR "
                                                                  : " FOLLOWEDBY ";
      for (size_t i = 0; i < e.operands.size(); ++i) {
        if (i > 0) out += sep;
        PrintOperand(*e.operands[i], Precedence(e), out);
      }
      return;
    }
    case ObsExpr::Kind::kGroup:
      out += '(';
      Print(*e.operands[0], out);
      out += ')';
      return;
    case ObsExpr::Kind::kWithin:
      PrintOperand(*e.operands[0], 4, out);
      out += " WITHIN ";
      PrintLiteral(e.first, out);
      out += " SECONDS";
      return;
    case ObsExpr::Kind::kRepeats:
      PrintOperand(*e.operands[0], 4, out);
      out += " REPEATS ";
      PrintLiteral(e.first, out);
      out += " TIMES";
      return;
    case ObsExpr::Kind::kStartStop:
      PrintOperand(*e.operands[0], 4, out);
      out += " START ";
      PrintLiteral(e.first, out);
      out += " STOP ";
      PrintLiteral(e.second, out);
      return;
  }
}

// ---- JSON ----

void JsonLiteral(const Literal& l, std::string& out) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "string", "int", "float", "bool", "hex", "binary", "timestamp"};
  StrAppend(out, "{\"type\":\"", kNames[static_cast<size_t>(l.kind)], "\",\"value\":");
  switch (l.kind) {
    case LiteralKind::kInt: StrAppend(out, l.int_value); break;
    case LiteralKind::kFloat: out += FormatFloatLiteral(l.float_value); break;
    case LiteralKind::kBool: out += l.bool_value ? "true" : "false"; break;
    default: AppendJsonString(l.text, out); break;
  }
  out += '}';
}

void JsonPath(const ObjectPath& path, std::string& out) {
  out += "{\"object_type\":";
  AppendJsonString(path.object_type, out);
  out += ",\"steps\":[";
  for (size_t i = 0; i < path.steps.size(); ++i) {
    if (i > 0) out += ',';
    const PathStep& s = path.steps[i];
    if (s.kind == PathStep::Kind::kKey) {
      out += "{\"key\":";
      AppendJsonString(s.key, out);
      out += '}';
    } else if (s.kind == PathStep::Kind::kIndex) {
      StrAppend(out, "{\"index\":", s.index, "}");
    } else {
      out += "{\"index\":\"*\"}";
    }
  }
  out += "],\"text\":";
  AppendJsonString(ToString(path), out);
  out += '}';
}

void Json(const CmpExpr& e, std::string& out) {
  if (e.kind != CmpExpr::Kind::kCompare) {
    const std::string_view name = e.kind == CmpExpr::Kind::kAnd  ? "and"
                                  : e.kind == CmpExpr::Kind::kOr ? "or"
                                                                 : "group";
    StrAppend(out, "{\"node\":\"", name, "\",\"operands\":[");
    for (size_t i = 0; i < e.operands.size(); ++i) {
      if (i > 0) out += ',';
      Json(*e.operands[i], out);
    }
    out += "]}";
    return;
  }
  out += "{\"node\":\"comparison\",\"path\":";
  JsonPath(e.path, out);
  StrAppend(out, ",\"operator\":\"", CompareOpName(e.op), "\",\"negated\":",
            e.negated ? "true" : "false", ",\"values\":[");
  for (size_t i = 0; i < e.values.size(); ++i) {
    if (i > 0) out += ',';
    JsonLiteral(e.values[i], out);
  }
  out += "]}";
}

void Json(const ObsExpr& e, std::string& out) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "observation", "and", "or", "followedby", "group", "within", "repeats", "startstop"};
  StrAppend(out, "{\"node\":\"", kNames[static_cast<size_t>(e.kind)], "\"");
  switch (e.kind) {
    case ObsExpr::Kind::kObservation:
      out += ",\"comparison\":";
      Json(*e.comparison, out);
      out += '}';
      return;
    case ObsExpr::Kind::kWithin:
      out += ",\"seconds\":";
      JsonLiteral(e.first, out);
      break;
    case ObsExpr::Kind::kRepeats:
      out += ",\"times\":";
      JsonLiteral(e.first, out);
      break;
    case ObsExpr::Kind::kStartStop:
      out += ",\"start\":";
      JsonLiteral(e.first, out);
      out += ",\"stop\":";
      JsonLiteral(e.second, out);
      break;
    default:
      break;
  }
  out += ",\"operands\":[";
  for (size_t i = 0; i < e.operands.size(); ++i) {
    if (i > 0) out += ',';
    Json(*e.operands[i], out);
  }
  out += "]}";
}

}  // namespace

std::string_view CompareOpName(CompareOp op) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET",
      "EXISTS"};
  return kNames[static_cast<size_t>(op)];
}

std::string FormatFloatLiteral(double value) {
  // fmt's "{}" is the shortest text that reads back as `value` (e.g. "7", "1.5e-07").
  std::string shortest = fmt::format("{}", value);
  std::string out;
  size_t pos = 0;
  if (!shortest.empty() && shortest[0] == '-') {
    out += '-';
    pos = 1;
  }
  std::string digits;
  int point = -1;  // digits before the decimal point in `shortest`'s mantissa
  int exponent = 0;
  for (; pos < shortest.size(); ++pos) {
    const char c = shortest[pos];
    if (c == '.') {
      point = static_cast<int>(digits.size());
    } else if (c == 'e' || c == 'E') {
      exponent = std::stoi(shortest.substr(pos + 1));
      break;
    } else {
      digits += c;
    }
  }
  if (point < 0) point = static_cast<int>(digits.size());
  point += exponent;
  // Drop leading zeros of the digit string ("0.5" gives digits "05", point 1).
  while (digits.size() > 1 && digits[0] == '0') {
    digits.erase(0, 1);
    --point;
  }
  const int n = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (point >= n) {
    out += digits;
    out.append(static_cast<size_t>(point - n), '0');
    out += ".0";
  } else {
    out += digits.substr(0, point);
    out += '.';
    out += digits.substr(point);
  }
  return out;
}

std::string ToString(const ObsExpr& expr) {
  std::string out;
  Print(expr, out);
  return out;
}

std::string ToString(const CmpExpr& expr) {
  std::string out;
  Print(expr, out);
  return out;
}

std::string ToString(const ObjectPath& path) {
  std::string out;
  PrintPath(path, out);
  return out;
}

std::string ToString(const Literal& literal) {
  std::string out;
  PrintLiteral(literal, out);
  return out;
}

std::string ToJson(const ObsExpr& expr) {
  std::string out;
  Json(expr, out);
  return out;
}

}  // namespace kizuna::pattern
