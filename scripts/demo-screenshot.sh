#!/usr/bin/env bash
# Drives the demo page in headless Chromium (Debian's package) the way a person would:
# opens the page, puts a clip into the upload field, presses Submit, waits for the
# confidences and figures, and saves a full-page screenshot. Not part of `make test`.
#
#   scripts/demo-screenshot.sh [OUT.png]
#   env: MODEL (default output/05-training/model.safetensors), EXAMPLES (output/02-eda/audio),
#        CLIP (default: the first .wav in EXAMPLES), DEMO_BIN (default: debug build of study-demo)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-output/demo-screenshot.png}"
MODEL="${MODEL:-output/05-training/model.safetensors}"
EXAMPLES="${EXAMPLES:-output/02-eda/audio}"
CLIP="${CLIP:-$(ls "$EXAMPLES"/*.wav 2>/dev/null | head -1 || true)}"
[ -f "$MODEL" ] || { echo "demo-screenshot: no model at $MODEL (run 'make study' first or set MODEL)" >&2; exit 1; }
[ -f "$CLIP" ] || { echo "demo-screenshot: no clip to upload (set CLIP or EXAMPLES)" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium
fi
if [ -z "${DEMO_BIN:-}" ]; then
  swift build --product study-demo >/dev/null
  DEMO_BIN=.build/debug/study-demo
fi

WORK="$(mktemp -d)"
DEMO_PID=""; CHROME_PID=""
cleanup() {
  [ -n "$CHROME_PID" ] && kill "$CHROME_PID" 2>/dev/null || true
  [ -n "$DEMO_PID" ] && kill "$DEMO_PID" 2>/dev/null || true
  wait 2>/dev/null || true; rm -rf "$WORK" 2>/dev/null || true
}
trap cleanup EXIT

# The demo on a free loopback port; its start-up line names the port.
"$DEMO_BIN" --model "$MODEL" --examples "$EXAMPLES" --port 0 >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!
for _ in $(seq 100); do grep -q "serving" "$WORK/demo.log" && break; sleep 0.1; done
URL="$(grep -o 'http://127.0.0.1:[0-9]*/' "$WORK/demo.log" | head -1)"
[ -n "$URL" ] || { cat "$WORK/demo.log" >&2; exit 1; }

chromium --headless --no-sandbox --disable-gpu --no-first-run --remote-debugging-port=0 \
  --user-data-dir="$WORK/profile" about:blank >"$WORK/chrome.log" 2>&1 &
CHROME_PID=$!
for _ in $(seq 100); do [ -s "$WORK/profile/DevToolsActivePort" ] && break; sleep 0.1; done
DEVTOOLS_PORT="$(head -1 "$WORK/profile/DevToolsActivePort")"

# A small DevTools-protocol client (Node's built-in WebSocket; no packages needed).
cat >"$WORK/drive.mjs" <<'JS'
const [devtoolsPort, pageURL, clip, out] = process.argv.slice(2);
const targets = await (await fetch(`http://127.0.0.1:${devtoolsPort}/json/list`)).json();
const ws = new WebSocket(targets.find(t => t.type === "page").webSocketDebuggerUrl);
await new Promise(r => ws.addEventListener("open", r));
let id = 0; const pending = new Map(); const events = [];
ws.addEventListener("message", m => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); } else events.push(msg);
});
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const n = ++id; pending.set(n, m => m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result));
  ws.send(JSON.stringify({ id: n, method, params }));
});
const evaluate = async expr => (await send("Runtime.evaluate", { expression: expr, returnByValue: true })).result.value;
const sleep = ms => new Promise(r => setTimeout(r, ms));

await send("Page.enable");
await send("Emulation.setDeviceMetricsOverride", { width: 1100, height: 900, deviceScaleFactor: 1, mobile: false });
await send("Page.navigate", { url: pageURL });
for (let i = 0; i < 100 && !(await evaluate("document.readyState === 'complete'")); i++) await sleep(100);
const { root } = await send("DOM.getDocument");
const { nodeId } = await send("DOM.querySelector", { nodeId: root.nodeId, selector: "#file" });
await send("DOM.setFileInputFiles", { nodeId, files: [clip] });
await evaluate("document.getElementById('file').dispatchEvent(new Event('change')); document.getElementById('submit').click()");
let done = false;
for (let i = 0; i < 300 && !done; i++) {
  await sleep(100);
  done = await evaluate(`(() => { const s = document.getElementById('spec'), e = document.getElementById('error');
    if (!e.hidden) throw new Error('page shows an error: ' + e.textContent);
    return !document.getElementById('result').hidden && s.complete && s.naturalWidth > 0; })()`);
}
if (!done) throw new Error("no result within 30 s");
const summary = await evaluate(`document.getElementById('verdict').textContent + ' | ' +
  [...document.querySelectorAll('#bars li')].map(li => li.textContent).join(', ')`);
const height = await evaluate("document.documentElement.scrollHeight");
await send("Emulation.setDeviceMetricsOverride", { width: 1100, height, deviceScaleFactor: 1, mobile: false });
await sleep(200);
const shot = await send("Page.captureScreenshot", { format: "png" });
(await import("node:fs")).writeFileSync(out, Buffer.from(shot.data, "base64"));
console.log(summary);
ws.close();
JS

mkdir -p "$(dirname "$OUT")"
node --experimental-websocket --no-warnings "$WORK/drive.mjs" "$DEVTOOLS_PORT" "$URL" "$(realpath "$CLIP")" "$(realpath -m "$OUT")"
echo "demo-screenshot: uploaded $CLIP, screenshot in $OUT"
