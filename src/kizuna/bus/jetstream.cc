// Kizuna. The NATS JetStream wrapper (jetstream.h) over libnats.
#include "kizuna/bus/jetstream.h"

#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "kizuna/base/file.h"
#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/nats_creds.h"

namespace kizuna::bus {
namespace {

constexpr int64_t kNanosPerMilli = 1000000;
constexpr int64_t kNanosPerSecond = 1000000000;

// The client's status and JetStream error code as a Status about `what`.
absl::Status Failure(natsStatus s, jsErrCode code, std::string_view what) {
  std::string text = StrCat(what, ": ", natsStatus_GetText(s));
  if (code != 0) StrAppend(text, " (JetStream error ", static_cast<int>(code), ")");
  if (s == NATS_CONNECTION_CLOSED || s == NATS_NO_SERVER || s == NATS_NOT_YET_CONNECTED ||
      s == NATS_CONNECTION_DISCONNECTED || s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS) {
    return absl::UnavailableError(text);
  }
  if (s == NATS_INVALID_ARG) return absl::InvalidArgumentError(text);
  return absl::FailedPreconditionError(text);
}

struct OptionsCloser {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
struct StreamInfoCloser {
  void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); }
};
struct PubAckCloser {
  void operator()(jsPubAck* a) const { jsPubAck_Destroy(a); }
};

// One URL of a server list, its parts viewing the list.
struct NatsUrl {
  std::string_view scheme;  // "nats" or "tls"
  std::string_view host;    // without brackets
  bool userinfo = false;    // USER[:PASSWORD]@ given
};

// SCHEME://[USER[:PASSWORD]@]HOST:PORT, comma separated, one scheme.
absl::StatusOr<std::vector<NatsUrl>> ParseNatsUrls(std::string_view url) {
  if (url.empty())
    return absl::InvalidArgumentError("NATS URL: empty (expected nats://HOST:PORT or tls://HOST:PORT)");
  if (url.size() > 4096) return absl::InvalidArgumentError("NATS URL: longer than 4096 bytes");
  std::vector<NatsUrl> out;
  size_t start = 0;
  while (start <= url.size()) {
    const size_t comma = std::min(url.find(',', start), url.size());
    const std::string_view one = url.substr(start, comma - start);
    start = comma + 1;
    const size_t sep = one.find("://");
    NatsUrl parsed{one.substr(0, std::min(sep, one.size())), {}};
    std::string_view rest = sep == std::string_view::npos ? std::string_view() : one.substr(sep + 3);
    if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
      rest.remove_prefix(at + 1);
      parsed.userinfo = true;
    }
    const size_t colon = rest.rfind(':');
    const bool port = colon != std::string_view::npos && colon + 1 < rest.size() &&
                      rest.substr(colon + 1).find_first_not_of("0123456789") == std::string_view::npos;
    if ((parsed.scheme != "nats" && parsed.scheme != "tls") || !port || colon == 0 ||
        rest.find('/') != std::string_view::npos ||
        (!out.empty() && out.front().scheme != parsed.scheme)) {
      return absl::InvalidArgumentError(StrCat("NATS URL '", RedactUrl(one),
                                               "': expected nats://HOST:PORT or tls://HOST:PORT "
                                               "(several: comma separated, of one scheme)"));
    }
    parsed.host = rest.substr(0, colon);
    if (parsed.host.size() > 2 && parsed.host.front() == '[' && parsed.host.back() == ']') {
      parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
    }
    out.push_back(parsed);
  }
  return out;
}

// A message to `subject` (the caller owns it). InvalidArgument when `data` is too large or a
// header is refused.
absl::StatusOr<natsMsg*> NewMessage(const std::string& subject, std::string_view data,
                                    const Headers& headers) {
  if (static_cast<int64_t>(data.size()) > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(StrCat("publishing to ", subject, ": ", data.size(),
                                             " bytes, more than the ", kMaxPayloadBytes,
                                             " allowed"));
  }
  natsMsg* raw = nullptr;
  natsStatus s =
      natsMsg_Create(&raw, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) return Failure(s, static_cast<jsErrCode>(0), StrCat("message to ", subject));
  for (const auto& [key, value] : headers) {
    if (natsMsgHeader_Set(raw, key.c_str(), value.c_str()) != NATS_OK) {
      natsMsg_Destroy(raw);
      return absl::InvalidArgumentError(StrCat("message to ", subject, ": header ", key));
    }
  }
  return raw;
}

