// Kizuna. A thin wrapper of the NATS C client (libnats) for JetStream: connect, streams,
// publish with acknowledgement, durable pull consumers.
#pragma once

// Everything a shipper, a matcher worker and the node need of NATS JetStream, with errors as
// absl::Status naming the server, stream, subject or consumer:
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<Bus> bus, Bus::Connect({.url = "nats://127.0.0.1:4222"}));
//   KZ_RETURN_IF_ERROR(bus->EnsureStream({.name = "KIZUNA_TELEMETRY", .subjects =
//   {"kizuna.telemetry.>"}})); KZ_ASSIGN_OR_RETURN(PublishAck ack,
//   bus->Publish("kizuna.telemetry.zeek", data, headers, "id-1"));
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<PullConsumer> c, bus->Consume({.stream = ..., .durable =
//   "w"})); KZ_ASSIGN_OR_RETURN(std::vector<Message> batch, c->Fetch(16, 500)); for (Message& m :
//   batch) { ...; KZ_RETURN_IF_ERROR(m.Ack()); }
//
// Publishing waits for the stream's acknowledgement: a publish that returns OK is stored by
// the server. A message id (`Nats-Msg-Id`) makes the server drop a second message with the
// same id within the stream's duplicate window (PublishAck::duplicate).
// Connection errors are Unavailable; a server that refuses a request is FailedPrecondition
// (with JetStream's error code); a fetch that finds nothing in its time is an empty batch.
//
// PublishAsync does not wait: the stream's answer comes to a callback on a client thread, so
// a worker matches its next batch while the report of the last one is being stored.
//
// Thread-safety: a Bus may be used from several threads (libnats locks); a PullConsumer and
// a Message belong to one thread at a time.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/bus/nats_creds.h"

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;
struct __natsMsg;
struct jsPubAck;
struct jsPubAckErr;

namespace kizuna::bus {

// Largest message payload the wrappers publish (the server's default max_payload is 1 MiB).
inline constexpr int64_t kMaxPayloadBytes = 1 << 20;
// Longest name of a stream, consumer or subject accepted.
inline constexpr size_t kMaxNameBytes = 256;

struct BusOptions {
  // "nats://HOST:PORT", or "tls://HOST:PORT" for TLS (several, comma separated, one scheme,
  // for a cluster). A user and password in it ("nats://USER:PASSWORD@HOST:PORT") are sent to
  // the server and shown nowhere (RedactUrl).
  std::string url;
  // TLS, also with a nats:// URL when any of these is set. The server's certificate must be
  // signed by a CA of `tls_ca` (a PEM file; empty: the system's, kSystemCaFile) and carry
  // `tls_name` (empty: the URLs' host; required when they name several hosts).
  std::string tls_ca;
  std::string tls_name;
  // A client certificate (PEM chain) and its key, for servers that verify their clients.
  // Both or neither.
  std::string tls_cert;
  std::string tls_key;
  // NATS credentials: a JWT creds file (the user JWT and its NKey seed), or a user and
  // password. At most one of the two; neither: those of the URL, if any.
  std::string creds_file;
  std::string user;
  std::string password;
  // Connecting, and each JetStream request (stream and consumer management, publish
  // acknowledgement): a dead server is an error after this long rather than a hang.
  int64_t timeout_ms = 5000;
  // Reconnection attempts after a connection is lost (then calls fail with Unavailable).
  int max_reconnects = 60;
  // Shown by the server in its connection list.
  std::string client_name = "kizuna";
};

// The CAs trusted for a TLS server's certificate when BusOptions::tls_ca is empty (Debian's).
inline constexpr char kSystemCaFile[] = "/etc/ssl/certs/ca-certificates.crt";

// Checks `url` is nats://HOST:PORT or tls://HOST:PORT (or several of one scheme, comma
// separated). InvalidArgument naming it (without its credentials).
absl::Status CheckNatsUrl(std::string_view url);

enum class Retention { kLimits, kWorkQueue };

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  Retention retention = Retention::kLimits;
  int64_t max_msgs_per_subject = -1;  // -1: no limit; 1 keeps the last message of a subject
  int64_t max_age_s = 0;              // 0: kept until another limit drops them
  int64_t duplicate_window_s = 120;   // how long message ids are remembered
  int64_t max_bytes = -1;             // -1: no limit
};

struct PublishAck {
  uint64_t sequence = 0;
  bool duplicate = false;  // the stream already held a message with this id
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A message received from a stream. Owns the client's message; Ack/Nak reach the server.
class Message {
 public:
  explicit Message(__natsMsg* msg);
  ~Message();
  Message(Message&& other) noexcept;
  Message& operator=(Message&& other) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  std::string_view subject() const;
  std::string_view data() const;
  // The header's value, or nullopt.
  std::optional<std::string> Header(const char* key) const;
  // The stream sequence and how many times it was delivered (1 the first time); zeros for a
  // message read with Bus::GetLast.
  uint64_t stream_sequence() const { return stream_sequence_; }
  uint64_t delivered() const { return delivered_; }

  // Acknowledges and waits for the server's confirmation: after OK it is not redelivered.
  absl::Status Ack();
  // Acknowledges without waiting: an acknowledgement lost on the way makes the server
  // redeliver the message after the consumer's ack wait.
  absl::Status AckNoWait();
  // Asks for redelivery now (to this or another consumer of the durable).
  absl::Status Nak();
  // Resets the redelivery timer (long work on one message).
  absl::Status InProgress();

 private:
  __natsMsg* msg_;
  uint64_t stream_sequence_ = 0;
  uint64_t delivered_ = 0;
};

struct ConsumerSpec {
  std::string stream;
  std::string subject;          // filter; empty: the stream's subjects
  std::string durable;          // empty: an ephemeral consumer, gone with its subscription
  bool ack = true;              // false: delivered once, no acknowledgement (replays)
  int64_t ack_wait_ms = 30000;  // an unacknowledged message is redelivered after this
  int64_t max_ack_pending = 64;
};

class Bus;

// What only Bus can make: the constructors below take one.
class BusKey {
  friend class Bus;
  BusKey() = default;
};

// A pull subscription on a consumer (made by Bus::Consume).
class PullConsumer {
 public:
  PullConsumer(BusKey, __natsSubscription* sub, std::string name)
      : sub_(sub), name_(std::move(name)) {}
  ~PullConsumer();
  PullConsumer(const PullConsumer&) = delete;
  PullConsumer& operator=(const PullConsumer&) = delete;

  // Up to `max` messages, waiting up to `timeout_ms` for the first; empty when none came.
  absl::StatusOr<std::vector<Message>> Fetch(int max, int64_t timeout_ms);

 private:
  __natsSubscription* sub_;
  std::string name_;  // for errors
};

class Bus {
 public:
  // Connects. Unavailable naming the URL when no server answers within the timeout, or the
  // TLS handshake or the credentials fail (with the client's reason: certificate not trusted,
  // name mismatch, authorization violation); InvalidArgument for options that do not go
  // together or files that cannot be read (naming the file).
  static absl::StatusOr<std::unique_ptr<Bus>> Connect(const BusOptions& options);
  Bus(BusKey, __natsConnection* nc, std::string url, int64_t timeout_ms);
  // Waits (up to the timeout) for the answers to asynchronous publishes first; the `done` of
  // a publish still unanswered then is never called.
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Creates the stream, or updates it to `spec` when it exists.
  absl::Status EnsureStream(const StreamSpec& spec);
  // The last sequence number of a stream (0 when empty).
  absl::StatusOr<uint64_t> LastSequence(const std::string& stream);
  // Publishes and waits for the stream's acknowledgement. `msg_id` empty: none.
  absl::StatusOr<PublishAck> Publish(const std::string& subject, std::string_view data,
                                     const Headers& headers = {}, const std::string& msg_id = {});
  // Publishes without waiting. `done` is called once, on a client thread, with OK when the
  // stream stored the message, else the error (refused, or no answer within the timeout).
  // An error returned here means `done` will not be called. REQUIRES: `done` does not wait
  // for this Bus's asynchronous publishes.
  absl::Status PublishAsync(const std::string& subject, std::string_view data,
                            const std::string& msg_id, std::function<void(absl::Status)> done);
  // Waits until at most `at_most` asynchronous publishes await their answer (their `done`
  // returned). DeadlineExceeded after `timeout_ms`.
  absl::Status AwaitPublishes(size_t at_most, int64_t timeout_ms);

  // The last message of `subject` in `stream`; nullopt when it has none (or there is no
  // such stream yet).
  absl::StatusOr<std::optional<Message>> GetLast(const std::string& stream,
                                                 const std::string& subject);
  // Subscribes to a pull consumer, creating it (a durable one is shared by every subscriber
  // that names it: each message goes to one of them).
  absl::StatusOr<std::unique_ptr<PullConsumer>> Consume(const ConsumerSpec& spec);

  const std::string& url() const { return url_; }

 private:
  // Asynchronous publishes awaiting their answer. The client calls back with it as the
  // closure, on a thread of its own: it outlives the Bus when answers may still come.
  struct Async {
    std::string url;
    std::mutex mutex;
    std::condition_variable answered;
    // By message; `unanswered` also counts those whose `done` runs.
    absl::flat_hash_map<__natsMsg*, std::function<void(absl::Status)>> pending
        ABSL_GUARDED_BY(mutex);
    size_t unanswered ABSL_GUARDED_BY(mutex) = 0;
    bool closed ABSL_GUARDED_BY(mutex) = false;  // the Bus is gone: answers call nothing
  };
  // The client's answer to an asynchronous publish (closure: the Async).
  static void OnPublished(__jsCtx* js, __natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                          void* closure);

  __natsConnection* nc_;
  __jsCtx* js_ = nullptr;
  std::string url_;
  int64_t timeout_ms_;
  std::unique_ptr<Async> async_;  // released (closed) by ~Bus when answers are still due
  std::unique_ptr<NatsCreds> creds_;  // what the connection signs with (nats_creds.h)
};

}  // namespace kizuna::bus
