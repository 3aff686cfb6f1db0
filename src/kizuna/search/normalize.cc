// Kizuna.
#include "kizuna/search/normalize.h"

#include <arpa/inet.h>

#include <algorithm>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/cidr.h"

namespace kizuna::search {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string BlockText(const store::IndexedRange& block) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(block.v6 ? AF_INET6 : AF_INET, block.start.data(), text, sizeof(text));
  if (block.prefix == (block.v6 ? 128 : 32)) return text;
  return StrCat(text, "/", block.prefix);
}

// The length of a URL scheme at the start of `text` followed by "://", or 0.
size_t SchemeLength(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && i < 32) {
    char c = text[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) break;
    ++i;
  }
  return i > 0 && text.substr(i, 3) == "://" ? i : 0;
}

std::string NormalizeUrl(std::string_view text, size_t scheme_length) {
  std::string scheme = Lower(text.substr(0, scheme_length));
  std::string_view rest = text.substr(scheme_length + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t end = std::min(rest.find('/'), rest.find('?'));
  std::string_view authority = rest.substr(0, std::min(end, rest.size()));
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  std::string out = scheme + "://";
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out.append(authority.substr(0, at + 1));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    host = authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1);
    if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':') {
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  std::string host_text = Lower(host);
  if (host_text.size() > 2 && host_text.front() == '[' && host_text.back() == ']') {
    std::optional<store::IndexedRange> block = ParseBlock(std::string_view(host_text).substr(1, host_text.size() - 2));
    if (block && block->v6) host_text = StrCat("[", BlockText(*block), "]");
  }
  if (!host_text.empty() && host_text.back() == '.') host_text.pop_back();
  out += host_text;
  bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443") ||
                      (scheme == "ftp" && port == "21");
  if (!port.empty() && !default_port) StrAppend(out, ":", port);
  if (tail.empty() || tail.front() == '?') out += '/';
  out.append(tail);
  return out;
}

}  // namespace

std::optional<store::IndexedRange> ParseBlock(std::string_view text) {
  std::optional<pattern::IpBlock> parsed = pattern::ParseIpBlock(text);
  if (!parsed) return std::nullopt;
  store::IndexedRange block;
  block.v6 = parsed->v6;
  block.prefix = parsed->prefix;
  const int bytes = parsed->v6 ? 16 : 4;
  for (int i = 0; i < bytes; ++i) {
    int bits = std::clamp(parsed->prefix - i * 8, 0, 8);
    uint8_t mask = bits == 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
    block.start[i] = parsed->address[i] & mask;
    block.end[i] = static_cast<uint8_t>(block.start[i] | static_cast<uint8_t>(~mask));
  }
  return block;
}

std::string NormalizeValue(std::string_view text) {
  text = Trim(text);
  if (std::optional<store::IndexedRange> block = ParseBlock(text)) return BlockText(*block);
  if (size_t scheme = SchemeLength(text); scheme > 0) return NormalizeUrl(text, scheme);
  std::string out = Lower(text);
  if (out.size() > 1 && out.back() == '.' &&
      std::none_of(out.begin(), out.end(), [](char c) { return IsSpace(c); })) {
    out.pop_back();
  }
  return out;
}

}  // namespace kizuna::search
