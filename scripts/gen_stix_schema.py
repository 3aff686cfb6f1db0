#!/usr/bin/env python3
"""Generates Kizuna's STIX schema table from the data file.

Reads  src/kizuna/stix/schema/stix21.txt   (format documented at the top of that file)
Writes src/kizuna/stix/internal/schema_table.cc

  scripts/gen_stix_schema.py            regenerate the committed table
  scripts/gen_stix_schema.py --check    exit 1 (and show a diff) if the committed table is stale
  scripts/gen_stix_schema.py --out F    write to F instead

Python 3 standard library only. The build does not run this script: the generated file is
committed, and CTest's stix_schema_table_up_to_date runs --check.
"""

import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join("src", "kizuna", "stix", "schema", "stix21.txt")
OUT = os.path.join("src", "kizuna", "stix", "internal", "schema_table.cc")

MAX_PROPERTIES = 64
MAX_SLOTS = 8
FLAG_BITS = {
    "required": ["kRequired20", "kRequired21"],
    "required20": ["kRequired20"],
    "required21": ["kRequired21"],
    "only20": ["kOnly20"],
    "only21": ["kOnly21"],
    "ms": ["kMillis"],
}
SCALARS = {
    "skip": "kSkip", "string": "kString", "boolean": "kBoolean", "timestamp": "kTimestamp",
    "binary": "kBinary", "hex": "kHex", "hashes": "kHashes", "langtag": "kLangTag",
    "extensions": "kExtensions", "container": "kContainer", "contents": "kLanguageContents",
    "any": "kAny", "reserved": "kReserved",
}
DICT_VALUES = {
    None: "kAny", "string": "kString", "integer": "kInteger", "intstr": "kIntegerOrString",
    "strlist": "kStringList",
}
SPEC_CLASSES = {"sdo": "kSdo", "sro": "kSro", "sco": "kSco", "meta": "kMeta",
                "custom": "kCustom"}
GROUPS = {"@any": "kGroupAny", "@sdo": "kGroupSdo", "@sro": "kGroupSro", "@sco": "kGroupSco",
          "@meta": "kGroupMeta", "@custom": "kGroupCustom"}


# '#' starts a comment at the start of a line or after white space ("c#" is a vocabulary term).
COMMENT_RE = re.compile(r"(^|\s)#.*$")


class SchemaError(Exception):
    pass


class Prop:
    def __init__(self, name, kind, flags, own):
        self.name, self.kind, self.flags, self.own = name, kind, flags, own


class Block:
    """A `common`, `type`, `struct` or `extension` block of the data file."""

    def __init__(self, what, name, line):
        self.what, self.name, self.line = what, name, line
        self.spec_class, self.section, self.owner = None, "", ""
        self.props = {}          # name -> Prop, in declaration order
        self.forbid = []
        self.constraints = []    # (op, [names])
        self.rule = None         # (name, [captured names])
        self.nonempty = None     # [extra names] or None
        self.since21 = False


def fail(line, message):
    raise SchemaError("%s:%d: %s" % (DATA, line, message))


def parse(text):
    vocabs, classes, blocks, order = {}, {}, {}, []
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = COMMENT_RE.sub("", raw).rstrip()
        if not line.strip():
            continue
        words = line.split()
        if not raw[0].isspace():
            current = None
            head = words[0]
            if head in ("vocab", "enum", "class"):
                name, _, rest = line[len(head):].partition(":")
                name = name.strip()
                if not rest.strip():
                    fail(number, "%s %s has no members" % (head, name))
                if head == "class":
                    classes[name] = rest.split()
                else:
                    vocabs[name] = (head == "enum", rest.split())
            elif head in ("common", "type", "struct", "extension"):
                current = Block(head, words[1], number)
                if head == "type":
                    if len(words) != 4 or words[2] not in SPEC_CLASSES:
                        fail(number, "expected: type NAME KIND SECTION")
                    current.spec_class, current.section = SPEC_CLASSES[words[2]], words[3]
                elif head == "struct":
                    current.spec_class, current.section = "kStruct", words[2]
                elif head == "extension":
                    if len(words) != 5 or words[2] != "on":
                        fail(number, "expected: extension NAME on TYPE SECTION")
                    current.spec_class = "kExtension"
                    current.owner, current.section = words[3], words[4]
                key = (head if head == "common" else "object", current.name)
                if key in blocks:
                    fail(number, "%s %s defined twice" % key)
                blocks[key] = current
                order.append(current)
            else:
                fail(number, "unknown line '%s'" % head)
            continue
        if current is None:
            fail(number, "indented line outside a block")
        directive(current, words, number, blocks)
    return vocabs, classes, blocks, order


