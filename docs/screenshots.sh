#!/bin/sh
# Screenshots of the demo's report.html for the README (docs/report.png, the
# desktop page; docs/report-phone.png, 390 px wide; docs/report-dark.png, dark
# mode), taken from a real `wowctl demo` run, and measurements of the page: its
# width at 390 px (must be no wider: no sideways scrolling) and where "Needs a
# person" starts.
#
# Not run in CI. Needs Debian's chromium and an emoji font
# (apt-get install -y chromium fonts-noto-color-emoji), python3, and a built
# wowctl (cargo build). Headless Chromium will not make a window narrower than
# 500 px, so the page is driven over the DevTools protocol (a pipe, no network
# port): the viewport is emulated at the exact width, dark mode through the
# emulated `prefers-color-scheme`, and the whole page is captured.
#
#   docs/screenshots.sh                       # the demo, pictures into docs/
#   docs/screenshots.sh --measure FILE.html   # measure any report.html, no pictures
set -eu
cd "$(dirname "$0")/.."

WOWCTL=${WOWCTL:-target/debug/wowctl}
NOW=${NOW:-2026-12-02T06:00:00Z}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = "--measure" ]; then
    page=$(realpath "$2")
    shots=""
else
    "$WOWCTL" demo --now "$NOW" --report-dir "$work/demo" -q >/dev/null
    page="$work/demo/report.html"
    shots="docs"
fi

python3 - "$page" "$work/profile" "$shots" <<'EOF'
import base64, json, os, subprocess, sys

page, profile, shots = sys.argv[1], sys.argv[2], sys.argv[3]
# Chromium reads commands on fd 3 and answers on fd 4.
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()

def child_fds():
    # Through high numbers first: either pipe end may already be fd 3 or 4.
    a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
    a2, b2 = os.dup2(a, 100), os.dup2(b, 101)
    os.dup2(a2, 3)
    os.dup2(b2, 4)

chrome = subprocess.Popen(
    ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
     "--no-first-run", "--disable-background-networking", "--disable-component-update",
     "--disable-sync", "--hide-scrollbars", "--remote-debugging-pipe",
     "--user-data-dir=" + profile, "about:blank"],
    pass_fds=(3, 4), preexec_fn=child_fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
send_to, read_from = os.fdopen(to_chrome_w, "wb"), os.fdopen(from_chrome_r, "rb")
counter = [0]
buffered = [b""]

def call(method, session=None, **params):
    counter[0] += 1
    msg = {"id": counter[0], "method": method, "params": params}
    if session:
        msg["sessionId"] = session
    send_to.write(json.dumps(msg).encode() + b"\0")
    send_to.flush()
    while True:
        while b"\0" not in buffered[0]:
            chunk = os.read(read_from.fileno(), 1 << 20)
            if not chunk:
                raise SystemExit("chromium went away")
            buffered[0] += chunk
        raw, buffered[0] = buffered[0].split(b"\0", 1)
        answer = json.loads(raw)
        if answer.get("id") == counter[0]:
            if "error" in answer:
                raise SystemExit(f"{method}: {answer['error']}")
            return answer["result"]

target = call("Target.createTarget", url="about:blank")["targetId"]
session = call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

MEASURE = """JSON.stringify((() => {
  const top = id => { const e = document.getElementById(id); return e ? Math.round(e.getBoundingClientRect().top + scrollY) : null; };
  return { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
           needs_a_person: top('needs-a-person'), rotation: top('rotation'), audit: top('audit'),
           dark: matchMedia('(prefers-color-scheme: dark)').matches };
})())"""

def view(width, dark, picture):
    call("Emulation.setDeviceMetricsOverride", session, width=width, height=900,
         deviceScaleFactor=1, mobile=width < 500)
    call("Emulation.setEmulatedMedia", session,
         features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])
    call("Page.enable", session)
    call("Page.navigate", session, url="file://" + page)
    # Wait for the load: the page is static and self-contained.
    for _ in range(100):
        state = call("Runtime.evaluate", session, expression="document.readyState")["result"]["value"]
        if state == "complete":
            break
    m = json.loads(call("Runtime.evaluate", session, expression=MEASURE)["result"]["value"])
    print(f"{width} px{' dark' if dark else ''}: page {m['width']} x {m['height']} px, "
          f"'Needs a person' at {m['needs_a_person']} px, rotation at {m['rotation']} px, "
          f"audit at {m['audit']} px"
          f"{'' if m['width'] <= width else '  <-- WIDER THAN THE SCREEN'}")
    if picture:
        call("Emulation.setDeviceMetricsOverride", session, width=width, height=m["height"],
             deviceScaleFactor=1, mobile=width < 500)
        shot = call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
        with open(picture, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"  wrote {picture}")

view(1280, False, shots and f"{shots}/report.png")
view(390, False, shots and f"{shots}/report-phone.png")
view(390, True, shots and f"{shots}/report-dark.png")
call("Browser.close")
chrome.wait(timeout=30)
EOF
