#!/usr/bin/env bash
# Runtime contract tests (qjs, fake host): each nodes/<name>.js runs with nodes/<name>.invocation.json (or a
# default invocation) and must produce nodes/<name>.expected.json: {"ok": <output>} or {"error": {"message"}}.
# They pin what V8 has no opinion on: output serialisation errors, uncaught callback errors, test mode.
#
#   QJS=/path/to/qjs ./check-qjs.sh        (see ../conformance/check-qjs.sh for building qjs)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prelude="$(dirname "$here")"
QJS="${QJS:-qjs}"
pass=0
fail=0
for node in "$here"/nodes/*.js; do
  name="$(basename "$node" .js)"
  invocation="$here/nodes/$name.invocation.json"
  [ -f "$invocation" ] || invocation=""
  out="$(TZ=UTC "$QJS" -m "$prelude/conformance/run-qjs.js" "$prelude" "$node" $invocation 2>/dev/null | tail -n 1 || true)"
  if python3 - "$here/nodes/$name.expected.json" "$out" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
try:
    actual = json.loads(sys.argv[2])
except Exception:
    print(f"  no result: {sys.argv[2][:300]}"); sys.exit(1)
if "error" in actual:
    actual = {"error": {"message": actual["error"].get("message")}}
if actual != expected:
    print(f"  expected {json.dumps(expected)}\n  got      {json.dumps(actual)}"); sys.exit(1)
PY
  then
    echo "ok   $name"; pass=$((pass + 1))
  else
    echo "FAIL $name"; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
