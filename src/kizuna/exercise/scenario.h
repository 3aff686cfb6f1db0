// Kizuna. An exercise scenario: what the white cell writes, as read from its YAML file.
#pragma once

// A scenario names the teams (a nation each, with its node, address plan, hosts and sensors),
// the red actors, the procedures they run (ordered steps, each an ATT&CK technique with the
// network artefacts it leaves, the STIX indicators those imply and the detection expected by a
// deadline), the background traffic of each team network with its benign look-alikes, the
// injects (the master scenario events list), the sharing objectives and the scoring weights.
// docs/exercise.md is the reference of the file format; scenario_parser.h reads it.
//
// Times inside a scenario are offsets in seconds from `meta.t0`. Every `line` is the 1-based
// line of the item in the scenario file, so later checks (technique ids, host names) can say
// where the problem is.
//
// Thread-safety: plain values.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kizuna::exercise {

// Most items of each list a scenario may hold (teams, hosts, steps, injects, ...).
inline constexpr size_t kMaxScenarioItems = 10'000;
// Largest scenario file read, in bytes.
inline constexpr uint64_t kMaxScenarioBytes = 16 << 20;
// Longest exercise, in seconds (30 days).
inline constexpr int64_t kMaxDurationSeconds = int64_t{30} * 24 * 3600;
// Most records per second of background traffic on one team network.
inline constexpr double kMaxBackgroundRate = 1'000'000;

enum class TeamRole : uint8_t { kBlue, kRed, kWhite };

struct Meta {
  std::string id;  // [a-z0-9-]+, names the exercise (and its marking)
  std::string title;
  int64_t t0_us = 0;          // start of the exercise, microseconds since the epoch
  int64_t duration_s = 0;     // 1..kMaxDurationSeconds
  uint64_t seed = 0;          // the generator's seed: same seed, same bytes
  std::string tlp = "amber";  // the scenario's own TLP (clear, green, amber, amber+strict, red)
};

struct Host {
  std::string name;
  std::string address;                // IPv4, inside the team's network
  std::vector<std::string> services;  // e.g. "smtp/25", "https/443"
  int line = 0;
};

struct Sensor {
  std::string name;
  std::string kind;  // zeek or suricata
};

struct Node {
  std::string url;                                 // https://host:port of the team's node
  std::string api_root;                            // TAXII API root name
  std::map<std::string, std::string> collections;  // purpose (injects, shares, sightings) -> alias
};

struct Team {
  std::string id;      // short name used in the scenario ("jpn")
  std::string nation;  // ISO 3166-1 alpha-3
  TeamRole role = TeamRole::kBlue;
  Node node;
  std::string network;     // IPv4 CIDR of the team network
  std::string dns_server;  // the resolver hosts ask (IPv4)
  std::vector<Host> hosts;
  std::vector<Sensor> sensors;
  int line = 0;
};

struct Actor {
  std::string id;
  std::string intrusion_set;  // the intrusion set's name
  std::string attack_group;   // ATT&CK group id (G####), resolved like techniques
  int line = 0;
  int attack_group_line = 0;
};

// What a step (or a look-alike) leaves on the network.
struct DnsArtefact {
  std::string query;
  std::string qtype = "A";
  std::vector<std::string> answers;
};
struct ConnArtefact {
  std::string dst;  // address, or a host name of the scenario
  uint16_t port = 0;
  std::string proto = "tcp";
  std::string service;
  uint64_t orig_bytes = 0;
  uint64_t resp_bytes = 0;
};
struct HttpArtefact {
  std::string dst;
  uint16_t port = 80;
  std::string method = "GET";
  std::string host;
  std::string uri = "/";
  std::string user_agent;
  uint16_t status = 200;
};
struct TlsArtefact {
  std::string dst;
  uint16_t port = 443;
  std::string sni;
  std::string subject;
  std::string issuer;
};
struct FileArtefact {
  std::string dst;  // where it came from (the server); the step's source when empty
  std::string name;
  std::string mime = "application/octet-stream";
  std::string md5, sha1, sha256;
  uint64_t size = 0;
};
struct NoticeArtefact {
  std::string note;  // e.g. "SSL::Invalid_Server_Cert"
  std::string msg;
};