// The client's last error for this thread, without its source location ("(conn.c:733): ").
std::string LastError() {
  std::string_view text = nats_GetLastError(nullptr) == nullptr ? "" : nats_GetLastError(nullptr);
  if (text.starts_with('(')) {
    if (const size_t end = text.find("): "); end != std::string_view::npos) text.remove_prefix(end + 3);
  }
  return std::string(text);
}

// A status of the client (`s` not OK) about `what`, with its last error when there is one.
absl::Status OptionFailure(natsStatus s, std::string_view what) {
  const std::string detail = LastError();
  return absl::InvalidArgumentError(
      StrCat(what, ": ", detail.empty() ? std::string(natsStatus_GetText(s)) : detail));
}

// The name a TLS server's certificate must carry: `name`, else the one host of `urls`.
absl::StatusOr<std::string> TlsName(const std::string& name, const std::vector<NatsUrl>& urls) {
  if (!name.empty()) return name;
  for (const NatsUrl& u : urls) {
    if (u.host != urls.front().host) {
      return absl::InvalidArgumentError(
          StrCat("TLS to several NATS hosts (", urls.front().host, ", ", u.host,
                 "): the name their certificates carry must be given"));
    }
  }
  return std::string(urls.front().host);
}

// A client certificate chain or its key, read at most.
constexpr uint64_t kMaxKeyFileBytes = 1 << 20;

// TLS and credentials of `options` set on `opts`; a creds file's content goes to `creds`,
// which the connection signs with.
absl::Status SetSecurity(natsOptions* opts, const BusOptions& options,
                         const std::vector<NatsUrl>& urls, NatsCreds& creds) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "NATS client certificate: give both the certificate and its key");
  }
  if (!options.creds_file.empty() && !options.user.empty()) {
    return absl::InvalidArgumentError(
        "NATS credentials: a creds file or a user and password, not both");
  }
  if (options.user.empty() != options.password.empty()) {
    return absl::InvalidArgumentError("NATS credentials: a user needs a password, and back");
  }
  const bool tls = urls.front().scheme == "tls" || !options.tls_ca.empty() ||
                   !options.tls_name.empty() || !options.tls_cert.empty();
  // A password or a creds file goes only over TLS, or to a server on this host: anyone on
  // the path could otherwise take it, and with it the indicator set or the right to report.
  const bool credentials = !options.creds_file.empty() || !options.user.empty() ||
                           std::any_of(urls.begin(), urls.end(), [](const NatsUrl& u) { return u.userinfo; });
  const bool loopback = std::all_of(urls.begin(), urls.end(), [](const NatsUrl& u) {
    return u.host == "localhost" || u.host == "::1" || u.host.starts_with("127.");
  });
  if (credentials && !tls && !loopback) {
    return absl::InvalidArgumentError(
        "NATS credentials go only over TLS (tls:// URLs, or --nats-ca) or to a server on this host");
  }
  // The files holding secrets must be their owner's alone (checked on the opened file, and
  // given to the client from memory); the CA must be readable.
  std::string cert, key;
  if (!options.tls_cert.empty()) {
    KZ_ASSIGN_OR_RETURN(key, ReadPrivateFile(options.tls_key, kMaxKeyFileBytes));
    KZ_ASSIGN_OR_RETURN(const simdjson::padded_string chain,
                        ReadFile(options.tls_cert, kMaxKeyFileBytes));
    cert = std::string(std::string_view(chain));
  }
  if (!options.creds_file.empty()) {
    KZ_ASSIGN_OR_RETURN(creds, ReadNatsCreds(options.creds_file));
  }
  if (!options.tls_ca.empty() && ::access(options.tls_ca.c_str(), R_OK) != 0)
    return FileError(options.tls_ca, errno);
  natsStatus s = NATS_OK;
  if (tls) {
    const std::string ca = options.tls_ca.empty() ? kSystemCaFile : options.tls_ca;
    KZ_ASSIGN_OR_RETURN(const std::string name, TlsName(options.tls_name, urls));
    if ((s = natsOptions_SetSecure(opts, true)) != NATS_OK) return OptionFailure(s, "NATS TLS");
    if ((s = natsOptions_LoadCATrustedCertificates(opts, ca.c_str())) != NATS_OK)
      return OptionFailure(s, StrCat("NATS TLS CA file ", ca));
    // libnats checks the server's name only when told which (IP addresses included).
    if ((s = natsOptions_SetExpectedHostname(opts, name.c_str())) != NATS_OK)
      return OptionFailure(s, StrCat("NATS TLS server name ", name));
    if (!cert.empty() &&
        (s = natsOptions_SetCertificatesChain(opts, cert.c_str(), key.c_str())) != NATS_OK) {
      return OptionFailure(s, StrCat("NATS client certificate ", options.tls_cert));
    }
  }
  if (!options.creds_file.empty()) KZ_RETURN_IF_ERROR(UseNatsCreds(opts, creds));
  if (!options.user.empty() &&
      (s = natsOptions_SetUserInfo(opts, options.user.c_str(), options.password.c_str())) !=
          NATS_OK) {
    return OptionFailure(s, "NATS user");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckNatsUrl(std::string_view url) { return ParseNatsUrls(url).status(); }

// ---- Message

Message::Message(natsMsg* msg) : msg_(msg) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg_) == NATS_OK) {
    stream_sequence_ = meta->Sequence.Stream;
    delivered_ = meta->NumDelivered;
    jsMsgMetaData_Destroy(meta);
  }
}

