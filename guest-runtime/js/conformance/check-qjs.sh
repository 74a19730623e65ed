#!/usr/bin/env bash
# Runs every conformance node (or the named ones) on the prelude inside QuickJS-NG's qjs with a fake host
# (run-qjs.js) and compares the result with <name>.expected.json (what Deno/V8 returned, see run-deno.ts).
#
#   QJS=/path/to/qjs DENO=/path/to/deno ./check-qjs.sh [name ...]
#
# qjs: build it from the QuickJS-NG sources that rquickjs-sys vendors (the engine Javy embeds):
#   cd ~/.cargo/registry/src/*/rquickjs-sys-*/quickjs && gcc -O2 -D_GNU_SOURCE -I. -o /tmp/qjs qjs.c quickjs.c \
#     quickjs-libc.c libregexp.c libunicode.c dtoa.c gen/repl.c gen/standalone.c -lm -lpthread -ldl
# deno: `npm install deno` ships the binary (node_modules/.bin/deno); it only strips types (deno bundle) here.
# JAVY_TEXT_ENCODING_JS=<javy crate>/src/apis/text_encoding/text-encoding.js runs with Javy's native
# TextEncoder/TextDecoder installed first (as in the real runtime), over JS stand-ins for its Rust helpers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prelude="$(dirname "$here")"
QJS="${QJS:-qjs}"
DENO="${DENO:-deno}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in "$here"/*.ts; do
    n="$(basename "$f" .ts)"
    case "$n" in run-deno|echo-server) continue ;; esac
    names+=("$n")
  done
fi

sed 's|{{BASE_URL}}|http://echo.test|g' "$here/invocation.json" > "$work/invocation.json"
pass=0
fail=0
for n in "${names[@]}"; do
  "$DENO" bundle -q --config "$here/deno.json" "$here/$n.ts" -o "$work/$n.js"
  python3 - "$work/invocation.json" "$n" "$work/$n.invocation.json" <<'PY'
import json, sys
inv = json.load(open(sys.argv[1])); inv["node"] = sys.argv[2]
json.dump(inv, open(sys.argv[3], "w"))
PY
  flags=()
  if [ -n "${JAVY_TEXT_ENCODING_JS:-}" ]; then flags+=(--javy-text-encoding); fi
  TZ=UTC "$QJS" -m "$here/run-qjs.js" "$prelude" "$work/$n.js" "$work/$n.invocation.json" "${flags[@]}" \
    > "$work/$n.out" 2> "$work/$n.log" || true
  if python3 - "$here/$n.expected.json" "$work/$n.out" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
try:
    actual = json.loads(open(sys.argv[2]).read().strip().split("\n")[-1])
except Exception as error:
    print(f"  no result: {error}"); sys.exit(1)
if "error" in expected and "error" in actual:
    actual = {"error": {"message": actual["error"].get("message")}}
if expected == actual:
    sys.exit(0)
def walk(e, a, path):
    if type(e) != type(a):
        print(f"  {path}: expected {json.dumps(e, ensure_ascii=False)[:200]}, got {json.dumps(a, ensure_ascii=False)[:200]}"); return
    if isinstance(e, dict):
        for k in sorted(set(e) | set(a)):
            walk(e.get(k), a.get(k), f"{path}.{k}")
    elif isinstance(e, list) and len(e) == len(a):
        for i, (x, y) in enumerate(zip(e, a)):
            walk(x, y, f"{path}[{i}]")
    elif e != a:
        print(f"  {path}: expected {json.dumps(e, ensure_ascii=False)[:200]}, got {json.dumps(a, ensure_ascii=False)[:200]}")
walk(expected, actual, "")
sys.exit(1)
PY
  then
    echo "ok   $n"; pass=$((pass + 1))
  else
    echo "FAIL $n (log: $work/$n.log kept below)"; sed 's/^/  | /' "$work/$n.log" | head -20; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
