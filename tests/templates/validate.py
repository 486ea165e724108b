#!/usr/bin/env python3
"""Static checks of wowctl's CI files against GitLab's own CI schema and rules.

What it is for: `tests/templates/run.sh` calls it (inside a venv with jsonschema and
pyyaml) to check, without a GitLab:

  validate.py ci [--template T] FILE...   CI files: a file with a `spec:` header is two
        documents; the header is checked against the schema's `spec` definition plus
        our own rules (every input has type, default, description; defaults match
        their options/regex), the body is interpolated with the defaults (and once
        per option value) like GitLab does, then checked as a CI file. `include:`
        items naming T (local or project `file:`) have their `inputs:` checked
        against T's header, because gitlab-ci-local accepts unknown inputs and
        GitLab does not.
  validate.py dotenv FILE        a dotenv report, by GitLab's stricter rules (§10).
  validate.py junit FILE         a JUnit report: well-formed, suites and cases.
  validate.py localize SRC DST --template T [--input k=v]... [--matrix JSON]
        rewrite an example for a local run: includes of T become `local:`, given
        inputs are set, and every `parallel: matrix:` is replaced by JSON.
  validate.py versions [--root DIR]
        one version everywhere: Cargo.toml's `version` is the template's default
        image tag, and every wowctl image tag, component version, `ref:`, raw URL
        and package URL in the README, docs/, examples/ and templates says it too.

What it must not do: talk to the network, or accept a file GitLab would reject
because the schema happens to be loose (it adds GitLab's own checks where known).
Each problem is printed as one line `FAIL <file>: <what>`; exit 1 if any.
"""

import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
# GitLab's own schema (gitlabhq app/assets/javascripts/editor/schema/ci.json), vendored.
DEFAULT_SCHEMA = os.path.join(HERE, "gitlab-ci.schema.json")

INTERP = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*((?:\|[^\]|]*)*)\]\]")
INPUT_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


class Reference(list):
    """`!reference [a, b]`: kept as a list, which is what the schema expects."""


def _reference(loader, node):
    return Reference(loader.construct_sequence(node))


class Loader(yaml.SafeLoader):
    pass


Loader.add_constructor("!reference", _reference)


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=Loader)]


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, what):
        line = f"FAIL {where}: {what}"
        if line not in self.items:  # each input variant would repeat it
            self.items.append(line)


# --- schema -----------------------------------------------------------------------


def load_schema(path):
    with open(path, encoding="utf-8") as f:
        root = json.load(f)
    spec = {"$ref": "#/properties/spec", "definitions": root["definitions"], "properties": root["properties"]}
    return root, spec


def gitlab_accepts(err):
    """Schema errors GitLab itself does not raise. `tags: []` (the template's default
    `tags` input): the schema says minItems 1, but GitLab validates job tags only as an
    array of strings (lib/gitlab/ci/config/entry/tags.rb, validate_array_of_strings),
    and an empty list means "any runner". gitlab-ci-local needs
    --ignore-schema-paths "#/definitions/tags/minItems" for the same reason."""
    path = list(err.absolute_path)
    return err.validator == "minItems" and path[-1:] == ["tags"] and err.instance == []


def schema_errors(schema, doc):
    validator = jsonschema.Draft7Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        if gitlab_accepts(err):
            continue
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        # oneOf/anyOf errors are long: the best match says which branch failed.
        best = jsonschema.exceptions.best_match([err])
        out.append(f"{where}: {best.message[:300]}")
    return out


# --- inputs -----------------------------------------------------------------------

PY_TYPES = {"string": str, "number": (int, float), "boolean": bool, "array": list}


def re2_search(regex, value):
    """GitLab checks an input's regex with RE2, where a final `$` (no `m` flag) matches
    only at the very end; Python's `$` also matches before a final newline, which would
    let "ok\n" through here and not in GitLab."""
    if regex.endswith("$") and not regex.endswith("\\$"):
        regex = regex[:-1] + r"\Z"
    return re.search(regex, value)


