#!/usr/bin/env bash
# Retakes the README's pictures of what wowctl publishes into GitLab, from a real run on the
# sandbox: docs/milestone-summary.png (the closed week's milestone with its summary),
# docs/report-issue.png (the weekly report issue) and docs/handoff-comment.png (an issue with
# wowctl's hand-off comment).
#
# It builds wowctl, starts `wowctl sandbox` (the demo tracker) on a free port, applies one
# `wowctl run` with every publishing option on, reads what was written back through the
# sandbox's REST API, draws it as GitLab would show it to a project member (render.py) and
# photographs the pages with headless Chromium. There is no GitLab here: the pages imitate
# GitLab's layout and its Markdown and reference rendering (render.py says how far).
#
# Needs: cargo, curl, jq, python3 (a venv under target/ gets markdown-it-py and Pillow from
# PyPI), Chromium and an emoji font (installed from Debian when missing). Touches nothing
# outside docs/*.png and target/gitlab-preview/.
#
# Usage: docs/gitlab-preview/render.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

NOW=2026-11-25T09:00:00Z      # a Wednesday: the demo tracker's week is due to rotate
CLOSED="WoW ending 2026-11-24"
WEEK=2026-11-25               # the report issue's week (its marker)
state=target/gitlab-preview
venv=$state/venv

need_deb() { # a Debian package, only when what it provides is missing
    echo "installing $1 (Debian) ..." >&2
    apt-get install -y -qq "$1" >/dev/null
}
[ -x /usr/bin/chromium ] || need_deb chromium
fc-list ':charset=2705' | grep -q . || need_deb fonts-noto-color-emoji
fc-list : family | grep -qx 'Inter' || need_deb fonts-inter
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'markdown-it-py[linkify]==3.0.0' 'mdit-py-plugins==0.4.2' 'pillow==11.0.0'
fi

cargo build -q
wowctl=$root/target/debug/wowctl

work=$(mktemp -d)
sandbox_pid=
stop() {
    [ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT

# The sandbox on a free port; it prints its address and token on its first line.
"$wowctl" sandbox --port 0 --now "$NOW" >"$work/sandbox.out" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$work/sandbox.out" && break
    sleep 0.1
done
api=$(sed -n 's/.*listening on \(http[^ ]*\) .*/\1/p' "$work/sandbox.out")
token=$(sed -n 's/.*(token: \([^)]*\)).*/\1/p' "$work/sandbox.out")
[ -n "$api" ] && [ -n "$token" ] || { cat "$work/sandbox.out" >&2; exit 1; }
web=${api%/api/v4}/production/infrastructure

# One applied run with everything published, in a clean environment, as a scheduled CI job
# would run it (the CI_* links are the ones such a job has; the sandbox serves no pipelines).
mkdir "$work/run"
cat >"$work/run/.wow.yml" <<'EOF'
report:
  formats: [markdown, json]
  publish:
    milestone_summary: true
    issue: true
    issue_labels: ["wow-report"]
    handoff_comment: true
    handoff_mentions: ["@production-oncall"]
    explain_fixes: true
EOF
(cd "$work/run" && env -i PATH="$PATH" HOME="$HOME" \
    WOW_API_URL="$api" WOW_TOKEN="$token" WOW_PROJECT=1 WOW_NOW="$NOW" \
    CI_PROJECT_ID=1 CI_PROJECT_PATH=production/infrastructure CI_PROJECT_URL="$web" CI_PIPELINE_URL="$web/-/pipelines/1042" CI_JOB_URL="$web/-/jobs/5120" \
    "$wowctl" run --dry-run=false >"$work/run.log" 2>&1) || { cat "$work/run.log" >&2; exit 1; }

# Read back what GitLab holds now.
data=$work/data
mkdir "$data"
get() { curl -fsS -H "PRIVATE-TOKEN: $token" "$api$1"; }
get_all() { # every page of a list, as one JSON array
    local page=1 sep='?'
    [[ $1 == *'?'* ]] && sep='&'
    while [ -n "$page" ]; do
        curl -fsS -D "$work/headers" -H "PRIVATE-TOKEN: $token" \
            "$api$1${sep}per_page=100&page=$page" >"$work/page.$page.json"
        page=$(sed -n 's/^x-next-page: *\([0-9]*\).*/\1/ip' "$work/headers" | tr -d '\r')
    done
    jq -s 'add' $(ls "$work"/page.*.json | sort -t. -k2 -n)
    rm -f "$work"/page.*.json
}
get /projects/1 >"$data/project.json"
get_all /projects/1/labels >"$data/labels.json"
get_all '/projects/1/milestones?state=all' >"$data/milestones.json"
get_all '/projects/1/issues?state=all' >"$data/issues.json"
jq -e --arg t "$CLOSED" 'map(select(.title == $t)) | first' "$data/milestones.json" \
    >"$data/milestone.json"
get_all "/projects/1/milestones/$(jq .id "$data/milestone.json")/issues" >"$data/milestone_issues.json"
get_all '/projects/1/issues?labels=wow-report&state=all' |
    jq -e --arg m "<!-- wowctl:report week=$WEEK" \
        'map(select(.description // "" | startswith($m))) | first' >"$data/report_issue.json"
get_all "/projects/1/issues/$(jq .iid "$data/report_issue.json")/notes?sort=asc" \
    >"$data/report_notes.json"
# The hand-off comment shown: on the first issue with a `handoff` finding that has an
# assignee (its comment mentions both the assignee and handoff_mentions), else the first.
handoff=$(jq -r '[.audit.findings[] | select(.rule == "handoff")]
    | (map(select(.message | test("assigned to"))) + .) | first | .issue_iid' \
    "$work/run/wow-report/report.json")
get "/projects/1/issues/$handoff" >"$data/handoff_issue.json"
get_all "/projects/1/issues/$handoff/notes?sort=asc" >"$data/handoff_notes.json"

kill "$sandbox_pid"
wait "$sandbox_pid" 2>/dev/null || true
sandbox_pid=

"$venv/bin/python" "$here/render.py" "$data" "$work/html"

shoot() { # page, png: a tall window, then cut below the last line
    local profile
    profile=$(mktemp -d)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --screenshot="$work/shot.png" \
        --window-size=1100,4000 "file://$work/html/$1" >"$work/chromium.log" 2>&1 ||
        { cat "$work/chromium.log" >&2; exit 1; }
    rm -rf "$profile"
    echo "docs/$2: $("$venv/bin/python" "$here/render.py" crop "$work/shot.png" "docs/$2")," \
        "$(stat -c %s "docs/$2") bytes"
}
shoot milestone.html milestone-summary.png
shoot report-issue.html report-issue.png
shoot handoff-comment.html handoff-comment.png
