"""Draws what wowctl published into the sandbox as a project member would see it in GitLab.

render.sh reads the sandbox's REST API into a folder of JSON files; this script turns them into
three HTML pages (the closed week's milestone, the weekly report issue, an issue with a hand-off
comment) for headless Chromium to photograph. It is a preview, not GitLab: the Markdown is
CommonMark + GitLab's table, task-list, strikethrough and autolink extensions, and GitLab's
references (#12, #12+, ~label, ~"two words", ~"scoped::label", %"milestone", @user) are drawn
the way GitLab's reference filters draw them, from what the API returned. It talks to nothing and
changes nothing: it only reads the JSON files and writes HTML.

Usage: render.py DATA_DIR OUT_DIR      the three pages
       render.py crop SHOT.png OUT.png  the screenshot cut below its last line, made small
"""

import html
import json
import re
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin


def load(data, name):
    return json.loads((data / name).read_text(encoding="utf-8"))


def when(s):
    # "Z" spelled out: Python before 3.11 does not read it.
    return datetime.fromisoformat(s.replace("Z", "+00:00")) if s else None


def day(s):
    """A date as GitLab writes it on a milestone page: Nov 18, 2026."""
    d = datetime.strptime(s, "%Y-%m-%d")
    return f"{d:%b} {d.day}, {d.year}"


