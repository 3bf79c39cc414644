"""The broken-pack corpus: every pack under tests/broken/ has one defect.

Each case folder holds a pack and an `expect.txt`. Plain lines are the
`FILE:LINE:COL: error[CODE]` prefixes of the lines `onegrid check` must
print, in order and nothing else; lines starting `zh: ` or `en: ` pin the
whole line in that language. Only `file-duplicate-section` expects two
lines: no kind has a non-list section yet, so a second file can only set a
key twice by also breaking the schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onegrid.errors import PolicyError
from onegrid.policy import loader

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expect.txt").is_file())


def read_expect(case: str) -> tuple[list[str], dict[str, list[str]]]:
    prefixes: list[str] = []
    full: dict[str, list[str]] = {"zh": [], "en": []}
    for line in (BROKEN / case / "expect.txt").read_text(encoding="utf-8").splitlines():
        if line[:4] in ("zh: ", "en: "):
            full[line[:2]].append(line[4:])
        elif line.strip():
            prefixes.append(line)
    return prefixes, full


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 45


@pytest.mark.parametrize("case", CASES)
def test_broken_pack_reports_exact_location_and_code(case, onegrid, monkeypatch):
    prefixes, full = read_expect(case)
    monkeypatch.chdir(BROKEN / case)  # so files print as the pack-relative paths pinned
    result = onegrid("check", ".")
    assert result.code == 1, result.out + result.err
    assert result.err.splitlines()[-1] == f"1 个策略包，{len(prefixes)} 个错误"
    lines = result.out.splitlines()
    assert [line.split("]", 1)[0] + "]" for line in lines] == prefixes, result.out
    for line in lines:
        assert line.startswith(tuple(p + ": " for p in prefixes))
    for lang, expected in full.items():
        if expected:
            assert onegrid("check", ".", "--lang", lang).out.splitlines() == expected


def test_every_threat_and_rule_has_a_case():
    codes = {line.split("[", 1)[1].rstrip("]") for case in CASES for line in read_expect(case)[0]}
    assert {
        "too-deep",
        "too-many-nodes",
        "merge-key",
        "duplicate-key",
        "tag-not-allowed",
        "not-utf8",
        "yaml-syntax",
        "multiple-documents",
        "empty-file",
        "not-a-mapping",
        "missing-kind",
        "unknown-kind",
        "schema-type",
        "schema-required",
        "schema-unknown-key",
        "schema-enum",
        "schema-pattern",
        "schema-range",
        "schema-length",
        "unknown-ref",
        "duplicate-id",
        "duplicate-section",
    } <= codes


def oversize_pack(make_pack, size: int) -> Path:
    root = make_pack({})
    with (root / "org.yaml").open("wb") as fh:
        fh.write(b"kind: org\n# " + b"x" * size + b"\n")
    return root


def test_a_file_over_the_default_limit_is_refused_unread(onegrid, make_pack, monkeypatch):
    root = oversize_pack(make_pack, loader.DEFAULT_LIMITS.max_bytes)
    size = (root / "org.yaml").stat().st_size
    monkeypatch.chdir(root)
    result = onegrid("check", ".", "--lang", "en")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"org.yaml:1:1: error[file-too-large]: the file is {size} bytes,"
        f" over the limit of {16 * 1024 * 1024} bytes"
    ]


def test_a_file_just_under_the_limit_is_read(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_bytes(b"kind: org\n" + b"#" * 100 + b"\n")
    limits = loader.Limits(max_bytes=path.stat().st_size)
    assert loader.load_file(path, limits) == {"kind": "org"}
    with pytest.raises(PolicyError) as caught:
        loader.load_file(path, loader.Limits(max_bytes=path.stat().st_size - 1))
    assert [p.code for p in caught.value.problems] == ["file-too-large"]
    with pytest.raises(PolicyError):
        loader.load_bytes(path.read_bytes(), "org.yaml", loader.Limits(max_bytes=10))
