#!/usr/bin/env python3
"""Checks the layering of src/kizuna (run by scripts/banned_symbols.sh).

Each folder's CMakeLists.txt declares the folders it builds on: `kizuna_layer(NAME DEPENDS
A B ...)` (cmake/layers.cmake). A file of folder X may include `kizuna/Y/...` only when Y is
X or a folder X builds on, directly or through others; it never includes another folder's
`internal/`. The declarations must have no cycle. cli/ (the binary) may include every folder,
but no folder's internal/. Prints each violation (file:line: the include, and why) and exits
1 when there is one. `--root DIR` checks another tree (the test of this script plants
violations in a copy).
"""
import argparse
import pathlib
import re
import sys

LAYER = re.compile(r"kizuna_layer\(\s*([a-z_]+)((?:\s+[A-Za-z_]+)*)\s*\)")
INCLUDE = re.compile(r'^\s*#\s*include\s+"kizuna/([a-z_]+)/([^"]+)"')


def declarations(src):
    deps = {}
    for cmake in sorted(src.glob("*/CMakeLists.txt")):
        for m in LAYER.finditer(cmake.read_text()):
            words = m.group(2).split()
            if words and words[0] != "DEPENDS":
                sys.exit("%s: kizuna_layer(%s ...): expected DEPENDS" % (cmake, m.group(1)))
            deps[m.group(1)] = words[1:]
    return deps


def closure(deps):
    """Returns {folder: every folder it builds on}, and the cycles found."""
    below, cycles = {}, []

    def visit(name, path):
        if name in path:
            cycles.append(" -> ".join(path[path.index(name):] + [name]))
            return set()
        if name not in below:
            result = set()
            for d in deps.get(name, []):
                result |= {d} | visit(d, path + [name])
            below[name] = result
        return below[name]

    for name in deps:
        visit(name, [])
    return below, cycles


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent, type=pathlib.Path,
                    help="the project's root (default: this script's project)")
    root = ap.parse_args().root
    src = root / "src" / "kizuna"
    deps = declarations(src)
    below, cycles = closure(deps)
    problems = ["layer cycle: " + c for c in cycles]
    for name, ds in deps.items():
        problems += ["src/kizuna/%s/CMakeLists.txt: DEPENDS %s: no such layer" % (name, d)
                     for d in ds if d not in deps]
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cc", ".inc"):
            continue
        folder = path.relative_to(src).parts[0]
        if folder not in deps and folder != "cli":
            problems.append("%s: folder %s declares no layer (kizuna_layer in its CMakeLists.txt)"
                            % (path.relative_to(root), folder))
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or m.group(1) == folder:
                continue
            to, rest = m.group(1), m.group(2)
            where = "%s:%d: %s" % (path.relative_to(root), number, line.strip())
            if "internal/" in "/" + rest:
                problems.append("%s: %s/ may not include another folder's internal/" % (where, folder))
            elif folder != "cli" and to not in below.get(folder, set()):
                problems.append("%s: %s/ does not build on %s/ (declare it in src/kizuna/%s/CMakeLists.txt, "
                                "or move the code down)" % (where, folder, to, folder))
    for p in problems:
        print("layers: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
