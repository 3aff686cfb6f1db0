// Kizuna.
#include "kizuna/http/client_key.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "kizuna/base/strings.h"

namespace kizuna::http {
namespace {

constexpr size_t kMaxAddressChars = INET6_ADDRSTRLEN;

// The address part of `remote`: without brackets and port.
std::string_view AddressOf(std::string_view remote) {
  if (!remote.empty() && remote.front() == '[') {
    size_t close = remote.find(']');
    return close == std::string_view::npos ? remote : remote.substr(1, close - 1);
  }
  size_t colon = remote.find(':');
  if (colon != std::string_view::npos && remote.find(':', colon + 1) == std::string_view::npos) {
    return remote.substr(0, colon);  // IPv4 with a port
  }
  return remote;  // IPv4 without a port, or bare IPv6
}

}  // namespace

std::string ClientKey(std::string_view remote) {
  std::string_view address = AddressOf(remote);
  if (address.size() >= kMaxAddressChars) return std::string(remote);
  char text[kMaxAddressChars];
  std::memcpy(text, address.data(), address.size());
  text[address.size()] = '\0';
  in_addr v4;
  if (inet_pton(AF_INET, text, &v4) == 1) {
    inet_ntop(AF_INET, &v4, text, sizeof(text));
    return text;
  }
  std::array<unsigned char, 16> v6;
  if (inet_pton(AF_INET6, text, v6.data()) != 1) return std::string(remote);
  constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.data(), kMapped.data(), kMapped.size()) == 0) {
    inet_ntop(AF_INET, v6.data() + kMapped.size(), text, sizeof(text));
    return text;
  }
  std::fill(v6.begin() + 8, v6.end(), 0);
  inet_ntop(AF_INET6, v6.data(), text, sizeof(text));
  return StrCat(text, "/64");
}

}  // namespace kizuna::http
