"""docs/tutorial.md, followed literally: every file it shows is written as
it stands and every `.venv/bin/onegrid` command it gives is run, in order;
each must succeed (so the page and the engine cannot drift apart)."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from onegrid import paths

TUTORIAL = paths.PROJECT / "docs" / "tutorial.md"
FILE = re.compile(
    r"^`((?:mytown/)?[^`]+\.(?:yaml|csv))`(, add at the end)?:\n\n```\w*\n(.*?)^```", re.M | re.S
)
COMMAND = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)


def steps() -> list[tuple[str, object]]:
    """("file", (path, text)) and ("run", argv) in the page's order."""
    text = TUTORIAL.read_text(encoding="utf-8")
    found = [
        (m.start(), "file", (m.group(1), m.group(3), bool(m.group(2)))) for m in FILE.finditer(text)
    ]
    for m in COMMAND.finditer(text):
        for line in m.group(1).splitlines():
            if line.startswith(".venv/bin/onegrid "):
                found.append((m.start(), "run", shlex.split(line)[1:]))
    return [(kind, what) for _at, kind, what in sorted(found, key=lambda s: s[0])]


def test_the_tutorial_shows_every_file_of_the_pack():
    files = [what[0] for kind, what in steps() if kind == "file"]
    assert files[:2] == ["mytown/pack.yaml", "mytown/org.yaml"]
    assert {"mytown/registry/grids.csv", "mytown/tests/routing.yaml"} <= set(files)


def test_following_the_tutorial_literally(onegrid, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = []
    for kind, what in steps():
        if kind == "file":
            path, text, append = what
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            before = target.read_text(encoding="utf-8") if append else ""
            target.write_text(before + text, encoding="utf-8")
            continue
        argv = list(what)
        if argv[0] == "serve":
            continue  # a server that runs until stopped: `test --live` serves it below
        result = onegrid(*argv, "--lang", "en")
        assert result.code == 0, (argv, result.out, result.err)
        assert "warning" not in result.out, (argv, result.out)
        ran.append((argv[0], result))
    assert [a for a, _ in ran] == ["check", "check", "grids", "test", "explain", "test"]
    report = dict(ran)["grids"].out
    assert "Village" in report and "Community" not in report
    explained = onegrid("explain", "mytown", "--facts", "case.yaml", "--format", "json")
    decision = json.loads(explained.out)
    assert decision["decision"]["lead"] == "town.safety"
    assert decision["decision"]["supervise"] is True
    live = ran[-1][1]
    assert "2/2" in live.out + live.err


@pytest.mark.parametrize("path", ["docs/tutorial.md"])
def test_the_tutorial_links_resolve(path):
    text = (paths.PROJECT / path).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if target.startswith("http"):
            continue
        assert (paths.PROJECT / "docs" / target).exists(), target
