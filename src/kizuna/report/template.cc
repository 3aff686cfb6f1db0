// Kizuna. Page templates (template.h).
#include "kizuna/report/template.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/report/html.h"

namespace kizuna::report {

absl::StatusOr<std::string> Message(const boost::json::object& catalogue, std::string_view key) {
  const boost::json::value* v = catalogue.if_contains(key);
  if (v == nullptr || !v->is_string()) return absl::InvalidArgumentError(StrCat("message '", key, "' missing"));
  return EscapeHtml(v->get_string());
}

std::string ScriptJson(const boost::json::value& v) {
  std::string text = boost::json::serialize(v);
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '<') {
      out += "\\u003c";
    } else {
      out += ch;
    }
  }
  return out;
}

absl::StatusOr<std::string> FillTemplate(std::string_view in, const TemplateValues& values,
                                         const boost::json::object& catalogue) {
  size_t size = in.size();
  for (const auto& [key, value] : values) size += value.size();
  std::string out;
  out.reserve(size);
  for (size_t pos = 0;;) {
    size_t open = in.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(in.substr(pos));
      break;
    }
    size_t close = in.find("}}", open);
    if (close == std::string_view::npos) return absl::InternalError("template: unclosed {{");
    out.append(in.substr(pos, open - pos));
    std::string_view key = in.substr(open + 2, close - open - 2);
    if (key.starts_with("msg:")) {
      KZ_ASSIGN_OR_RETURN(std::string text, Message(catalogue, key.substr(4)));
      out += text;
    } else {
      auto it = values.find(key);
      if (it == values.end()) return absl::InvalidArgumentError(StrCat("template: no value for {{", key, "}}"));
      out += it->second;
    }
    pos = close + 2;
  }
  return out;
}

}  // namespace kizuna::report
