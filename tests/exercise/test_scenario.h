// Kizuna. A small scenario shared by the exercise tests.
#pragma once

#include <string>

namespace kizuna::exercise::testing {

// Two teams, two steps in "ja" (one covered by DNS and TLS, one internal and uncovered), one
// step in "us", a DNS look-alike, background at `rate` events per second.
inline std::string SmallScenario(const std::string& rate = "2") {
  return R"(meta:
  id: small-ex
  title: Small
  t0: 2026-11-02T00:00:00Z
  duration: 1h
  seed: 7
teams:
  - id: ja
    nation: JPN
    role: blue
    network: 10.1.0.0/16
    hosts:
      - {name: ws1, address: 10.1.1.1}
      - {name: dc1, address: 10.1.0.10}
  - id: us
    nation: USA
    role: blue
    network: 10.2.0.0/16
actors:
  - {id: red, attack_group: G1001}
procedures:
  - id: p1
    actor: red
    steps:
      - id: s-c2
        technique: T0869
        team: ja
        source: ws1
        window: {start: 5m, end: 20m}
        artefacts:
          dns: [{query: evil.example, answers: [203.0.113.9]}]
          tls: [{dst: 203.0.113.9, sni: evil.example}]
          repeat: 3
        detection: {deadline: 10m}
      - id: s-lateral
        technique: T0886
        team: ja
        source: ws1
        target: dc1
        window: {start: 30m, end: 31m}
        artefacts:
          connections: [{dst: dc1, port: 3389}]
        detection: {deadline: 10m}
      - id: s-us
        technique: T0865
        team: us
        source: 10.2.1.5
        window: {start: 40m, end: 41m}
        artefacts:
          files: [{dst: 203.0.113.20, name: a.docm, sha256: 1111111111111111111111111111111111111111111111111111111111111111}]
        detection: {deadline: 10m}
background:
  - {team: ja, records_per_second: )" +
         rate + R"(}
  - {team: us, records_per_second: )" +
         rate + R"(}
lookalikes:
  - name: near-evil
    team: ja
    window: {start: 0m, end: 50m}
    artefacts:
      dns: [{query: evil.example.net}]
      repeat: 2
sharing:
  - {id: o1, from: ja, to: [us], step: s-c2, by: 1h}
)";
}

}  // namespace kizuna::exercise::testing
