// Kizuna. A blocking HTTP/1.1 client for tests: one request per connection to 127.0.0.1.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kizuna::http {

struct TestReply {
  int status = 0;  // 0 when the exchange failed (`error` says why)
  std::string content_type;
  std::string content_length;
  std::string body;
  std::string error;
};

// Sends `method` `target` with `headers` and `body` to 127.0.0.1:`port` over plain HTTP and
// reads the answer, within 10 s.
inline TestReply Fetch(uint16_t port, boost::beast::http::verb method, std::string target,
                       std::vector<std::pair<std::string, std::string>> headers = {},
                       std::string body = "") {
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
                 ec);
  TestReply reply;
  auto failed = [&reply](std::string what) {
    reply.error = std::move(what);
    return reply;
  };
  if (ec) return failed("connect: " + ec.message());
  bhttp::request<bhttp::string_body> request{method, target, 11};
  request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  bhttp::write(stream, request, ec);
  if (ec) return failed("write: " + ec.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(method == bhttp::verb::head);
  bhttp::read(stream, buffer, parser, ec);
  if (ec) return failed("read: " + ec.message());
  const auto& response = parser.get();
  reply.status = static_cast<int>(response.result_int());
  reply.content_type = std::string(response[bhttp::field::content_type]);
  reply.content_length = std::string(response[bhttp::field::content_length]);
  reply.body = response.body();
  return reply;
}

}  // namespace kizuna::http
