"""Property tests: whatever bytes land in a policy file, the loader answers
with a value or a `PolicyError`, never another exception, and quickly."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onegrid.checks import check_pack
from onegrid.errors import PolicyError
from onegrid.policy import loader
from onegrid.policy.located import YList, YMap
from onegrid.policy.pack import read_pack

# Small limits make the bounded-time property bite on small inputs too.
SMALL = loader.Limits(max_bytes=4096, max_depth=8, max_nodes=2000, max_alias_nodes=500)

TOKENS = st.sampled_from(
    [
        "[", "]", "{", "}", ":", ": ", "-", "- ", "&a", "&b", "*a", "*b", "!", "!!",
        "!!str", "!!int", "!!python/object:os.system", "!x", "<<", "<<: ", "?", "? ",
        "|", ">", "#", "'", '"', ",", "---", "...", "%YAML 1.1", "\t", "\\", "\x07",
        "kind", "org", "matters", "levels", "id", "name", "no", "on", "yes", "012",
        "0x1F", "1e3", ".5", "-1", "~", "null", "true", "网格", "é", "\ufeff",
    ]
)  # fmt: skip
WORDS = st.text(alphabet="abcxyz019 .-_", min_size=1, max_size=6)
INDENT = st.sampled_from(["", " ", "  ", "    ", "      "])
LINE = st.builds(
    lambda indent, parts: indent + "".join(parts),
    INDENT,
    st.lists(st.one_of(TOKENS, WORDS, st.just(" ")), max_size=12),
)
YAMLISH = st.lists(LINE, max_size=25).map("\n".join)

# An example takes about a millisecond; the deadlines are far above that so
# that a busy CI machine does not flake, yet catch any hang or blow-up.
FAST = settings(max_examples=300, deadline=2000, derandomize=True)


def _plain_json(value, depth: int = 0) -> None:
    """Only JSON types come back, keys are text and every key is located."""
    assert depth <= loader.DEFAULT_LIMITS.max_depth
    if isinstance(value, YMap):
        for key, item in value.items():
            assert isinstance(key, str) and key in value.key_locs
            _plain_json(item, depth + 1)
    elif isinstance(value, YList):
        assert len(value.item_locs) == len(value)
        for item in value:
            _plain_json(item, depth + 1)
    else:
        assert value is None or type(value) in (str, int, float, bool)


def _load(call) -> None:
    try:
        _plain_json(call())
    except PolicyError as exc:
        assert exc.problems, "a PolicyError must say what is wrong"
        for problem in exc.problems:
            assert problem.loc is not None and problem.loc.line >= 1 and problem.loc.col >= 1


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_value_or_a_policy_error(data):
    _load(lambda: loader.load_bytes(data, "f.yaml"))
    _load(lambda: loader.load_bytes(data, "f.yaml", SMALL))


@FAST
@given(YAMLISH)
def test_yaml_looking_text_gives_a_value_or_a_policy_error(text):
    _load(lambda: loader.load_text(text, "f.yaml"))
    _load(lambda: loader.load_text(text, "f.yaml", SMALL))
    _load(lambda: loader.load_bytes(text.encode("utf-8", "surrogatepass"), "f.yaml", SMALL))


@FAST
@given(
    st.one_of(
        st.text(max_size=300),
        # lone surrogates and control characters: text that no file decodes to
        st.text(st.characters(categories=["Cs", "Cc", "Zl", "Zp", "Lo"]), max_size=50),
    )
)
def test_arbitrary_text_gives_a_value_or_a_policy_error(text):
    _load(lambda: loader.load_text(text, "f.yaml"))


KIND_PREFIX = st.sampled_from(["", "kind: org\n", "kind: matters\n", "kind: pack\n", "kind: x\n"])


# Each example writes a pack to disk; the deadline still bounds each one.
@settings(max_examples=120, deadline=5000, derandomize=True)
@given(KIND_PREFIX, st.one_of(YAMLISH, st.binary(max_size=500)))
def test_read_pack_on_any_file_gives_problems_not_exceptions(prefix, body):
    data = prefix.encode() + (body if isinstance(body, bytes) else body.encode("utf-8", "replace"))
    root = Path(tempfile.mkdtemp(prefix="onegrid-fuzz-"))
    try:
        (root / "pack.yaml").write_text("kind: pack\nid: fuzz\nname: fuzz\n", encoding="utf-8")
        (root / "org.yaml").write_bytes(data)
        policy, problems = read_pack(root)
        assert policy is not None
        for problem in problems:
            assert problem.code
        check_pack(root)  # the stage checks see whatever the policy layer let through
    finally:
        shutil.rmtree(root)


# The CLI fixture captures output per call, so hypothesis' function-scoped
# fixture warning does not apply: nothing carries over between examples.
@settings(
    max_examples=60,
    deadline=5000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(KIND_PREFIX, YAMLISH)
def test_check_never_exits_with_an_internal_error(onegrid, tmp_path, prefix, body):
    root = tmp_path / "pack"
    root.mkdir(exist_ok=True)
    (root / "pack.yaml").write_text("kind: pack\nid: fuzz\nname: fuzz\n", encoding="utf-8")
    (root / "org.yaml").write_bytes((prefix + body).encode("utf-8", "replace"))
    result = onegrid("check", root)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.out + result.err


# Found by mutating the bundled packs: `read_document` looked a non-text kind
# up in a dict and crashed.
@pytest.mark.parametrize("kind", ["[org]", "{}", "{a: b}"])
def test_a_kind_that_is_not_text_is_a_policy_problem(onegrid, make_pack, kind):
    root = make_pack({"org.yaml": f"kind: {kind}\n"})
    result = onegrid("check", root)
    assert result.code == 1, result.err
