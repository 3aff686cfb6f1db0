#!/usr/bin/env python3
"""Writes N indicators as JSON lines for `kizuna import`: half domain names, half IPv4
addresses, distinct ids and values (the stores of bench/README.md, "`kizuna match` start-up
from the store"; 10,000,000 lines make 3.7 GB).

Usage: bench/indicator_lines.py N OUT.jsonl
"""
import sys
import uuid


def main():
    n, out = int(sys.argv[1]), open(sys.argv[2], "w", buffering=1 << 20)
    for i in range(n):
        u = uuid.UUID(int=(i * 2654435761 + 12345) % (1 << 122) | (4 << 76) | (1 << 63))
        if i % 2:
            pattern = "[ipv4-addr:value = '%d.%d.%d.%d']" % (10 + i % 200, (i >> 16) & 255, (i >> 8) & 255, i & 255)
        else:
            pattern = "[domain-name:value = 'h%d.bad-%d.example.com']" % (i, i % 997)
        out.write('{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2026-08-01T10:00:00.000Z",'
                  '"modified":"2026-08-01T10:00:00.000Z","name":"Indicator %d","indicator_types":["malicious-activity"],'
                  '"pattern":"%s","pattern_type":"stix","valid_from":"2026-08-01T10:00:00Z","labels":["bench"]}\n'
                  % (u, i, pattern))


if __name__ == "__main__":
    main()
