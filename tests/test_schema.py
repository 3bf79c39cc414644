"""Schemas: compiled offline, errors located, and the fast predicates agree
with jsonschema on every document."""

from __future__ import annotations

import http.server
import re
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

from conftest import PROJECT
from onegrid.errors import Loc
from onegrid.policy import schema
from onegrid.policy.kinds import KINDS
from onegrid.policy.loader import load_file, load_text
from onegrid.policy.suggest import did_you_mean, nearest

# ---- no $ref ever leaves the process


@pytest.fixture
def http_server():
    """A real HTTP server on loopback that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_remote_ref_is_never_fetched(http_server):
    base, hits = http_server
    v = schema.compile_schema({"properties": {"a": {"$ref": f"{base}/s.json"}}})
    with pytest.raises(Unresolvable, match=re.escape(f"{base}/s.json")):
        v.is_valid({"a": 1})
    with pytest.raises(Unresolvable, match=re.escape(f"{base}/s.json")):
        list(v.iter_errors({"a": 1}))
    assert hits == []


_WATCHING: list[list[tuple]] = []


def _audit(event: str, args: tuple) -> None:
    if _WATCHING and event in ("open", "socket.connect", "urllib.Request"):
        _WATCHING[-1].append((event, args[0]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only when asked


def test_file_ref_is_never_read(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "string"}')
    for uri in ("file:///etc/passwd", secret.as_uri()):
        v = schema.compile_schema({"$ref": uri})
        seen: list[tuple] = []
        _WATCHING.append(seen)
        try:
            with pytest.raises(Unresolvable, match=re.escape(uri)):
                v.is_valid(1)
        finally:
            _WATCHING.pop()
        assert not [a for a in seen if "passwd" in str(a[1]) or "secret" in str(a[1])], seen
        assert not [a for a in seen if a[0] != "open"], seen


def test_the_server_would_have_answered(http_server):
    """The refusal above is ours: the server is really there."""
    import urllib.request

    base, hits = http_server
    with urllib.request.urlopen(f"{base}/s.json") as reply:
        assert reply.status == 200
    assert hits == ["/s.json"]


def test_an_invalid_schema_is_refused_at_compile_time():
    with pytest.raises(SchemaError):
        schema.compile_schema({"type": "strnig"})


# ---- errors become located problems


def doc(text: str):
    return load_text(text, "f.yaml")


def test_unknown_key_suggests_the_nearest_known_key():
    problems = schema.validate(
        doc("kind: org\nunits:\n  - id: a\n    name: A\n    level: x\n    parnet: b\n"), "org"
    )
    assert len(problems) == 1
    p = problems[0]
    assert (p.code, p.params, p.loc) == (
        "schema-unknown-key",
        {"key": "parnet"},
        Loc("f.yaml", 6, 5),
    )
    assert p.hint.params == {"suggestion": "parent"}


def test_unique_items_is_reported_at_the_first_repeat():
    v = schema.compile_schema({"type": "array", "uniqueItems": True})
    data = doc("- a\n- b\n- a\n")
    problems = [p for e in v.iter_errors(data) for p in schema.translate(e, data)]
    assert [(p.code, p.loc) for p in problems] == [("schema-unique", Loc("f.yaml", 3, 3))]


def test_every_problem_of_a_document_is_reported():
    data = doc(
        "kind: org\nlevels:\n  - {id: a, name: A, rank: 0}\n  - {id: B, name: b, rank: 1}\n"
        "units: {}\nextra: 1\n"
    )
    got = sorted((p.code, p.loc.line) for p in schema.validate(data, "org"))
    assert got == [
        ("schema-pattern", 4),
        ("schema-range", 3),
        ("schema-type", 5),
        ("schema-unknown-key", 6),
    ]


def test_nearest_and_did_you_mean():
    assert nearest("dept.urbn", ["dept.urban", "dept.water"]) == "dept.urban"
    assert nearest("Units", ["units", "levels"]) == "units"
    assert nearest("zzz", ["units"]) is None
    assert did_you_mean("zzz", ["units"]) is None
    assert did_you_mean("levles", ["levels"]).params == {"suggestion": "levels"}


# ---- the fast predicates agree with jsonschema


def from_schema(root: dict, node, depth: int = 0):
    """Documents shaped by a schema, often valid, often slightly not."""
    if not isinstance(node, dict) or depth > 6:
        return JSON
    if "$ref" in node:
        target = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        return from_schema(root, target, depth + 1)
    if "anyOf" in node:
        return st.one_of([from_schema(root, b, depth + 1) for b in node["anyOf"]])
    if "enum" in node or "const" in node:
        values = node.get("enum", [node.get("const")])
        return st.one_of(st.sampled_from(values), WORDS)
    t = node.get("type")
    t = t[0] if isinstance(t, list) else t
    if t == "object" or "properties" in node:
        props = node.get("properties", {})
        required = [k for k in node.get("required", []) if k in props]
        optional = {k: from_schema(root, v, depth + 1) for k, v in props.items()}
        extra = node.get("additionalProperties")
        values = from_schema(root, extra, depth + 1) if isinstance(extra, dict) else JSON
        names = st.one_of(WORDS, st.sampled_from(list(props) or ["x"]))
        return st.builds(
            lambda a, b, c: {**c, **b, **a},
            st.fixed_dictionaries({k: optional[k] for k in required}),
            st.fixed_dictionaries({}, optional={k: v for k, v in optional.items()}),
            st.dictionaries(names, values, max_size=2) | st.just({}),
        )
    if t == "array":
        return st.lists(from_schema(root, node.get("items", {}), depth + 1), max_size=3)
    if t == "string":
        if "pattern" in node:
            return st.one_of(st.from_regex(node["pattern"], fullmatch=True), WORDS)
        return st.one_of(st.text(max_size=3), WORDS)
    if t in ("integer", "number"):
        return st.one_of(st.integers(-2, 25), st.floats(-2, 3), st.just(True))
    if t == "boolean":
        return st.one_of(st.booleans(), st.sampled_from(["yes", "no", 0, 1]))
    return JSON


WORDS = st.sampled_from(["", "a", "Ab", "a b", "2h", "3wd", "dept.x", "012", "zh", "en", "x"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 30) | st.floats(-1, 1.5) | WORDS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORDS, inner, max_size=3),
    max_leaves=8,
)


def all_problems(data, kind):
    """What validation said before the fast path: every jsonschema error."""
    return [p for e in schema.validator(kind).iter_errors(data) for p in schema.translate(e, data)]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fast_validation_agrees_with_jsonschema(kind):
    root = KINDS[kind].schema
    fast = schema.Predicates(root, schema.validator(kind)).compile(root)

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(from_schema(root, root))
    def agree(data):
        assert fast(data) == schema.validator(kind).is_valid(data)
        got = sorted(schema.validate(data, kind), key=repr)
        assert got == sorted(all_problems(data, kind), key=repr)

    agree()


SCHEMAS = [
    {"type": "integer"},
    {"type": ["string", "null"], "minLength": 2},
    {"enum": [1, "a", True, None, [1], {"a": 1}]},
    {"const": 1},
    {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
    {"not": {"type": "string"}},
    {"allOf": [{"minimum": 0}, {"exclusiveMaximum": 10}]},
    {"type": "array", "uniqueItems": True, "minItems": 1, "maxItems": 3},
    {"type": "object", "minProperties": 1, "maxProperties": 2, "propertyNames": {"pattern": "^a"}},
    {"type": "object", "patternProperties": {"^x": {"type": "integer"}}},
    {"type": "string", "format": "date"},
    {"multipleOf": 2},
    {"$defs": {"n": {"anyOf": [{"type": "integer"}, {"items": {"$ref": "#/$defs/n"}}]}},
     "$ref": "#/$defs/n"},
    {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
    {"if": {"type": "string"}, "then": {"minLength": 1}, "else": {"type": "integer"}},
]  # fmt: skip


@pytest.mark.parametrize("s", SCHEMAS, ids=lambda s: re.sub(r"\W+", "-", str(s))[:40])
def test_predicates_agree_with_jsonschema_on_any_value(s):
    authority = schema.compile_schema(s)
    fast = schema.Predicates(s, authority).compile(s)

    @settings(max_examples=100, deadline=None, derandomize=True)
    @given(JSON)
    def agree(value):
        assert fast(value) == authority.is_valid(value)

    agree()


BUNDLED = sorted(
    p
    for folder in ("catalogs", "rules", "forms")
    for p in (PROJECT / folder).rglob("*.yaml")
    if p.is_file()
)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(PROJECT)))
def test_fast_validation_agrees_on_the_bundled_files(path):
    data = load_file(path)
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in KINDS:
        pytest.skip(f"not a policy file: {kind!r}")
    root = KINDS[kind].schema
    fast = schema.Predicates(root, schema.validator(kind)).compile(root)
    assert fast(data) == schema.validator(kind).is_valid(data)