def check_value(name, spec, value):
    """Why `value` is not acceptable for input `name` (None when it is)."""
    typ = spec.get("type", "string")
    want = PY_TYPES[typ]
    if typ == "number" and isinstance(value, bool) or not isinstance(value, want):
        return f"input {name}: {value!r} is not a {typ}"
    if "options" in spec and value not in spec["options"]:
        return f"input {name}: {value!r} is not one of {spec['options']}"
    if "regex" in spec and isinstance(value, str) and not re2_search(spec["regex"], value):
        return f"input {name}: {value!r} does not match /{spec['regex']}/"
    if typ == "string" and len(value.encode()) > 1024:
        return f"input {name}: longer than 1 KB"
    return None


def check_header(path, header, spec_schema, problems):
    if set(header) != {"spec"}:
        problems.add(path, f"header document must hold only `spec:`, has {sorted(header)}")
        return {}
    for e in schema_errors(spec_schema, header["spec"]):
        problems.add(path, f"spec: {e}")
    inputs = (header["spec"] or {}).get("inputs") or {}
    for name, spec in inputs.items():
        if not INPUT_NAME.match(name):
            problems.add(path, f"input name {name!r} must match {INPUT_NAME.pattern}")
        spec = spec or {}
        for key in ("type", "default", "description"):
            if key not in spec:
                problems.add(path, f"input {name}: no `{key}:`")
        if spec.get("type") == "boolean" and "options" in spec:
            problems.add(path, f"input {name}: options are not allowed on booleans")
        if len(spec.get("options", [])) > 50:
            problems.add(path, f"input {name}: more than 50 options")
        if "default" in spec and spec.get("type") in PY_TYPES:
            why = check_value(name, spec, spec["default"])
            if why:
                problems.add(path, f"default: {why}")
        for opt in spec.get("options", []):
            if not isinstance(opt, PY_TYPES.get(spec.get("type", "string"), str)):
                problems.add(path, f"input {name}: option {opt!r} is not a {spec.get('type')}")
    return inputs


