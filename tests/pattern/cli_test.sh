#!/bin/sh
# Runs the real `kizuna` binary: exit codes of `pattern check` / `pattern match`, what they
# print, and the caret under a parse error. Usage: cli_test.sh KIZUNA DATA_DIR
set -u
kizuna=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect CODE DESCRIPTION COMMAND...: runs COMMAND, keeps stdout/stderr in $tmp/out, $tmp/err.
expect() {
  want=$1
  what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"
    sed 's/^/  stdout: /' "$tmp/out"
    sed 's/^/  stderr: /' "$tmp/err"
    failures=$((failures + 1))
  fi
}

# contains FILE TEXT DESCRIPTION
contains() {
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: '$2' not in output:"
    sed 's/^/  /' "$1"
    failures=$((failures + 1))
  fi
}

expect 0 "check valid" "$kizuna" pattern check "[file:name == 'a']"
contains "$tmp/out" "[file:name = 'a']" "check prints the canonical form"

expect 1 "check invalid" "$kizuna" pattern check "[file:size = ]"
contains "$tmp/err" "offset 13: syntax: expected a value" "check names the problem"
contains "$tmp/err" "  [file:size = ]" "check shows the pattern"
# The caret sits under column 13 (two spaces of indent, then 13 more).
contains "$tmp/err" "               ^" "check draws the caret"
if grep -q "^                ^" "$tmp/err"; then
  echo "FAIL: caret one column too far right"
  failures=$((failures + 1))
fi

expect 1 "check invalid (validator)" "$kizuna" pattern check "[a:b = 1] WITHIN 0 SECONDS"
contains "$tmp/err" "within-not-positive" "validator reason"

expect 0 "check --json" "$kizuna" pattern check --json "[a:b = 1] REPEATS 2 TIMES"
contains "$tmp/out" '"tree":{"node":"repeats"' "json tree"
contains "$tmp/out" '"root_types":["a"]' "json requirements"

expect 0 "check 2.0 START string" "$kizuna" pattern check --stix-version 2.0 \
  "[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'"
expect 1 "check 2.1 START string" "$kizuna" pattern check --stix-version 2.1 \
  "[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'"
expect 2 "check bad version" "$kizuna" pattern check --stix-version 3.0 "[a:b = 1]"
expect 2 "check without pattern" "$kizuna" pattern check

expect 0 "match bundle" "$kizuna" pattern match "[domain-name:value = 'evil.example']" \
  "$data/bundle.json"
contains "$tmp/out" "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf" "match prints the id"
expect 0 "match two observations" "$kizuna" pattern match \
  "[domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value ISSUBSET '198.51.100.0/24']" \
  "$data/bundle.json"
if [ "$(wc -l <"$tmp/out")" -ne 2 ]; then
  echo "FAIL: expected two ids"
  failures=$((failures + 1))
fi
expect 1 "no match" "$kizuna" pattern match "[domain-name:value = 'good.example']" "$data/bundle.json"
expect 0 "match json lines, number_observed" "$kizuna" pattern match \
  "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] REPEATS 2 TIMES" "$data/lines.jsonl"
expect 0 "match several files together" "$kizuna" pattern match \
  "[file:name = 'dropper.exe'] AND [ipv4-addr:value = '198.51.100.3']" \
  "$data/bundle.json" "$data/lines.jsonl"
expect 0 "match stdin" sh -c "\"$kizuna\" pattern match \"[file:name = 'dropper.exe']\" - <\"$data/lines.jsonl\""
gzip -c "$data/lines.jsonl" >"$tmp/lines.jsonl.gz"
expect 0 "match gzip" "$kizuna" pattern match "[file:name = 'dropper.exe']" "$tmp/lines.jsonl.gz"
expect 0 "match 2.0" "$kizuna" pattern match --stix-version 2.0 "[file:name = 'foo.dll']" "$data/v20.json"
expect 2 "match 2.1 observed-data in 2.0 mode" "$kizuna" pattern match --stix-version 2.0 \
  "[file:name = 'dropper.exe']" "$data/lines.jsonl"
contains "$tmp/err" "STIX 2.0 observed-data needs an 'objects' dictionary" "2.0 needs objects"
expect 2 "match invalid pattern" "$kizuna" pattern match "[file:name = ]" "$data/bundle.json"
contains "$tmp/err" "^" "match shows the caret too"
expect 2 "match missing file" "$kizuna" pattern match "[a:b = 1]" "$tmp/does-not-exist.json"
expect 2 "match broken json" "$kizuna" pattern match "[a:b = 1]" "$data/broken.json"
contains "$tmp/err" "broken.json" "error names the file"
expect 2 "match without files" "$kizuna" pattern match "[a:b = 1]"
# A bad observed-data is named by file, line, column and byte offset.
printf '{"type":"bundle","id":"bundle--1","objects":[\n{"type":"ipv4-addr","id":"ipv4-addr--1","value":"10.0.0.1"},\n  {"type":"observed-data","id":"observed-data--x","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]}]}\n' >"$tmp/bad.json"
expect 2 "match bad observed-data" "$kizuna" pattern match "[a:b = 1]" "$tmp/bad.json"
contains "$tmp/err" "bad.json: document 1, line 3, column 3 (byte 109), object observed-data--x: 'first_observed' is missing" \
  "error names file, line, column and byte"
# Evaluated while reading: the first matching observation in input order (its SCO comes
# after the second's), and an error further on still fails the whole run.
od='"first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1'
objects="{\"type\":\"observed-data\",\"id\":\"observed-data--1\",$od,\"object_refs\":[\"ipv4-addr--1\"]},
{\"type\":\"observed-data\",\"id\":\"observed-data--2\",$od,\"object_refs\":[\"ipv4-addr--2\"]},
{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--2\",\"value\":\"10.0.0.1\"},
{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"10.0.0.1\"}"
printf '{"type":"bundle","id":"bundle--1","objects":[%s]}\n' "$objects" >"$tmp/order.json"
expect 0 "match streams" "$kizuna" pattern match "[ipv4-addr:value = '10.0.0.1']" "$tmp/order.json"
if [ "$(cat "$tmp/out")" != "observed-data--1" ]; then
  echo "FAIL: expected the first observation in input order, got: $(cat "$tmp/out")"
  failures=$((failures + 1))
fi
printf '{"type":"bundle","id":"bundle--1","objects":[%s,\n{"type":"observed-data","id":"observed-data--3"}]}\n' \
  "$objects" >"$tmp/late-error.json"
expect 2 "match, error after the match" "$kizuna" pattern match "[ipv4-addr:value = '10.0.0.1']" \
  "$tmp/late-error.json"
contains "$tmp/err" "line 5, column 1 (byte" "late error located"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "pattern CLI: all checks passed"