Message::~Message() {
  if (msg_ != nullptr) natsMsg_Destroy(msg_);
}

Message::Message(Message&& other) noexcept
    : msg_(std::exchange(other.msg_, nullptr)),
      stream_sequence_(other.stream_sequence_),
      delivered_(other.delivered_) {}

Message& Message::operator=(Message&& other) noexcept {
  if (this != &other) {
    if (msg_ != nullptr) natsMsg_Destroy(msg_);
    msg_ = std::exchange(other.msg_, nullptr);
    stream_sequence_ = other.stream_sequence_;
    delivered_ = other.delivered_;
  }
  return *this;
}

std::string_view Message::subject() const { return natsMsg_GetSubject(msg_); }

std::string_view Message::data() const {
  return std::string_view(natsMsg_GetData(msg_), static_cast<size_t>(natsMsg_GetDataLength(msg_)));
}

std::optional<std::string> Message::Header(const char* key) const {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg_, key, &value) != NATS_OK || value == nullptr) return std::nullopt;
  return std::string(value);
}

absl::Status Message::Ack() {
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = natsMsg_AckSync(msg_, nullptr, &code);
  return s == NATS_OK ? absl::OkStatus()
                      : Failure(s, code, StrCat("acknowledging message ", stream_sequence_));
}

absl::Status Message::AckNoWait() {
  natsStatus s = natsMsg_Ack(msg_, nullptr);
  return s == NATS_OK ? absl::OkStatus()
                      : Failure(s, static_cast<jsErrCode>(0),
                                StrCat("acknowledging message ", stream_sequence_));
}

absl::Status Message::Nak() {
  natsStatus s = natsMsg_Nak(msg_, nullptr);
  return s == NATS_OK
             ? absl::OkStatus()
             : Failure(s, static_cast<jsErrCode>(0), StrCat("refusing message ", stream_sequence_));
}

absl::Status Message::InProgress() {
  natsStatus s = natsMsg_InProgress(msg_, nullptr);
  return s == NATS_OK ? absl::OkStatus()
                      : Failure(s, static_cast<jsErrCode>(0),
                                StrCat("extending message ", stream_sequence_));
}

// ---- PullConsumer

PullConsumer::~PullConsumer() {
  // Unsubscribing would delete a durable consumer; destroying the subscription keeps it.
  natsSubscription_Destroy(sub_);
}

absl::StatusOr<std::vector<Message>> PullConsumer::Fetch(int max, int64_t timeout_ms) {
  natsMsgList list{};
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_, max, timeout_ms, &code);
  std::vector<Message> out;
  if (s == NATS_TIMEOUT) return out;
  if (s != NATS_OK) return Failure(s, code, StrCat("fetching from consumer ", name_));
  out.reserve(static_cast<size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // owned by the Message now
  }
  natsMsgList_Destroy(&list);
  return out;
}

// ---- Bus

