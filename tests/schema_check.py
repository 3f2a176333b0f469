#!/usr/bin/python3
"""Validate mgate JSON documents against their schemas (docs/schema).

usage: schema_check.py [--no-path-check] SCHEMA_DIR FILE.json... ("-" reads standard input)
in a test: `problems = schema_check.check_text(text)` (docs/schema of this tree)

Each document names its schema in its "schema" field: "mgate.lint/1" is
checked against SCHEMA_DIR/lint.schema.json (JSON Schema draft 2020-12, with
Debian 12's python3-jsonschema). Besides the schema itself it checks what a
schema cannot say:
  - duplicate keys (the last one would silently win);
  - key order: the first keys must be "schema", "root" (x-mgate-key-order),
    or, for canonical documents (x-mgate-sorted-keys), every object's keys
    sorted;
  - paths: a file path (keys path, file, manifest, backup, pre_restore_backup,
    kept) that lies under "root" must be written relative to it
    (--no-path-check skips this).
Every problem is printed as "FILE: $.json.path: message". Exit status: 0 when
every document is valid, 1 when any is not, 2 for a usage error or a schema
that cannot be loaded.
"""
import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("schema_check.py: python3-jsonschema is missing (Debian: apt-get install python3-jsonschema)")

PATH_KEYS = ("path", "file", "manifest", "backup", "pre_restore_backup", "kept", "snapshot")
SCHEMA_ID = re.compile(r"^mgate\.([a-z][a-z0-9_-]*)/([0-9]+)$")


class DuplicateKey(Exception):
    pass


def json_path(parts):
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += "[%d]" % p
        elif re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", p):
            out += "." + p
        else:
            out += "[%s]" % json.dumps(p)
    return out


def plain(v, where, problems):
    """Ordered pairs -> dicts, noting duplicate keys."""
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "__pairs__":
        out, seen = {}, set()
        for k, x in v[1]:
            if k in seen:
                problems.append((where + [k], "duplicate key %s" % json.dumps(k)))
            seen.add(k)
            out[k] = plain(x, where + [k], problems)
        return out
    if isinstance(v, list):
        return [plain(x, where + [i], problems) for i, x in enumerate(v)]
    return v


def check_order(v, where, problems, first_keys, sorted_keys):
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "__pairs__":
        keys = [k for k, _ in v[1]]
        if first_keys is not None and keys[:len(first_keys)] != first_keys:
            problems.append((where, "the first keys must be %s, found %s" % (
                ", ".join(json.dumps(k) for k in first_keys),
                ", ".join(json.dumps(k) for k in keys[:len(first_keys)]) or "none")))
        if sorted_keys and keys != sorted(keys):
            bad = next(i for i in range(1, len(keys)) if keys[i - 1] > keys[i])
            problems.append((where, "keys are not in sorted (canonical) order: %s comes after %s" % (
                json.dumps(keys[bad]), json.dumps(keys[bad - 1]))))
        if sorted_keys:
            for k, x in v[1]:
                check_order(x, where + [k], problems, None, True)
    elif isinstance(v, list) and sorted_keys:
        for i, x in enumerate(v):
            check_order(x, where + [i], problems, None, True)


def check_paths(v, where, root, problems):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in PATH_KEYS and isinstance(x, str) and x.startswith(root.rstrip("/") + "/"):
                problems.append((where + [k], "%s is under root %s: it should be relative (%s)" % (
                    json.dumps(x), json.dumps(root), json.dumps(x[len(root.rstrip("/")) + 1:]))))
            else:
                check_paths(x, where + [k], root, problems)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            check_paths(x, where + [i], root, problems)


class Schemas:
    def __init__(self, folder):
        self.folder = folder
        self.cache = {}

    def get(self, name):
        if name not in self.cache:
            path = os.path.join(self.folder, name + ".schema.json")
            if not os.path.exists(path):
                self.cache[name] = None
            else:
                with open(path, encoding="utf-8") as f:
                    s = json.load(f)
                cls = jsonschema.validators.validator_for(s)
                cls.check_schema(s)
                self.cache[name] = (s, cls(s, format_checker=jsonschema.FormatChecker()))
        return self.cache[name]