def interpolate(node, values, used, problems, path):
    """GitLab's `$[[ inputs.x ]]`: a block that is the whole value keeps the input's
    type; inside a longer string it becomes text. Keys are interpolated too."""

    def one(text):
        m = INTERP.fullmatch(text.strip()) if text.strip() == text else None
        if m:
            return apply_funcs(m, whole=True)
        return INTERP.sub(lambda m: str(to_text(apply_funcs(m, whole=False))), text)

    def to_text(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return v if isinstance(v, str) else json.dumps(v)

    def apply_funcs(m, whole):
        name, funcs = m.group(1), m.group(2)
        used.add(name)
        if name not in values:
            problems.add(path, f"$[[ inputs.{name} ]] is not declared in spec:inputs")
            return ""
        v = values[name]
        for f in [f.strip() for f in funcs.split("|") if f.strip()]:
            t = re.fullmatch(r"truncate\((\d+),\s*(\d+)\)", f)
            if f == "expand_vars":
                v = to_text(v)
            elif t:
                v = to_text(v)[int(t.group(1)) : int(t.group(1)) + int(t.group(2))]
            else:
                problems.add(path, f"unknown interpolation function {f!r}")
        return v

    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            nk = one(k) if isinstance(k, str) else k
            out[to_text(nk) if not isinstance(nk, str) else nk] = interpolate(v, values, used, problems, path)
        return out
    if isinstance(node, Reference):
        return Reference(interpolate(list(node), values, used, problems, path))
    if isinstance(node, list):
        return [interpolate(v, values, used, problems, path) for v in node]
    if isinstance(node, str):
        return one(node)
    return node


def walk_strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(k, str):
                yield k
            yield from walk_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_strings(v)
    elif isinstance(node, str):
        yield node


# --- GitLab's checks the schema does not make -----------------------------------------


def check_jobs(path, body, problems):
    for name, job in body.items():
        if not isinstance(job, dict) or name in ("include", "workflow", "default", "variables", "stages", "spec"):
            continue
        art = job.get("artifacts")
        if isinstance(art, dict) and "expose_as" in art:
            if not re.fullmatch(r"\w[-\w ]*", str(art["expose_as"])):
                problems.add(path, f"{name}: expose_as {art['expose_as']!r} has characters GitLab refuses")
            paths = art.get("paths") or []
            if not paths:
                problems.add(path, f"{name}: expose_as needs artifacts:paths")
            for p in paths:
                if any(c in p for c in "*?[$"):
                    problems.add(path, f"{name}: expose_as path {p!r} has a glob or variable")
                elif not os.path.splitext(p.rstrip("/"))[1] and not p.endswith("/"):
                    problems.add(path, f"{name}: expose_as directory {p!r} must end with /")
        ae = job.get("allow_failure")
        if isinstance(ae, dict) and "exit_codes" in ae:
            codes = ae["exit_codes"] if isinstance(ae["exit_codes"], list) else [ae["exit_codes"]]
            if 0 in codes:
                problems.add(path, f"{name}: exit code 0 in allow_failure makes no sense")


def templates_in(include, template, repo_root):
    """The include items (with their index) that name `template`."""
    items = include if isinstance(include, list) else [include]
    rel = os.path.relpath(os.path.abspath(template), repo_root)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        files = item.get("local") or item.get("file") or item.get("remote") or ""
        files = files if isinstance(files, list) else [files]
        if any(str(f).lstrip("/").endswith(rel) for f in files):
            yield i, item


def template_inputs(template, spec_schema, problems):
    docs = load_docs(template)
    if len(docs) != 2:
        problems.add(template, "a template with inputs must be two YAML documents split by ---")
        return {}
    return check_header(template, docs[0], spec_schema, problems)


def check_include_inputs(path, body, template, spec_schema, problems, repo_root):
    if "include" not in body:
        return
    declared = template_inputs(template, spec_schema, Problems())
    for i, item in templates_in(body["include"], template, repo_root):
        given = item.get("inputs") or {}
        for name, value in given.items():
            if name not in declared:
                problems.add(path, f"include[{i}]: unknown input {name!r} (GitLab rejects it)")
                continue
            if isinstance(value, str) and INTERP.search(value):
                continue  # passed through from this file's own inputs
            why = check_value(name, declared[name] or {}, value)
            if why:
                problems.add(path, f"include[{i}]: {why}")
        for name, spec in declared.items():
            if "default" not in (spec or {}) and name not in given:
                problems.add(path, f"include[{i}]: mandatory input {name!r} not given")


def check_ci(path, root_schema, spec_schema, template, problems, repo_root):
    try:
        docs = load_docs(path)
    except yaml.YAMLError as e:
        problems.add(path, f"not YAML: {e}")
        return
    docs = [d for d in docs if d is not None]
    if len(docs) == 2:
        header, body = docs
        inputs = check_header(path, header, spec_schema, problems)
        defaults = {n: (s or {}).get("default") for n, s in inputs.items()}
        variants = [("defaults", defaults)]
        for n, s in inputs.items():
            for opt in (s or {}).get("options", []):
                if opt != (s or {}).get("default"):
                    variants.append((f"{n}={opt}", dict(defaults, **{n: opt})))
            if (s or {}).get("type") == "boolean" and isinstance((s or {}).get("default"), bool):
                flipped = not s["default"]
                variants.append((f"{n}={str(flipped).lower()}", dict(defaults, **{n: flipped})))
        used = set()
        seen = set()  # an error of the defaults is not repeated for every variant
        for label, values in variants:
            expanded = interpolate(body, values, used, problems, path)
            for e in schema_errors(root_schema, expanded):
                if e not in seen:
                    seen.add(e)
                    problems.add(path, f"with inputs {label}: {e}")
            check_jobs(path, expanded, problems)
            left = [s for s in walk_strings(expanded) if "$[[" in s]
            if left:
                problems.add(path, f"uninterpolated blocks left: {left[:3]}")
        for n in sorted(set(inputs) - used):
            problems.add(path, f"input {n} is declared but never used")
    elif len(docs) == 1:
        body = docs[0]
        if "spec" in body:
            problems.add(path, "`spec:` must be in its own document, followed by ---")
        for e in schema_errors(root_schema, body):
            problems.add(path, e)
        left = [s for s in walk_strings(body) if "$[[" in s and "inputs." in s]
        if left:
            problems.add(path, f"$[[ inputs ]] used without a spec header: {left[:3]}")
        check_jobs(path, body, problems)
        if template:
            check_include_inputs(path, body, template, spec_schema, problems, repo_root)
    else:
        problems.add(path, f"expected 1 or 2 YAML documents, found {len(docs)}")


# --- reports -----------------------------------------------------------------------


def check_dotenv(path, problems):
    """GitLab's dotenv rules (gitlab-api.md §10 Artifacts): the upload is refused,
    or a variable silently differs, where gitlab-ci-local would not notice."""
    raw = open(path, "rb").read()
    if len(raw) > 5 * 1024:
        problems.add(path, f"{len(raw)} bytes, GitLab's limit is 5 KB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.add(path, "not UTF-8")
        return {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline is fine
    out = {}
    for n, line in enumerate(lines, 1):
        if line.strip() == "":
            problems.add(path, f"line {n}: empty line (GitLab refuses the upload)")
            continue
        if line.lstrip().startswith("#"):
            problems.add(path, f"line {n}: comment (GitLab refuses the upload)")
            continue
        m = re.fullmatch(r"([A-Za-z0-9_]+)=(.*)", line.strip())
        if not m:
            problems.add(path, f"line {n}: not KEY=value with KEY of [A-Za-z0-9_]: {line!r}")
            continue
        key, value = m.groups()
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
            problems.add(path, f"line {n}: {key} is quoted; GitLab keeps quotes literally")
        if "\r" in value:
            problems.add(path, f"line {n}: carriage return in {key}")
        out[key] = value.strip()
    if len(out) > 20:
        problems.add(path, f"{len(out)} variables; self-managed GitLab accepts 20 by default")
    return out


def check_junit(path, problems):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        problems.add(path, f"not well-formed XML: {e}")
        return
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if root.tag not in ("testsuites", "testsuite") or not suites:
        problems.add(path, f"root is <{root.tag}>, expected <testsuites>/<testsuite>")
        return
    for s in suites:
        for case in s.findall("testcase"):
            if not case.get("classname") or not case.get("name"):
                problems.add(path, f"suite {s.get('name')!r}: a testcase without classname/name")


# --- versions -----------------------------------------------------------------------

IMAGE = "registry.gitlab.com/wowctl/wowctl"
# Each pattern captures a version that must be Cargo.toml's X.Y.Z: image tags (or the
# X.Y tag the release pipeline moves too), component versions (or the X.Y / X ranges
# GitLab resolves), include refs, raw URLs and package-registry URLs.
VERSION_PATTERNS = [
    ("image tag", re.compile(re.escape(IMAGE) + r":([A-Za-z0-9_.-]+)"), "minor"),
    ("component version", re.compile(r"/wowctl/wowctl/wowctl@([A-Za-z0-9_.~-]+)"), "range"),
    ("include ref", re.compile(r"^\s*ref:\s*['\"]?(v?[0-9][A-Za-z0-9_.-]*)"), "exact"),
    ("raw URL", re.compile(r"/wowctl/wowctl/-/raw/([^/\s]+)/"), "exact"),
    ("package URL", re.compile(r"/packages/generic/wowctl/([^/\s]+)/"), "exact"),
]


def cargo_version(root):
    """`version` of [package] in Cargo.toml (a line scan: no TOML parser needed)."""
    section = None
    for line in open(os.path.join(root, "Cargo.toml"), encoding="utf-8"):
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[package]":
            m = re.fullmatch(r'version\s*=\s*"([^"]+)"', line)
            if m:
                return m.group(1)
    raise SystemExit("FAIL Cargo.toml: no version in [package]")


def version_files(root):
    out = ["README.md", "Dockerfile"]
    for d, exts in (("docs", (".md",)), ("examples", (".yml", ".yaml")), ("templates", (".yml",)),
                    ("ci-templates", (".yml",))):
        full = os.path.join(root, d)
        if os.path.isdir(full):
            out += [os.path.join(d, f) for f in sorted(os.listdir(full)) if f.endswith(exts)]
    return [f for f in out if os.path.isfile(os.path.join(root, f))]


def check_versions(root, problems):
    version = cargo_version(root)
    major, minor = version.split("-")[0].split(".")[:2]
    allowed = {"exact": {version}, "minor": {version, f"{major}.{minor}"},
               "range": {version, f"{major}.{minor}", major}}
    template = os.path.join(root, "templates", "wowctl.yml")
    header = load_docs(template)[0]
    image = header["spec"]["inputs"]["image"]["default"]
    if image != f"{IMAGE}:{version}":
        problems.add("templates/wowctl.yml", f"default image is {image}, expected {IMAGE}:{version} (Cargo.toml)")
    checked = 0
    for rel in version_files(root):
        for n, line in enumerate(open(os.path.join(root, rel), encoding="utf-8"), 1):
            for what, pattern, kind in VERSION_PATTERNS:
                for m in pattern.finditer(line):
                    checked += 1
                    got = m.group(1).rstrip(".")
                    if got not in allowed[kind]:
                        want = " or ".join(sorted(allowed[kind], key=len, reverse=True))
                        problems.add(f"{rel}:{n}", f"{what} {got}, expected {want} (Cargo.toml's version)")
    return version, checked


# --- localize -----------------------------------------------------------------------


def localize(src, dst, template, inputs, matrix, repo_root):
    docs = load_docs(src)
    if len(docs) != 1:
        raise SystemExit(f"FAIL {src}: expected one document")
    body = docs[0]
    found = False
    items = body["include"] if isinstance(body.get("include"), list) else [body["include"]]
    for i, item in templates_in(items, template, repo_root):
        new = {"local": "/" + os.path.relpath(os.path.abspath(template), repo_root)}
        new["inputs"] = dict(item.get("inputs") or {}, **inputs)
        items[i] = new
        found = True
    if not found:
        raise SystemExit(f"FAIL {src}: no include of {template}")
    body["include"] = items
    if matrix is not None:
        for job in body.values():
            if isinstance(job, dict) and isinstance(job.get("parallel"), dict) and "matrix" in job["parallel"]:
                job["parallel"]["matrix"] = matrix
    yaml.SafeDumper.add_representer(Reference, lambda d, v: d.represent_sequence("!reference", v))
    with open(dst, "w", encoding="utf-8") as f:
        yaml.safe_dump(body, f, sort_keys=False)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema", default=os.environ.get("GITLAB_CI_SCHEMA", DEFAULT_SCHEMA))
    ap.add_argument("--repo-root", default=os.path.join(HERE, "..", ".."))
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("ci")
    c.add_argument("--template")
    c.add_argument("files", nargs="+")
    d = sub.add_parser("dotenv")
    d.add_argument("file")
    j = sub.add_parser("junit")
    j.add_argument("file")
    lo = sub.add_parser("localize")
    lo.add_argument("src")
    lo.add_argument("dst")
    lo.add_argument("--template", required=True)
    lo.add_argument("--input", action="append", default=[])
    lo.add_argument("--matrix")
    v = sub.add_parser("versions")
    v.add_argument("--root")
    a = ap.parse_args(argv)
    repo_root = os.path.abspath(a.repo_root)
    problems = Problems()
    if a.cmd == "ci":
        root_schema, spec_schema = load_schema(a.schema)
        for f in a.files:
            check_ci(f, root_schema, spec_schema, a.template, problems, repo_root)
    elif a.cmd == "dotenv":
        for k, v in check_dotenv(a.file, problems).items():
            print(f"{k}={v}")
    elif a.cmd == "junit":
        check_junit(a.file, problems)
    elif a.cmd == "localize":
        given = dict(kv.split("=", 1) for kv in a.input)
        localize(a.src, a.dst, a.template, given, json.loads(a.matrix) if a.matrix else None, repo_root)
    elif a.cmd == "versions":
        version, checked = check_versions(os.path.abspath(a.root or repo_root), problems)
        if not problems.items:
            print(f"version {version}: {checked} references agree")
    for p in problems.items:
        print(p)
    return 1 if problems.items else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