def directive(block, words, number, blocks):
    head = words[0]
    if head == "include":
        common = blocks.get(("common", words[1]))
        if common is None:
            fail(number, "unknown common block %s" % words[1])
        for prop in common.props.values():
            block.props[prop.name] = Prop(prop.name, prop.kind, prop.flags, False)
        block.forbid += common.forbid
        block.constraints += common.constraints
    elif head == "forbid":
        block.forbid += words[1:]
    elif head == "order":
        if len(words) != 4 or words[2] not in (">=", ">"):
            fail(number, "expected: order A >= B | order A > B")
        block.constraints.append(("kOrderGe" if words[2] == ">=" else "kOrderGt",
                                  [words[1], words[3]]))
    elif head in ("oneof", "anyof"):
        block.constraints.append(("kOneOf" if head == "oneof" else "kAnyOf", words[1:]))
    elif head == "requires":
        block.constraints.append(("kRequires", words[1:3]))
    elif head == "nonempty":
        block.nonempty = [w.lstrip("+") for w in words[1:]]
    elif head == "rule":
        block.rule = (words[1], words[2:])
    elif head == "since":
        block.since21 = words[1:] == ["2.1"]
    else:
        flags = words[2:]
        for flag in flags:
            if flag not in FLAG_BITS:
                fail(number, "unknown flag %s" % flag)
        block.props.pop(head, None)
        block.props[head] = Prop(head, parse_kind(words[1], number), flags, True)


KIND_RE = re.compile(r"^(\w[\w-]*)(?:\((.*)\)|\[(.*)\])?$")


def parse_kind(text, number):
    """Returns a dict describing the value kind of a property."""
    match = KIND_RE.match(text)
    if not match:
        fail(number, "bad kind %s" % text)
    head, paren, bracket = match.groups()
    if head == "list":
        inner = parse_kind(paren, number)
        if inner.get("list"):
            fail(number, "lists of lists are not used by STIX")
        inner["list"] = True
        return inner
    if head in SCALARS and paren is None and bracket is None:
        return {"kind": SCALARS[head]}
    if head in ("integer", "float"):
        kind = {"kind": "kInteger" if head == "integer" else "kFloat"}
        if bracket is not None:
            low, _, high = bracket.partition(",")
            if low.strip():
                kind["min"] = float(low)
            if high.strip():
                kind["max"] = float(high)
        return kind
    if head == "ref":
        return {"kind": "kIdentifier", "class": paren}
    if head in ("vocab", "enum"):
        return {"kind": "kOpenVocab" if head == "vocab" else "kEnum", "vocab": paren,
                "closed": head == "enum"}
    if head == "struct":
        return {"kind": "kStruct", "struct": paren}
    if head == "dict":
        if paren not in DICT_VALUES:
            fail(number, "bad dictionary value kind %s" % paren)
        return {"kind": "kDictionary", "dict": DICT_VALUES[paren]}
    fail(number, "unknown kind %s" % text)
    return None