def describe(err):
    """A schema error in words, with the schema rule that failed."""
    msg = err.message
    r = repr(err.instance)
    if msg.startswith(r):  # the value as JSON, not as Python writes it (null, true, "x")
        shown = json.dumps(err.instance, ensure_ascii=False)
        msg = (shown if len(shown) <= 120 else shown[:117] + "...") + msg[len(r):]
    if err.validator == "not":
        msg = "has a field it must not have here: none of %s" % json.dumps(
            sorted({k for alt in err.validator_value.get("anyOf", [err.validator_value])
                    for k in alt.get("required", [])}))
    if len(msg) > 300:
        msg = msg[:300] + "..."
    rule = "/".join(str(p) for p in err.absolute_schema_path)
    return "%s (schema: %s)" % (msg, rule)


def leaf_errors(err):
    """The innermost errors of anyOf/oneOf/if-then, which name the field that is wrong."""
    if err.context:
        out = []
        for sub in err.context:
            out += leaf_errors(sub)
        return out
    return [err]


def validate_file(name, schemas, path_check):
    try:
        text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as e:
        return [([], "cannot read: %s" % e)]
    return validate_text(text, schemas, path_check)


_default = None


def check_text(text, path_check=True):
    """The problems of one document against this tree's docs/schema, as
    "$.json.path: message" lines (empty when it is valid)."""
    global _default
    if _default is None:
        _default = Schemas(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema"))
    return ["%s: %s" % (json_path(w), m) for w, m in validate_text(text, _default, path_check)]


def validate_text(text, schemas, path_check):
    problems = []
    try:
        raw = json.loads(text, object_pairs_hook=lambda pairs: ("__pairs__", pairs))
    except json.JSONDecodeError as e:
        return [([], "not JSON: %s (line %d, column %d)" % (e.msg, e.lineno, e.colno))]
    doc = plain(raw, [], problems)
    if not isinstance(doc, dict):
        return problems + [([], "the document is a JSON %s, not an object with a \"schema\" field" %
                            type(doc).__name__.replace("list", "array").replace("dict", "object"))]
    sid = doc.get("schema")
    if not isinstance(sid, str):
        return problems + [(["schema"], "missing or not a string: every mgate document starts with "
                                        "\"schema\": \"mgate.NAME/1\"")]
    m = SCHEMA_ID.match(sid)
    if not m:
        return problems + [(["schema"], "%s is not of the form mgate.NAME/VERSION" % json.dumps(sid))]
    if m.group(2) != "1":
        return problems + [(["schema"], "%s: version %s is unknown here (these schemas are version 1)" % (
            json.dumps(sid), m.group(2)))]
    try:
        got = schemas.get(m.group(1))
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        raise SystemExit("schema_check.py: %s.schema.json in %s cannot be loaded: %s" % (m.group(1), schemas.folder, e))
    if got is None:
        return problems + [(["schema"], "%s: no %s.schema.json in %s" % (json.dumps(sid), m.group(1), schemas.folder))]
    schema, validator = got
    for err in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        leaves = leaf_errors(err) if err.validator in ("anyOf", "oneOf") else [err]
        # an anyOf of "X or null": one line, about the non-null branch
        seen = set()
        for leaf in leaves:
            key = (tuple(leaf.absolute_path), leaf.message)
            if key in seen or (leaf.validator == "type" and leaf.validator_value == "null"):
                continue
            seen.add(key)
            problems.append((list(leaf.absolute_path), describe(leaf)))
        if not seen:
            problems.append((list(err.absolute_path), describe(err)))
    check_order(raw, [], problems, schema.get("x-mgate-key-order"), schema.get("x-mgate-sorted-keys", False))
    if path_check and isinstance(doc.get("root"), str):
        check_paths({k: v for k, v in doc.items() if k != "root"}, [], doc["root"], problems)
    return problems


def main(argv):
    path_check = True
    args = argv[1:]
    if args and args[0] == "--no-path-check":
        path_check, args = False, args[1:]
    if len(args) < 2 or args[0] in ("-h", "--help"):
        sys.stderr.write("usage: schema_check.py [--no-path-check] SCHEMA_DIR FILE.json... (\"-\": standard input)\n")
        return 2
    if not os.path.isdir(args[0]):
        sys.stderr.write("schema_check.py: %s is not a folder of schemas\n" % args[0])
        return 2
    schemas = Schemas(args[0])
    bad = 0
    for name in args[1:]:
        shown = "<stdin>" if name == "-" else name
        problems = validate_file(name, schemas, path_check)
        if problems:
            bad += 1
            for where, msg in problems:
                print("%s: %s: %s" % (shown, json_path(where), msg))
        else:
            print("%s: ok" % shown)
    if bad:
        print("%d of %d document%s invalid" % (bad, len(args) - 1, "" if len(args) == 2 else "s"), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