absl::StatusOr<std::unique_ptr<Bus>> Bus::Connect(const BusOptions& options) {
  KZ_ASSIGN_OR_RETURN(const std::vector<NatsUrl> urls, ParseNatsUrls(options.url));
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK)
    return absl::ResourceExhaustedError("NATS options: out of memory");
  std::unique_ptr<natsOptions, OptionsCloser> opts(raw);
  auto creds = std::make_unique<NatsCreds>();  // the connection's, for its life
  KZ_RETURN_IF_ERROR(SetSecurity(opts.get(), options, urls, *creds));
  natsStatus s = natsOptions_SetURL(opts.get(), options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), options.timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), options.max_reconnects);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts.get(), 500);
  if (s == NATS_OK) s = natsOptions_SetName(opts.get(), options.client_name.c_str());
  if (s != NATS_OK)
    return Failure(s, static_cast<jsErrCode>(0), StrCat("NATS options for ", RedactUrl(options.url)));
  natsConnection* nc = nullptr;
  s = natsConnection_Connect(&nc, opts.get());
  if (s != NATS_OK) {
    // The reason (TLS handshake, authorization) comes with the client's last error.
    const std::string detail = LastError();
    return absl::UnavailableError(StrCat("connecting to ", RedactUrl(options.url), ": ",
                                         natsStatus_GetText(s),
                                         detail.empty() ? "" : ": ", detail));
  }
  auto bus = std::make_unique<Bus>(BusKey(), nc, RedactUrl(options.url), options.timeout_ms);
  bus->creds_ = std::move(creds);
  jsOptions jso;
  jsOptions_Init(&jso);
  jso.Wait = options.timeout_ms;
  jso.PublishAsync.AckHandler = &Bus::OnPublished;
  jso.PublishAsync.AckHandlerClosure = bus->async_.get();
  s = natsConnection_JetStream(&bus->js_, nc, &jso);
  if (s != NATS_OK)
    return Failure(s, static_cast<jsErrCode>(0), StrCat("JetStream at ", RedactUrl(options.url)));
  return bus;
}

Bus::Bus(BusKey, natsConnection* nc, std::string url, int64_t timeout_ms)
    : nc_(nc), url_(std::move(url)), timeout_ms_(timeout_ms), async_(std::make_unique<Async>()) {
  async_->url = url_;
}

Bus::~Bus() {
  bool answered = AwaitPublishes(0, timeout_ms_).ok();
  if (!answered && js_ != nullptr) {
    // Taken back from the client, they are never answered.
    natsMsgList list{};
    if (js_PublishAsyncGetPendingList(&list, js_) == NATS_OK) {
      std::lock_guard<std::mutex> lock(async_->mutex);
      for (int i = 0; i < list.Count; ++i) {
        if (async_->pending.erase(list.Msgs[i]) > 0) --async_->unanswered;
      }
      answered = async_->unanswered == 0;
      natsMsgList_Destroy(&list);
    }
  }
  {
    std::lock_guard<std::mutex> lock(async_->mutex);
    async_->closed = true;
    answered = answered && async_->unanswered == 0;
  }
  if (js_ != nullptr) jsCtx_Destroy(js_);
  natsConnection_Destroy(nc_);
  // An answer may still be on its way on a client thread: what it reaches must stay.
  if (!answered) (void)async_.release();
}

void Bus::OnPublished(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  Async& async = *static_cast<Async*>(closure);
  std::function<void(absl::Status)> done;
  {
    std::lock_guard<std::mutex> lock(async.mutex);
    auto it = async.pending.find(msg);
    if (async.closed || it == async.pending.end()) {  // nothing awaits it (any more)
      natsMsg_Destroy(msg);
      return;
    }
    done = std::move(it->second);
    async.pending.erase(it);
  }
  absl::Status status;
  if (ack == nullptr) {
    status = Failure(error != nullptr ? error->Err : NATS_ERR,
                     error != nullptr ? error->ErrCode : static_cast<jsErrCode>(0),
                     StrCat("publishing to ", natsMsg_GetSubject(msg), " at ", async.url));
  }
  natsMsg_Destroy(msg);
  done(std::move(status));
  std::lock_guard<std::mutex> lock(async.mutex);
  --async.unanswered;
  async.answered.notify_all();
}

absl::Status Bus::PublishAsync(const std::string& subject, std::string_view data,
                               const std::string& msg_id, std::function<void(absl::Status)> done) {
  KZ_ASSIGN_OR_RETURN(natsMsg * raw, NewMessage(subject, data, {}));
  {
    std::lock_guard<std::mutex> lock(async_->mutex);
    async_->pending.emplace(raw, std::move(done));
    ++async_->unanswered;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout_ms_;
  if (!msg_id.empty()) po.MsgId = msg_id.c_str();
  natsMsg* sent = raw;  // the client owns it once sent (and sets `sent` to null)
  const natsStatus s = js_PublishMsgAsync(js_, &sent, &po);
  if (s == NATS_OK) return absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(async_->mutex);
    async_->pending.erase(raw);
    --async_->unanswered;
    async_->answered.notify_all();
  }
  if (sent != nullptr) natsMsg_Destroy(sent);
  return Failure(s, static_cast<jsErrCode>(0), StrCat("publishing to ", subject, " at ", url_));
}

