#!/usr/bin/env python3
"""Writes a STIX 2.1 bundle of generated observed-data and their SCOs, for `kizuna pattern
match` benchmarks (pattern_match_bench.py). Fixed seed: the same arguments give the same bytes.

Each observed-data references one SCO that follows it in the bundle: an ipv4-addr, a
domain-name or a file (name, size, MD5), in turn. One object per line inside the bundle's
list, about 470 bytes of JSON per observation (the issue's file: 93 MB for 200,000).

Usage: bench/observed_data.py --observations 200000 --out FILE [--seed 1]
"""
import argparse
import json
import random
import uuid


def make_id(rng, kind):
    return "%s--%s" % (kind, uuid.UUID(int=rng.getrandbits(128), version=4))


def scos(rng, i):
    """Returns the SCOs of observation i: an address, a domain name or a file, in turn."""
    shape = i % 3
    if shape == 0:
        return [{"type": "ipv4-addr", "spec_version": "2.1", "id": make_id(rng, "ipv4-addr"),
                 "value": "198.51.%d.%d" % (rng.randrange(256), rng.randrange(256))}]
    if shape == 1:
        return [{"type": "domain-name", "spec_version": "2.1", "id": make_id(rng, "domain-name"),
                 "value": "h%d.example%d.com" % (rng.randrange(100000), rng.randrange(50))}]
    return [{"type": "file", "spec_version": "2.1", "id": make_id(rng, "file"),
             "name": "f%d.exe" % rng.randrange(100000), "size": rng.randrange(1, 1 << 24),
             "hashes": {"MD5": "%032x" % rng.getrandbits(128)}}]


def write_bundle(path, observations, seed=1):
    """Writes the bundle to `path`; returns its size in bytes."""
    rng = random.Random(seed)
    with open(path, "w") as out:
        out.write('{"type":"bundle","id":"%s","objects":[\n' % make_id(rng, "bundle"))
        for i in range(observations):
            refs = scos(rng, i)
            second = 1700000000 + i
            stamp = "2023-11-%02dT%02d:%02d:%02dZ" % (14 + second // 86400 % 10, second // 3600 % 24,
                                                     second // 60 % 60, second % 60)
            observed = {"type": "observed-data", "spec_version": "2.1", "id": make_id(rng, "observed-data"),
                        "created": "2023-11-14T22:13:20.000Z", "modified": "2023-11-14T22:13:20.000Z",
                        "first_observed": stamp, "last_observed": stamp, "number_observed": 1,
                        "object_refs": [o["id"] for o in refs]}
            for obj in [observed] + refs:
                out.write("," if i or obj is not observed else "")
                out.write(json.dumps(obj, separators=(",", ":")))
                out.write("\n")
        out.write("]}\n")
        return out.tell()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=200000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    size = write_bundle(args.out, args.observations, args.seed)
    print(json.dumps({"file": args.out, "observations": args.observations, "bytes": size}))


if __name__ == "__main__":
    main()
