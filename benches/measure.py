#!/usr/bin/env python3
"""Benchmark arithmetic for benches/run.sh (stdlib only).

`measure.py row ...` turns one scenario's raw measurements into a JSON row:
requests sent (report.json `requests`), the minimum the answer needs (computed
from the `scale` seed, see `minimum()`), the floor, the ratio, RSS and 429s.
`measure.py table rows.jsonl` prints the table and the linearity check.
It never talks to the network; run.sh collects the inputs.
"""
import json
import math
import sys


def seed_counts(n, share):
    """What `sandbox::seed::scale(n, share, now)` holds, replayed exactly:
    n issues in WoW (all open, one priority label each), of which `updated`
    were updated after the week start; every second updated one (2nd, 4th, ...)
    was moved to Next WoW and back after the week start (a late addition)."""
    share = min(max(share, 0.0), 1.0)
    updated = 0
    late = 0
    for i in range(n):
        if math.floor((i + 1) * share) > math.floor(i * share):
            updated += 1
            if updated % 2 == 0:
                late += 1
    return updated, late


def minimum(n, share):
    """The fewest requests the answer of `wowctl run` needs on the scale seed at
    2026-11-25T09:00Z (a Wednesday after this week's rotation: `closed(D)` exists
    and is closed, `WoW` and `Next WoW` are open, nothing is due), by method.

    Rotation (SPEC "Rotation"):
      1  GET open milestones (state=active): finds WoW, Next WoW, stray ones
      1  GET milestones title=closed(D): it is closed, so not in the list above;
         whether it exists decides "due"
      0  GET closed `WoW` by title: titles are unique, closed ones included
         (gitlab-api.md §2), so with an open WoW in the list there is none
      1  GET open issues of closed(D): "open issues left in closed(D) -> move them"
      0  writes: nothing is missing
    Audit (SPEC "Audit rules"):
      ceil(n/100)  GET issues of WoW, state=all, per_page=100 (unscheduled, priority)
      K            GET resource_milestone_events, one page each, for the WoW issues
                   updated since week_start, not carried over by this run, and
                   without ~unscheduled/~outage (K = updated here)
      0  GET open issues of Next WoW: only `priority` needs it, and that rule has
         nothing to check without `labels.priorities` (empty by default)
      2  GET open ~outage and open ~"(perceived) data loss" issues (handoff: the
         labels filter ANDs, so one list per label)
      1  GET labels (label_definitions; 7 labels, one page)
      0  open milestones for stray_milestones: the rotation's list is that list
      F  PUT add_labels ~unscheduled, one per finding (the late additions;
         grace 0, every move came after week_start)
    Report (SPEC "A report people read": the markdown's trend of recent weeks):
      1  GET closed milestones titled like closed(...)
      C  GET closed issues of each closed week, one page each (the seed has one
         closed week, C = 1; at most report.history_weeks)
    Token (SPEC "Token expiry"):
      1  GET /personal_access_tokens/self, once per run
    """
    updated, late = seed_counts(n, share)
    closed_weeks = 1
    get = 1 + 1 + 1 + math.ceil(n / 100) + updated + 2 + 1 + 1 + closed_weeks + 1
    return {"GET": get, "POST": 0, "PUT": late, "DELETE": 0}, updated, late


