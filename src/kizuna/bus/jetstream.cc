// Kizuna. The NATS JetStream wrapper (jetstream.h) over libnats.
#include "kizuna/bus/jetstream.h"

#include <nats/nats.h>

#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

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

}  // namespace

absl::Status CheckNatsUrl(std::string_view url) {
  if (url.empty()) return absl::InvalidArgumentError("NATS URL: empty (expected nats://HOST:PORT)");
  if (url.size() > 4096) return absl::InvalidArgumentError("NATS URL: longer than 4096 bytes");
  size_t start = 0;
  while (start <= url.size()) {
    const size_t comma = std::min(url.find(',', start), url.size());
    const std::string_view one = url.substr(start, comma - start);
    const std::string_view rest = one.substr(std::min<size_t>(one.size(), 7));
    const size_t colon = rest.rfind(':');
    if (!one.starts_with("nats://") || rest.empty() || rest.find('/') != std::string_view::npos ||
        colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
      return absl::InvalidArgumentError(StrCat("NATS URL '", RedactUrl(one), "': expected nats://HOST:PORT"));
    }
    start = comma + 1;
  }
  return absl::OkStatus();
}

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
  KZ_RETURN_IF_ERROR(CheckNatsUrl(options.url));
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK)
    return absl::ResourceExhaustedError("NATS options: out of memory");
  std::unique_ptr<natsOptions, OptionsCloser> opts(raw);
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
    return absl::UnavailableError(
        StrCat("connecting to ", RedactUrl(options.url), ": ", natsStatus_GetText(s)));
  }
  jsOptions jso;
  jsOptions_Init(&jso);
  jso.Wait = options.timeout_ms;
  jsCtx* js = nullptr;
  s = natsConnection_JetStream(&js, nc, &jso);
  if (s != NATS_OK) {
    natsConnection_Destroy(nc);
    return Failure(s, static_cast<jsErrCode>(0), StrCat("JetStream at ", RedactUrl(options.url)));
  }
  return std::make_unique<Bus>(BusKey(), nc, js, RedactUrl(options.url), options.timeout_ms);
}

Bus::~Bus() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(nc_);
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
  if (static_cast<int64_t>(data.size()) > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(StrCat("publishing to ", subject, ": ", data.size(),
                                             " bytes, more than the ", kMaxPayloadBytes,
                                             " allowed"));
  }
  natsMsg* raw = nullptr;
  natsStatus s =
      natsMsg_Create(&raw, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) return Failure(s, static_cast<jsErrCode>(0), StrCat("message to ", subject));
  Message msg(raw);
  for (const auto& [key, value] : headers) {
    if (natsMsgHeader_Set(raw, key.c_str(), value.c_str()) != NATS_OK) {
      return absl::InvalidArgumentError(StrCat("message to ", subject, ": header ", key));
    }
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout_ms_;
  if (!msg_id.empty()) po.MsgId = msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, js_, raw, &po, &code);
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