def ago(t, now):
    """GitLab's relative times (timeago): just now, 3 minutes ago, 1 day ago, 2 weeks ago."""
    s = max(0, int((now - t).total_seconds()))
    for size, unit in ((604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if s >= size:
            n = s // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def truncate(text, size):
    """Ruby's String#truncate: the omission counts towards the size."""
    return text if len(text) <= size else text[: size - 3] + "..."


def esc(s):
    return html.escape(s, quote=True)


class Tracker:
    """What the sandbox's API said about the project, indexed for drawing references."""

    def __init__(self, data):
        self.project = load(data, "project.json")
        self.web = self.project["web_url"]
        # The instance's address: the project's web URL without its path.
        self.base = self.web[: -len(self.project["path_with_namespace"]) - 1]
        self.issues = {i["iid"]: i for i in load(data, "issues.json")}
        self.labels = {lb["name"]: lb for lb in load(data, "labels.json")}
        self.labels_by_id = {lb["id"]: lb for lb in self.labels.values()}
        self.milestones = load(data, "milestones.json")

    def milestone(self, name=None, iid=None):
        for m in self.milestones:
            if (name is not None and m["title"] == name) or (iid is not None and m["iid"] == iid):
                return m
        return None


# GitLab's reference patterns (app/models/{issue,label,milestone}.rb and the user filter),
# project-local and cross-project (`group/project#12`) forms.
PROJECT = r"(?:(?P<ns>[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)+))?"
LABEL_WORD = r"[A-Za-z0-9_\-?.&]+"
REFERENCE = re.compile(
    r"(?<![\w/])(?:"
    + PROJECT
    + r"#(?P<issue>\d+)(?P<format>\+s?)?(?!\w)"
    + r"|~(?:(?P<label_id>\d+)(?!\S\w)\b|\"(?P<label_q>.+?)\"|(?P<label>"
    + LABEL_WORD
    + r"(?::{1,2}"
    + LABEL_WORD
    + r")*)(?<![.?]))"
    + r"|%(?:\"(?P<ms_q>[^\"]+)\"|(?P<ms_iid>\d+)\b|(?P<ms>[^\"\s]+)\b)"
    + r"|@(?P<user>[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)"
    + r")"
)


def label_chip(lb, tracker):
    """A label as GitLab draws it: a coloured pill; a scoped label in two halves."""
    href = esc(f"{tracker.web}/-/issues?label_name[]={quote(lb['name'])}")
    bg, fg = lb["color"], lb.get("text_color") or "#FFFFFF"
    scope, _, value = lb["name"].rpartition("::")
    if scope:
        return (
            f'<a class="gl-label scoped" href="{href}" style="--bg:{bg};--fg:{fg}">'
            f'<span class="key">{esc(scope)}</span><span class="value">{esc(value)}</span></a>'
        )
    return (
        f'<a class="gl-label" href="{href}" style="--bg:{bg};--fg:{fg}">'
        f'<span class="key">{esc(lb["name"])}</span></a>'
    )


def draw_reference(m, tracker):
    """The HTML GitLab would put in place of one reference, or None when GitLab leaves the
    text as it is (no such issue, label or milestone)."""
    if m.group("issue"):
        if m.group("ns") and m.group("ns") != tracker.project["path_with_namespace"]:
            return None  # another project: not read by render.sh
        issue = tracker.issues.get(int(m.group("issue")))
        if issue is None:
            return None
        ref = "#" + m.group("issue")
        closed = issue["state"] == "closed"
        if m.group("format"):
            # IssuableReferenceExpansionFilter: "Title (#12 - closed)"
            text = f"{truncate(issue['title'], 50)} ({ref}{' - closed' if closed else ''})"
        else:
            text = ref + (" (closed)" if closed else "")
        return f'<a class="gfm" href="{esc(issue["web_url"])}" title="{esc(issue["title"])}">{esc(text)}</a>'
    if m.group("label_id") or m.group("label_q") or m.group("label"):
        if m.group("label_id"):
            lb = tracker.labels_by_id.get(int(m.group("label_id")))
        else:
            lb = tracker.labels.get(m.group("label_q") or m.group("label"))
        return label_chip(lb, tracker) if lb else None
    if m.group("ms_q") or m.group("ms_iid") or m.group("ms"):
        ms = (
            tracker.milestone(iid=int(m.group("ms_iid")))
            if m.group("ms_iid")
            else tracker.milestone(name=m.group("ms_q") or m.group("ms"))
        )
        if ms is None:
            return None
        return f'<a class="gfm" href="{esc(ms["web_url"])}">%{esc(ms["title"])}</a>'
    if m.group("user"):
        # GitLab links a mention only when a user or group of that name exists; the sandbox has
        # no users API, so every mention is drawn as an existing one.
        user = m.group("user")
        return f'<a class="gfm mention" href="{esc(tracker.base)}/{esc(user)}">@{esc(user)}</a>'
    return None


def references_rule(tracker):
    """A markdown-it core rule that draws references in text, never inside links or code, and
    never from an escaped character (`\\#12` stays text, as on GitLab)."""

    def rule(state):
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            out, in_link = [], 0
            for tok in block.children:
                if tok.type == "link_open":
                    in_link += 1
                elif tok.type == "link_close":
                    in_link -= 1
                if tok.type != "text" or in_link:
                    out.append(tok)
                    continue
                pos = 0
                for m in REFERENCE.finditer(tok.content):
                    drawn = draw_reference(m, tracker)
                    if drawn is None:
                        continue
                    if m.start() > pos:
                        t = Token("text", "", 0)
                        t.content = tok.content[pos : m.start()]
                        out.append(t)
                    h = Token("html_inline", "", 0)
                    h.content = drawn
                    out.append(h)
                    pos = m.end()
                if pos == 0:
                    out.append(tok)
                elif pos < len(tok.content):
                    t = Token("text", "", 0)
                    t.content = tok.content[pos:]
                    out.append(t)
            block.children = out

    return rule


def gfm(tracker):
    md = MarkdownIt("commonmark", {"html": True, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(tasklists_plugin)
    md.core.ruler.before("text_join", "gitlab_references", references_rule(tracker))
    # GitLab's sanitizer drops HTML comments (the wowctl markers) and scripts; a browser hides
    # comments anyway, so they are left in.
    return md


CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #333238; font: 14px/1.5 Inter, "GitLab Sans",
  "Liberation Sans", sans-serif; }
a { color: #1f75cb; text-decoration: none; }
.top { height: 40px; background: #fbfafd; border-bottom: 1px solid #e4e3e8; display: flex;
  align-items: center; padding: 0 24px; color: #626168; font-size: 13px; }
.top b { color: #333238; margin-right: 8px; }
.page { display: flex; gap: 32px; padding: 16px 24px 24px; }
.main { flex: 1; min-width: 0; }
.side { width: 250px; flex: none; border-left: 1px solid #e4e3e8; padding-left: 16px;
  font-size: 13px; }
.side .row { padding: 10px 0; border-bottom: 1px solid #ececef; }
.side .row:last-child { border-bottom: 0; }
.side .name { font-weight: 600; color: #333238; margin-bottom: 4px; }
.side .none { color: #737278; }
.crumbs { color: #626168; font-size: 13px; margin-bottom: 12px; }
.crumbs span { margin: 0 6px; color: #a4a3a8; }
.head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; color: #626168;
  font-size: 13px; }
.badge { display: inline-flex; align-items: center; gap: 4px; border-radius: 12px; padding: 1px 9px;
  font-size: 12px; font-weight: 600; }
.badge.open { background: #c3e6cd; color: #24663b; }
.badge.closed { background: #cbe2f9; color: #0b5cad; }
h1.title { font-size: 24px; font-weight: 600; margin: 8px 0 12px; color: #18171d; }
.md { overflow-wrap: anywhere; }
.md h1, .md h2 { font-size: 1.45em; border-bottom: 1px solid #dcdcde; padding-bottom: .3em;
  margin: 1.2em 0 .6em; font-weight: 600; }
.md h2 { font-size: 1.3em; }
.md h3 { font-size: 1.1em; margin: 1.2em 0 .5em; font-weight: 600; }
.md p, .md ul, .md ol, .md table, .md blockquote, .md details { margin: 0 0 12px; }
.md ul { padding-left: 24px; }
.md li { margin: 2px 0; }
.md code { background: #ececef; border-radius: 4px; padding: 1px 4px; font-size: 90%;
  font-family: "DejaVu Sans Mono", monospace; }
.md hr { border: 0; border-top: 1px solid #dcdcde; margin: 16px 0; }
.md table { border-collapse: collapse; display: block; overflow-x: auto; }
.md th, .md td { border: 1px solid #dcdcde; padding: 6px 10px; vertical-align: top; }
.md th { background: #fbfafd; text-align: left; font-weight: 600; }
.md blockquote { border-left: 3px solid #dcdcde; padding-left: 12px; color: #535158; }
.md .task-list-item { list-style: none; margin-left: -20px; }
.md > :first-child { margin-top: 0; }
a.gfm { font-weight: 400; }
a.mention { background: #e9f3fc; border-radius: 3px; padding: 0 2px; }
.gl-label { display: inline-flex; border-radius: 12px; overflow: hidden; font-size: 12px;
  line-height: 18px; vertical-align: 1px; border: 2px solid var(--bg); margin: 0 1px; }
.gl-label .key { background: var(--bg); color: var(--fg); padding: 0 7px; }
.gl-label .value { background: #fff; color: #333238; padding: 0 7px; }
.side .gl-label { margin: 2px 2px 2px 0; }
.activity { margin-top: 24px; }
.activity h2 { font-size: 16px; font-weight: 600; border-bottom: 1px solid #dcdcde;
  padding-bottom: 8px; margin: 0 0 12px; }
.note { display: flex; gap: 12px; margin-bottom: 12px; }
.avatar { width: 32px; height: 32px; border-radius: 50%; flex: none; display: flex;
  align-items: center; justify-content: center; font-size: 13px; font-weight: 600;
  color: #fff; }
.note .box { flex: 1; border: 1px solid #dcdcde; border-radius: 4px; padding: 8px 12px 0; }
.note .meta { color: #626168; font-size: 13px; margin-bottom: 6px; }
.note .meta b { color: #333238; }
.system { color: #626168; font-size: 13px; margin: 0 0 12px 44px; }
.tag { border: 1px solid #dcdcde; border-radius: 10px; padding: 0 6px; font-size: 11px;
  margin-left: 4px; }
.progress { height: 8px; background: #ececef; border-radius: 4px; overflow: hidden; margin: 4px 0; }
.progress div { height: 100%; background: #108548; }
.cols { display: flex; gap: 12px; margin-top: 8px; }
.col { flex: 1; border: 1px solid #dcdcde; border-radius: 4px; }
.col h3 { font-size: 13px; margin: 0; padding: 8px 10px; background: #fbfafd;
  border-bottom: 1px solid #dcdcde; font-weight: 600; }
.col ul { list-style: none; margin: 0; padding: 0; }
.col li { padding: 6px 10px; border-bottom: 1px solid #ececef; font-size: 13px; }
.col li:last-child { border-bottom: 0; }
.col .ref { color: #626168; }
.tabs { border-bottom: 1px solid #dcdcde; margin-top: 24px; padding-bottom: 8px; font-weight: 600; }
.tabs span { color: #626168; font-weight: 400; margin-left: 18px; }
.count { background: #ececef; border-radius: 10px; padding: 0 7px; font-size: 12px; margin-left: 4px; }
"""

PALETTE = ["#5772ff", "#d2a0ff", "#1aaa55", "#e9be74", "#fc6d26", "#6b4fbb", "#2f9f9f"]


def page(title, body):
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def top_bar(tracker):
    p = tracker.project
    return f'<div class="top"><b>GitLab</b> preview · {esc(p["name_with_namespace"])}</div>'


def crumbs(tracker, *parts):
    ns = tracker.project["name_with_namespace"].split(" / ")
    items = [esc(x) for x in ns] + [esc(x) for x in parts]
    return '<div class="crumbs">' + "<span>/</span>".join(items) + "</div>"


def avatar(user):
    initials = "".join(w[0] for w in (user.get("name") or user["username"]).split()[:2]).upper()
    color = PALETTE[user["id"] % len(PALETTE)]
    return f'<div class="avatar" style="background:{color}">{esc(initials)}</div>'


def sidebar_row(name, content):
    return f'<div class="row"><div class="name">{esc(name)}</div>{content}</div>'


def issue_sidebar(issue, tracker):
    people = issue.get("assignees") or []
    assignees = (
        "<br>".join(
            f'<a href="{esc(u.get("web_url", ""))}">{esc(u["name"])}</a> '
            f'<span class="none">@{esc(u["username"])}</span>'
            for u in people
        )
        or '<span class="none">None</span>'
    )
    chips = [label_chip(tracker.labels[n], tracker) for n in issue["labels"] if n in tracker.labels]
    labels = " ".join(chips) or '<span class="none">None</span>'
    ms = issue.get("milestone")
    milestone = (
        f'<a href="{esc(ms["web_url"])}">{esc(ms["title"])}</a>' if ms else '<span class="none">None</span>'
    )
    return (
        '<div class="side">'
        + sidebar_row("Assignees", assignees)
        + sidebar_row("Labels", labels)
        + sidebar_row("Milestone", milestone)
        + sidebar_row("Due date", '<span class="none">None</span>')
        + "</div>"
    )


def notes_html(notes, md, now):
    """The comments, oldest first (GitLab's default). Without any, nothing: the picture ends
    with the description instead of an empty comment form."""
    if not notes:
        return ""
    out = []
    for n in sorted(notes, key=lambda n: (n["created_at"], n["id"])):
        a = n["author"]
        if n.get("system"):
            out.append(
                f'<div class="system"><b>{esc(a["name"])}</b> {md.renderInline(n["body"])} '
                f"· {ago(when(n['created_at']), now)}</div>"
            )
            continue
        out.append(
            f'<div class="note">{avatar(a)}<div class="box"><div class="meta">'
            f"<b>{esc(a['name'])}</b> @{esc(a['username'])} · {ago(when(n['created_at']), now)}"
            f'</div><div class="md">{md.render(n["body"])}</div></div></div>'
        )
    return '<div class="activity"><h2>Activity</h2>' + "".join(out) + "</div>"


def issue_page(issue, notes, tracker, md, now):
    author = issue["author"]
    state = "open" if issue["state"] == "opened" else "closed"
    head = (
        f'<div class="head"><span class="badge {state}">{state.capitalize()}</span>'
        + ('<span class="badge closed">Confidential</span>' if issue.get("confidential") else "")
        + f"Issue created {ago(when(issue['created_at']), now)} by "
        f'<a href="{esc(author.get("web_url", ""))}">{esc(author["name"])}</a></div>'
    )
    body = (
        top_bar(tracker)
        + '<div class="page"><div class="main">'
        + crumbs(tracker, "Issues", f"#{issue['iid']}")
        + head
        + f'<h1 class="title">{esc(issue["title"])}</h1>'
        + f'<div class="md">{md.render(issue.get("description") or "")}</div>'
        + notes_html(notes, md, now)
        + "</div>"
        + issue_sidebar(issue, tracker)
        + "</div>"
    )
    return page(issue["title"], body)


def milestone_page(ms, ms_issues, tracker, md):
    dates = ""
    if ms.get("start_date") and ms.get("due_date"):
        dates = f"{day(ms['start_date'])} – {day(ms['due_date'])}"
    state = "closed" if ms["state"] == "closed" else "open"
    head = (
        f'<div class="head"><span class="badge {state}">{"Closed" if state == "closed" else "Open"}</span>'
        f"Milestone {esc(dates)}</div>"
    )
    closed = [i for i in ms_issues if i["state"] == "closed"]
    opened = [i for i in ms_issues if i["state"] != "closed"]
    done = round(100 * len(closed) / len(ms_issues)) if ms_issues else 0

    def col(title, issues):
        items = "".join(
            f'<li><a href="{esc(i["web_url"])}">{esc(i["title"])}</a> '
            f'<span class="ref">#{i["iid"]}</span> '
            + " ".join(label_chip(tracker.labels[n], tracker) for n in i["labels"] if n in tracker.labels)
            + "</li>"
            for i in sorted(issues, key=lambda i: i["iid"])
        )
        return f'<div class="col"><h3>{esc(title)} <span class="count">{len(issues)}</span></h3><ul>{items}</ul></div>'

    unstarted = [i for i in opened if not i.get("assignees")]
    ongoing = [i for i in opened if i.get("assignees")]
    board = (
        f'<div class="tabs">Issues <span class="count">{len(ms_issues)}</span>'
        "<span>Merge requests</span><span>Participants</span><span>Labels</span></div>"
        '<div class="cols">'
        + col("Unstarted Issues (open and unassigned)", unstarted)
        + col("Ongoing Issues (open and assigned)", ongoing)
        + col("Completed Issues (closed)", closed)
        + "</div>"
    )
    side = (
        '<div class="side">'
        + sidebar_row(
            f"{done}% complete",
            f'<div class="progress"><div style="width:{done}%"></div></div>',
        )
        + sidebar_row(
            "Start date",
            esc(day(ms["start_date"])) if ms.get("start_date") else '<span class="none">None</span>',
        )
        + sidebar_row(
            "Due date", esc(day(ms["due_date"])) if ms.get("due_date") else '<span class="none">None</span>'
        )
        + sidebar_row(
            f"Issues {len(ms_issues)}",
            f'<span class="none">Open: {len(opened)} · Closed: {len(closed)}</span>',
        )
        + sidebar_row(
            "Reference",
            f'<code>{esc(tracker.project["path_with_namespace"])}%"{esc(ms["title"])}"</code>',
        )
        + "</div>"
    )
    body = (
        top_bar(tracker)
        + '<div class="page"><div class="main">'
        + crumbs(tracker, "Milestones", ms["title"])
        + head
        + f'<h1 class="title">{esc(ms["title"])}</h1>'
        + f'<div class="md">{md.render(ms.get("description") or "")}</div>'
        + board
        + "</div>"
        + side
        + "</div>"
    )
    return page(ms["title"], body)


def crop(shot, out):
    """Cuts the screenshot 24 px below the last row that is not page background, and stores
    it with a 256-colour palette (text on white loses nothing a reader sees)."""
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    w, h = img.size
    bg = img.getpixel((w - 1, h - 1))
    px = img.load()
    last = 0
    for y in range(h - 1, -1, -1):
        if any(px[x, y] != bg for x in range(0, w, 2)):
            last = y
            break
    img = img.crop((0, 0, w, min(h, last + 24)))
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, optimize=True
    )
    return img.size


def main(argv):
    if len(argv) == 4 and argv[1] == "crop":
        w, h = crop(argv[2], argv[3])
        print(f"{w}x{h}")
        return
    if len(argv) != 3:
        sys.exit("usage: render.py DATA_DIR OUT_DIR | render.py crop SHOT.png OUT.png")
    data, out = Path(argv[1]), Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    tracker = Tracker(data)
    md = gfm(tracker)

    ms = load(data, "milestone.json")
    (out / "milestone.html").write_text(
        milestone_page(ms, load(data, "milestone_issues.json"), tracker, md), encoding="utf-8"
    )
    report, report_notes = load(data, "report_issue.json"), load(data, "report_notes.json")
    handoff, handoff_notes = load(data, "handoff_issue.json"), load(data, "handoff_notes.json")
    # "Now" is the moment right after the run: its last write.
    now = max(
        when(x) for x in [report["updated_at"]] + [n["created_at"] for n in report_notes + handoff_notes]
    )
    (out / "report-issue.html").write_text(
        issue_page(report, report_notes, tracker, md, now), encoding="utf-8"
    )
    (out / "handoff-comment.html").write_text(
        issue_page(handoff, handoff_notes, tracker, md, now), encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv)