def property_hash(name):
    """PropertyHash of kizuna/stix/internal/schema.h (the two must agree)."""
    if not name:
        return 0
    data = name.encode("ascii")
    h = len(data)
    for c in (data[0], data[len(data) // 2], data[-1]):
        h = (h * 131 + c) & 0xFFFFFFFF
    return h ^ (h >> 7)


def lookup_table(names):
    """Open-addressing table: power-of-two size >= 2 * len(names), slots hold index + 1."""
    size = 4
    while size < 2 * len(names):
        size *= 2
    table = [0] * size
    for index, name in enumerate(names):
        i = property_hash(name) & (size - 1)
        while table[i]:
            i = (i + 1) & (size - 1)
        table[i] = index + 1
    return table


def cpp_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ident(text):
    return re.sub(r"[^A-Za-z0-9]", "_", text)


def camel(text):
    return "k" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", text) if part)


def number_literal(value):
    return repr(float(value)) if value is not None else "0.0"


class Generator:
    def __init__(self, vocabs, classes, blocks, order):
        self.vocabs, self.classes, self.blocks, self.order = vocabs, classes, blocks, order
        self.vocab_names = sorted(vocabs)
        self.class_names = list(classes)
        self.objects = [b for b in order if b.what != "common"]
        self.types = sorted((b for b in self.objects if b.what == "type" and b.name != "*"),
                            key=lambda b: b.name)
        self.structs = [b for b in self.objects if b.what == "struct"]
        self.extensions = sorted((b for b in self.objects if b.what == "extension"),
                                 key=lambda b: b.name)
        custom = [b for b in self.objects if b.what == "type" and b.name == "*"]
        if len(custom) != 1:
            raise SchemaError("%s: expected exactly one `type * custom` block" % DATA)
        self.custom = custom[0]
        self.struct_index = {b.name: i for i, b in enumerate(self.structs)}
        self.type_names = {b.name for b in self.types}

    def class_of(self, text, block):
        """Returns the class index for a ref(...) argument, adding ad-hoc type classes."""
        if text not in self.classes:
            for member in text.split(","):
                if member not in self.type_names:
                    fail(block.line, "%s: ref(%s): unknown class or type" % (block.name, text))
            self.classes[text] = text.split(",")
            self.class_names.append(text)
        return self.class_names.index(text)

    def spec(self, block):
        """Returns the C++ text of one object's arrays, and its ObjectSpec initializer."""
        name = block.name if block.name != "*" else "custom"
        props = sorted(block.props.values(), key=lambda p: p.name)
        for forbidden in block.forbid:
            if forbidden not in block.props:
                props.append(Prop(forbidden, {"kind": "kSkip"}, ["forbidden"], False))
        props.sort(key=lambda p: p.name)
        if len(props) > MAX_PROPERTIES:
            fail(block.line, "%s has more than %d properties" % (name, MAX_PROPERTIES))
        index = {p.name: i for i, p in enumerate(props)}

        def prop_index(prop_name):
            if prop_name not in index:
                fail(block.line, "%s: unknown property %s" % (name, prop_name))
            return index[prop_name]

        captured = []
        if block.rule:
            captured += [prop_index(n) for n in block.rule[1]]
        constraints = []
        for op, names in block.constraints:
            indices = [prop_index(n) for n in names]
            if op in ("kOrderGe", "kOrderGt"):
                for i in indices:
                    if props[i].kind["kind"] != "kTimestamp":
                        fail(block.line, "%s: order on non-timestamp %s" % (name, props[i].name))
                    if i not in captured:
                        captured.append(i)
                constraints.append((op, captured.index(indices[0]), captured.index(indices[1]), 0))
            elif op == "kRequires":
                constraints.append((op, indices[0], indices[1], 0))
            else:
                constraints.append((op, 0, 0, sum(1 << i for i in indices)))
        if len(captured) > MAX_SLOTS:
            fail(block.line, "%s captures more than %d properties" % (name, MAX_SLOTS))
        nonempty = 0
        if block.nonempty is not None:
            for p in props:
                if p.own and not any(f.startswith("required") for f in p.flags):
                    nonempty |= 1 << index[p.name]
            for extra in block.nonempty:
                nonempty |= 1 << prop_index(extra)
        required = [index[p.name] for p in block.props.values()
                    if any(f.startswith("required") for f in p.flags)]

        tag = ident(("%s_%s" % (block.what, name)))
        out = ["constexpr PropertySpec kProps_%s[] = {" % tag]
        for p in props:
            out.append("    " + self.property(p, captured.index(index[p.name])
                                              if index[p.name] in captured else None, block))
        out.append("};")
        out.append("constexpr uint8_t kLookup_%s[] = {%s};" % (
            tag, ", ".join(str(v) for v in lookup_table([p.name for p in props]))))
        arrays = {"required": required, "captured": captured}
        for key, values in arrays.items():
            if values:
                out.append("constexpr uint8_t k%s_%s[] = {%s};" % (
                    key.capitalize(), tag, ", ".join(str(v) for v in values)))
        if constraints:
            out.append("constexpr Constraint kConstraints_%s[] = {" % tag)
            for op, a, b, mask in constraints:
                out.append("    {ConstraintOp::%s, %d, %d, 0x%xULL}," % (op, a, b, mask))
            out.append("};")

        def span(kind, array, present):
            return "std::span<const %s>(k%s_%s)" % (kind, array, tag) if present else "{}"

        rule = "Rule::%s" % camel(block.rule[0]) if block.rule else "Rule::kNone"
        init = ("{%s, %s, SpecClass::%s, %s, %s, std::span<const PropertySpec>(kProps_%s), "
                "std::span<const uint8_t>(kLookup_%s), %s, %s, %s, 0x%xULL, %s}" % (
                    cpp_string(name), cpp_string(block.section), block.spec_class,
                    "true" if block.since21 else "false", cpp_string(block.owner), tag, tag,
                    span("uint8_t", "Required", required),
                    span("Constraint", "Constraints", constraints),
                    span("uint8_t", "Captured", captured), nonempty, rule))
        return out, init

    def property(self, prop, slot, block):
        kind = prop.kind
        flags = [bit for f in prop.flags if f != "forbidden" for bit in FLAG_BITS[f]]
        if "forbidden" in prop.flags:
            flags.append("kForbidden")
        if kind.get("list"):
            flags.append("kList")
        if "min" in kind:
            flags.append("kHasMin")
        if "max" in kind:
            flags.append("kHasMax")
        arg = 0
        if kind["kind"] == "kIdentifier":
            arg = self.class_of(kind["class"], block)
        elif kind["kind"] in ("kOpenVocab", "kEnum"):
            if kind["vocab"] not in self.vocabs:
                fail(block.line, "%s: unknown vocabulary %s" % (prop.name, kind["vocab"]))
            if self.vocabs[kind["vocab"]][0] != kind["closed"]:
                fail(block.line, "%s: %s is declared as the other of vocab/enum" % (
                    prop.name, kind["vocab"]))
            arg = self.vocab_names.index(kind["vocab"])
        elif kind["kind"] == "kStruct":
            if kind["struct"] not in self.struct_index:
                fail(block.line, "%s: unknown struct %s" % (prop.name, kind["struct"]))
            arg = self.struct_index[kind["struct"]]
        return "{%s, ValueKind::%s, DictValue::%s, %s, %s, %d, %s, %s}," % (
            cpp_string(prop.name), kind["kind"], kind.get("dict", "kAny"),
            " | ".join(flags) if flags else "0", "kNoSlot" if slot is None else str(slot), arg,
            number_literal(kind.get("min")), number_literal(kind.get("max")))

    def generate(self):
        body, inits = [], {}
        for block in self.types + self.structs + self.extensions + [self.custom]:
            text, init = self.spec(block)
            body += text
            inits[id(block)] = init
        for ext in self.extensions:
            if ext.owner not in self.type_names:
                fail(ext.line, "extension %s on unknown type %s" % (ext.name, ext.owner))
        out = [
            "// Kizuna. STIX object model tables.",
            "// Generated by scripts/gen_stix_schema.py from src/kizuna/stix/schema/stix21.txt.",
            "// Do not edit: change the data file and run the script.",
            '#include "kizuna/stix/internal/schema.h"',
            "",
            "namespace kizuna::stix_internal {",
            "namespace {",
            "",
            "// clang-format off",
        ]
        for i, name in enumerate(self.vocab_names):
            out.append("constexpr std::string_view kTerms%d[] = {%s};  // %s" % (
                i, ", ".join(cpp_string(t) for t in self.vocabs[name][1]), name))
        out += body
        for i, name in enumerate(self.class_names):
            members = [m for m in self.classes[name] if not m.startswith("@")]
            for m in members:
                if m not in self.type_names:
                    raise SchemaError("%s: class %s: unknown type %s" % (DATA, name, m))
            if members:
                out.append("constexpr std::string_view kClassTypes%d[] = {%s};" % (
                    i, ", ".join(cpp_string(m) for m in members)))
        out.append("constexpr Vocabulary kVocabularyArray[] = {")
        for i, name in enumerate(self.vocab_names):
            out.append("    {%s, %s, std::span<const std::string_view>(kTerms%d)}," % (
                cpp_string(name), "true" if self.vocabs[name][0] else "false", i))
        out.append("};")
        out.append("constexpr TargetClass kClassArray[] = {")
        for i, name in enumerate(self.class_names):
            members = self.classes[name]
            groups = [GROUPS[m] for m in members if m.startswith("@")]
            types = [m for m in members if not m.startswith("@")]
            label = " or ".join(GROUPS.get(m, m).replace("kGroup", "").lower()
                                if m.startswith("@") else m for m in members)
            label = label.replace("sdo", "SDO").replace("sco", "SCO").replace(
                "sro", "SRO").replace("custom", "custom object")
            out.append("    {%s, %s, %s}," % (
                cpp_string(label), " | ".join(groups) if groups else "0",
                "std::span<const std::string_view>(kClassTypes%d)" % i if types else "{}"))
        out.append("};")
        for label, blocks in (("Type", self.types), ("Struct", self.structs),
                              ("Extension", self.extensions)):
            out.append("constexpr ObjectSpec k%sArray[] = {" % label)
            for b in blocks:
                out.append("    %s," % inits[id(b)])
            out.append("};")
        out.append("constexpr ObjectSpec kCustomSpec = %s;" % inits[id(self.custom)])
        out += [
            "// clang-format on",
            "",
            "}  // namespace",
            "",
            "const std::span<const ObjectSpec> kTypes(kTypeArray);",
            "const std::span<const ObjectSpec> kStructs(kStructArray);",
            "const std::span<const ObjectSpec> kExtensions(kExtensionArray);",
            "const ObjectSpec& kCustomType = kCustomSpec;",
            "const std::span<const TargetClass> kClasses(kClassArray);",
            "const std::span<const Vocabulary> kVocabularies(kVocabularyArray);",
            "",
            "}  // namespace kizuna::stix_internal",
            "",
        ]
        return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed table differs from a fresh one")
    parser.add_argument("--out", help="output path (default: %s)" % OUT)
    args = parser.parse_args()
    with open(os.path.join(ROOT, DATA), encoding="utf-8") as f:
        text = f.read()
    try:
        generated = Generator(*parse(text)).generate()
    except SchemaError as e:
        print("gen_stix_schema: %s" % e, file=sys.stderr)
        return 2
    out = args.out or os.path.join(ROOT, OUT)
    if args.check:
        try:
            with open(out, encoding="utf-8") as f:
                committed = f.read()
        except OSError as e:
            print("gen_stix_schema: cannot read %s: %s" % (out, e), file=sys.stderr)
            return 1
        if committed != generated:
            sys.stdout.writelines(difflib.unified_diff(
                committed.splitlines(True), generated.splitlines(True), OUT + " (committed)",
                OUT + " (from " + DATA + ")"))
            print("gen_stix_schema: %s is stale; run scripts/gen_stix_schema.py" % OUT,
                  file=sys.stderr)
            return 1
        return 0
    with open(out, "w", encoding="utf-8") as f:
        f.write(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
