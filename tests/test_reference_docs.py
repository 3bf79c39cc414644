"""The reference docs cover every key of every file kind, and are up to date."""

import importlib
import re

import pytest

from conftest import PROJECT
from onegrid import messages
from onegrid.policy import reference
from onegrid.policy.kinds import KINDS

DOCS = PROJECT / "docs" / "reference"
REGENERATE = "run: .venv/bin/python -m onegrid.policy.reference docs/reference"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_is_documented(kind):
    undocumented = [k.path for k in reference.keys(KINDS[kind].schema) if not k.description.strip()]
    assert undocumented == [], f"kind {kind}: keys without a description in the schema"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_titles_and_descriptions(kind):
    k = KINDS[kind]
    assert k.title["zh"] and k.title["en"] and k.description["zh"] and k.description["en"]
    assert k.schema.get("additionalProperties") is False


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_is_on_its_page(kind):
    text = (
        (DOCS / f"{kind}.md").read_text(encoding="utf-8") if (DOCS / f"{kind}.md").is_file() else ""
    )
    missing = [k.path for k in reference.keys(KINDS[kind].schema) if f"| `{k.path}` |" not in text]
    assert missing == [], REGENERATE


def test_committed_docs_are_fresh():
    expected = reference.render(DOCS)
    stale = [
        name
        for name, text in expected.items()
        if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], REGENERATE
    extra = sorted(p.name for p in DOCS.glob("*.md") if p.name not in expected)
    assert extra == [], "pages for kinds that no longer exist: delete them"


def test_keys_walk_lists_maps_and_branches():
    schema = {
        "type": "object",
        "properties": {
            "a": {
                "type": "array",
                "description": "A list.",
                "items": {
                    "type": "object",
                    "properties": {"b": {"type": "string"}},
                    "required": ["b"],
                },
            },
            "m": {
                "type": "object",
                "description": "A map.",
                "additionalProperties": {
                    "type": "object",
                    "properties": {"c": {"$ref": "#/$defs/id"}},
                },
            },
            "x": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "object", "properties": {"d": {"enum": [1, 2]}}},
                ]
            },
        },
    }
    found = [(k.path, k.type, k.required, k.description) for k in reference.keys(schema)]
    assert found == [
        ("a", "list of mappings", False, "A list."),
        ("a[].b", "string", True, ""),
        ("m", "mapping of mapping", False, "A map."),
        ("m.<key>.c", "id", False, ""),
        ("x", "string or mapping", False, ""),
        ("x.d", "one of `1`, `2`", False, ""),
    ]


def test_a_page_has_the_prose_and_the_table():
    text = (DOCS / "standards.md").read_text(encoding="utf-8")
    assert "# 网格标准 · Grid standards (`kind: standards`)" in text
    assert "Exit status: **1 when a standard is not met**" in text
    assert (
        "| `households.target` | integer | yes | The households a grid is drawn for, e.g. 450. |"
        in text
    )


# The modules of the governance language (issue 3): every code they raise is registered.
LANGUAGE_MODULES = [
    "platform/onegrid/policy/org.py",
    "platform/onegrid/grids/registry.py",
    "platform/onegrid/grids/report.py",
    "platform/onegrid/cli/grids.py",
    "platform/onegrid/admission/__init__.py",
    "platform/onegrid/admission/checks.py",
    "platform/onegrid/scoring/__init__.py",
    "platform/onegrid/scoring/checks.py",
]


@pytest.mark.parametrize("module", LANGUAGE_MODULES)
def test_problem_codes_are_registered_in_both_languages(module):
    importlib.import_module(
        module.removeprefix("platform/")
        .removesuffix(".py")
        .replace("/", ".")
        .removesuffix(".__init__")
    )
    source = (PROJECT / module).read_text(encoding="utf-8")
    codes = set(re.findall(r'Problem\(\s*"([a-z0-9.-]+)"', source)) | set(
        re.findall(r'\(\s*"(grids-[a-z-]+)"', source)
    )
    assert codes, module
    missing = sorted(c for c in codes if c not in messages.known_codes())
    assert missing == []
    for code in codes:
        assert messages.text(code, {}, "zh") != messages.text(code, {}, "en")