absl::Status Bus::AwaitPublishes(size_t at_most, int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(async_->mutex);
  if (!async_->answered.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                 [&] { return async_->unanswered <= at_most; })) {
    return absl::DeadlineExceededError(StrCat(async_->unanswered, " publishes to ", url_,
                                              " unanswered after ", timeout_ms, " ms"));
  }
  return absl::OkStatus();
}

absl::Status Bus::EnsureStream(const StreamSpec& spec) {
  if (spec.name.empty() || spec.name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(
        StrCat("stream name '", spec.name, "': 1 to ", kMaxNameBytes, " bytes"));
  }
  std::vector<const char*> subjects;
  for (const std::string& s : spec.subjects) subjects.push_back(s.c_str());
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Retention = spec.retention == Retention::kWorkQueue ? js_WorkQueuePolicy : js_LimitsPolicy;
  cfg.Storage = js_FileStorage;
  cfg.MaxMsgsPerSubject = spec.max_msgs_per_subject;
  cfg.MaxAge = spec.max_age_s * kNanosPerSecond;
  cfg.Duplicates = spec.duplicate_window_s * kNanosPerSecond;
  cfg.MaxBytes = spec.max_bytes;
  cfg.MaxMsgSize = static_cast<int32_t>(kMaxPayloadBytes);
  cfg.AllowDirect = true;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &code);
  if (s != NATS_OK && code == JSStreamNameExistErr) {
    code = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&info, js_, &cfg, nullptr, &code);
  }
  std::unique_ptr<jsStreamInfo, StreamInfoCloser> owned(info);
  if (s != NATS_OK) return Failure(s, code, StrCat("stream ", spec.name, " at ", url_));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Bus::LastSequence(const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &code);
  std::unique_ptr<jsStreamInfo, StreamInfoCloser> owned(info);
  if (s != NATS_OK) return Failure(s, code, StrCat("stream ", stream, " at ", url_));
  return info->State.LastSeq;
}

absl::StatusOr<PublishAck> Bus::Publish(const std::string& subject, std::string_view data,
                                        const Headers& headers, const std::string& msg_id) {
  KZ_ASSIGN_OR_RETURN(natsMsg * raw, NewMessage(subject, data, headers));
  Message msg(raw);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout_ms_;
  if (!msg_id.empty()) po.MsgId = msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_PublishMsg(&ack, js_, raw, &po, &code);
  std::unique_ptr<jsPubAck, PubAckCloser> owned(ack);
  if (s != NATS_OK) return Failure(s, code, StrCat("publishing to ", subject, " at ", url_));
  return PublishAck{ack->Sequence, ack->Duplicate};
}

absl::StatusOr<std::optional<Message>> Bus::GetLast(const std::string& stream,
                                                    const std::string& subject) {
  natsMsg* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&raw, js_, stream.c_str(), subject.c_str(), nullptr, &code);
  if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr || code == JSStreamNotFoundErr) {
    return std::optional<Message>();
  }
  if (s != NATS_OK) return Failure(s, code, StrCat("last message of ", subject, " in ", stream));
  return std::optional<Message>(Message(raw));
}

absl::StatusOr<std::unique_ptr<PullConsumer>> Bus::Consume(const ConsumerSpec& spec) {
  if (spec.durable.size() > kMaxNameBytes ||
      spec.durable.find_first_of(". *>") != std::string::npos) {
    return absl::InvalidArgumentError(StrCat("consumer name '", spec.durable, "': at most ",
                                             kMaxNameBytes,
                                             " bytes, without '.', '*', '>' or spaces"));
  }
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = spec.stream.c_str();
  so.Config.AckPolicy = spec.ack ? js_AckExplicit : js_AckNone;
  so.Config.AckWait = spec.ack_wait_ms * kNanosPerMilli;
  so.Config.MaxAckPending = spec.max_ack_pending;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const std::string name = spec.durable.empty() ? StrCat("(ephemeral) on ", spec.stream)
                                                : StrCat(spec.durable, " on ", spec.stream);
  natsStatus s =
      js_PullSubscribe(&sub, js_, spec.subject.c_str(),
                       spec.durable.empty() ? nullptr : spec.durable.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) return Failure(s, code, StrCat("consumer ", name, " at ", url_));
  return std::make_unique<PullConsumer>(BusKey(), sub, name);
}

}  // namespace kizuna::bus
