// Kizuna. A Beast request header as a Request (without body and remote).
// Shared by the server and fuzz/fuzz_http.cc, which drives the router the way the server does.
#pragma once

#include <boost/beast/http.hpp>
#include <string>

#include "kizuna/http/message.h"

namespace kizuna::http {

inline Method MethodOf(boost::beast::http::verb method) {
  using boost::beast::http::verb;
  switch (method) {
    case verb::get: return Method::kGet;
    case verb::head: return Method::kHead;
    case verb::post: return Method::kPost;
    case verb::delete_: return Method::kDelete;
    default: return Method::kOther;
  }
}

template <class Fields>
Request RequestFromHeader(const boost::beast::http::request_header<Fields>& header) {
  using boost::beast::http::field;
  Request request;
  request.method = MethodOf(header.method());
  request.target = std::string(header.target());
  request.accept = std::string(header[field::accept]);
  request.content_type = std::string(header[field::content_type]);
  request.content_encoding = std::string(header[field::content_encoding]);
  request.authorization = std::string(header[field::authorization]);
  request.host = std::string(header[field::host]);
  request.cookie = std::string(header[field::cookie]);
  request.csrf_token = std::string(header["X-CSRF-Token"]);
  request.if_none_match = std::string(header[field::if_none_match]);
  return request;
}

}  // namespace kizuna::http