def row(args):
    (name, n, share, latency_ms, rate, concurrency, report_path, log_path, wall, rss_kb) = args
    n, share, latency_ms = int(n), float(share), float(latency_ms)
    rate = int(rate) if rate not in ("", "0", "none") else None
    concurrency = int(concurrency)
    with open(report_path) as f:
        report = json.load(f)
    with open(log_path) as f:
        log = json.load(f)
    sent = {k: int(v) for k, v in report.get("requests", {}).items()}
    total = sum(sent.values())
    want, updated, late = minimum(n, share)
    need = sum(want.values())
    # Every request costs one latency; `concurrency` run at once.
    latency_floor = total * latency_ms / 1000.0 / concurrency
    # Fixed 60 s window (GitLab's throttle, the sandbox's too): the first `rate`
    # requests go at once, each further `rate` waits one more window.
    rate_floor = 0.0
    if rate:
        rate_floor = (math.ceil(total / rate) - 1) * 60.0
    floor = max(latency_floor, rate_floor)
    wall = float(wall)
    findings = report.get("audit", {}).get("findings", [])
    out = {
        "scenario": name,
        "issues": n,
        "latency_ms": latency_ms,
        "rate_limit": rate,
        "concurrency": concurrency,
        "sent": sent,
        "sent_total": total,
        "server_seen": len(log),
        "minimum": want,
        "minimum_total": need,
        "request_ratio": round(total / need, 3) if need else None,
        "wall_s": wall,
        "floor_s": round(floor, 3),
        "wall_ratio": round(wall / floor, 2) if floor else None,
        "rate_budget_s": round(total / rate * 60.0, 2) if rate else None,
        "rss_mib": round(int(rss_kb) / 1024.0, 1),
        "throttled_429": sum(1 for r in log if r.get("status") == 429),
        "findings": len(findings),
        "expected_findings": late,
        "rotation": report.get("rotation", {}).get("status"),
        "exit_code": report.get("exit_code"),
        "errors": report.get("errors", []),
    }
    print(json.dumps(out))


def verdict(ok):
    return "met" if ok else "NOT MET"


def table(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    print()
    print("| scenario | GET | POST | PUT | DELETE | sent | minimum | ratio | wall s | floor s | wall/floor | RSS MiB | 429s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s = r["sent"]
        print(
            f"| {r['scenario']} | {s.get('GET', 0)} | {s.get('POST', 0)} | {s.get('PUT', 0)} | {s.get('DELETE', 0)} "
            f"| {r['sent_total']} | {r['minimum_total']} | {r['request_ratio']:.2f} | {r['wall_s']:.2f} "
            f"| {r['floor_s']:.2f} | {r['wall_ratio'] if r['wall_ratio'] is not None else '-'} "
            f"| {r['rss_mib']} | {r['throttled_429']} |"
        )
    print()
    for r in rows:
        if r["errors"] or r["findings"] != r["expected_findings"]:
            print(f"WARNING {r['scenario']}: errors={r['errors']} findings={r['findings']} "
                  f"expected={r['expected_findings']}")
    by = {r["scenario"]: r for r in rows}
    checks = []
    for r in rows:
        checks.append((f"{r['scenario']}: requests = minimum", r["request_ratio"] == 1.0))
        if r["rate_limit"]:
            checks.append((f"{r['scenario']}: zero 429s", r["throttled_429"] == 0))
            checks.append((f"{r['scenario']}: wall <= 1.2 x requests / limit ({r['rate_budget_s']} s)",
                           r["wall_s"] <= 1.2 * r["rate_budget_s"]))
        elif r["issues"] >= 10000:
            checks.append((f"{r['scenario']}: wall <= 1.3 x floor", r["wall_ratio"] <= 1.3))
            checks.append((f"{r['scenario']}: peak RSS < 64 MiB", r["rss_mib"] < 64))
    small, big = by.get("1k-20ms"), by.get("10k-20ms")
    if small and big:
        scale = big["issues"] / small["issues"]
        req = big["sent_total"] / small["sent_total"]
        tim = big["wall_s"] / small["wall_s"]
        checks.append((f"linear: {scale:.0f}x issues -> {req:.2f}x requests", req <= scale))
        checks.append((f"linear: {scale:.0f}x issues -> {tim:.2f}x wall time", tim <= scale))
    for what, ok in checks:
        print(f"  [{verdict(ok)}] {what}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "row" and len(sys.argv) == 12:
        row(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        sys.exit(table(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "minimum":
        print(json.dumps(minimum(int(sys.argv[2]), float(sys.argv[3]))))
    else:
        sys.exit("usage: measure.py row NAME N SHARE LATENCY_MS RATE CONCURRENCY REPORT LOG WALL RSS_KB"
                 " | table ROWS.jsonl | minimum N SHARE")
