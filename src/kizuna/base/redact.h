// Kizuna. Connection URLs made fit for messages and logs.
#pragma once

// A URL such as nats://user:secret@host:4222 or postgresql://u:p@host/db?password=p carries
// credentials; errors name the server they could not reach without them.
// Thread-safety: stateless.

#include <string>
#include <string_view>

namespace kizuna {

// Returns `url` with the user information of each comma-separated URL ("user:secret@") and
// the value of every `password=` parameter replaced by "***".
std::string RedactUrl(std::string_view url);

}  // namespace kizuna