struct Artefacts {
  std::vector<DnsArtefact> dns;
  std::vector<ConnArtefact> connections;
  std::vector<HttpArtefact> http;
  std::vector<TlsArtefact> tls;
  std::vector<FileArtefact> files;
  std::vector<NoticeArtefact> notices;
  uint32_t repeat = 1;  // how many times the whole set is left within the time window
  bool Empty() const {
    return dns.empty() && connections.empty() && http.empty() && tls.empty() && files.empty() &&
           notices.empty();
  }
};

struct Detection {
  std::string level =
      "technique";         // the ATT&CK Evaluations ladder: telemetry, general, tactic, technique
  int64_t deadline_s = 0;  // after the step's start
};

struct Step {
  std::string id;
  std::string technique;  // ATT&CK technique id (T####, T####.###)
  std::string actor;      // an Actor id
  std::string team;       // the team network it happens in
  std::string source;     // host name or address
  std::string target;     // host name or address
  int64_t start_s = 0;    // window, offsets from t0
  int64_t end_s = 0;
  Artefacts artefacts;
  std::vector<std::string> indicators;  // STIX patterns given by hand
  bool imply_indicators = true;         // also the patterns the artefacts imply (indicators.h)
  Detection detection;
  int line = 0;
  int technique_line = 0;
};

struct Procedure {
  std::string id;
  std::string actor;
  std::vector<Step> steps;
  int line = 0;
};

// Benign records that look like a step's artefacts and must not alert.
struct Lookalike {
  std::string name;
  std::string team;
  std::string source;  // host name or address; a host of the team when empty
  int64_t start_s = 0;
  int64_t end_s = 0;
  Artefacts artefacts;
  int line = 0;
};

struct Background {
  std::string team;
  double records_per_second = 0;      // events per scenario second on this network
  std::map<std::string, double> mix;  // dns, http, tls, conn, files: relative weights
  std::vector<std::string> domains;   // benign names the hosts resolve and visit
  int line = 0;
};

struct Inject {
  std::string id;
  int64_t at_s = 0;
  std::vector<std::string> audience;  // team ids
  std::string collection;             // channel: a TAXII collection purpose of the team's node
  std::string message;                // or channel: a message
  std::string content;                // STIX bundle file, relative to the scenario file
  std::string expected_action;
  int64_t deadline_s = 0;  // after `at_s`
  int line = 0;
};

struct SharingObjective {
  std::string id;
  std::string from;                        // team id
  std::vector<std::string> to;             // team ids
  std::string step;                        // the step whose indicators are to be shared
  int64_t by_s = 0;                        // deadline after the step's start
  std::string tlp;                         // the most restrictive TLP allowed
  std::vector<std::string> releasable_to;  // nations
  int line = 0;
};

struct Scenario {
  std::string file;  // where it was read from
  Meta meta;
  std::vector<Team> teams;
  std::vector<Actor> actors;
  std::vector<Procedure> procedures;
  std::vector<Background> background;
  std::vector<Lookalike> lookalikes;
  std::vector<Inject> injects;
  std::vector<SharingObjective> sharing;
  std::map<std::string, double> weights;  // detection, precision, sharing, injects

  const Team* FindTeam(std::string_view id) const;
  const Step* FindStep(std::string_view id) const;
  // Every step of every procedure, in scenario order.
  std::vector<const Step*> Steps() const;
  // The address of the host named `host_or_address` (in any team), else the text itself.
  std::string Address(std::string_view host_or_address) const;
};

std::string_view TeamRoleName(TeamRole role);

}  // namespace kizuna::exercise
