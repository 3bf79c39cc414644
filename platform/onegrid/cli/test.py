"""`onegrid test PACK...`: run the packs' policy tests."""

from __future__ import annotations

import json

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.decide import suite
from onegrid.decide.trace import render
from onegrid.errors import PolicyError
from onegrid.paths import find_pack
from onegrid.policy.pack import load_policy

TEXT = {
    "expected": {"zh": "期望", "en": "expected"},
    "got": {"zh": "实际", "en": "got"},
    "summary": {
        "zh": "{packs} 个策略包，{passed} 个测试通过，{failed} 个失败",
        "en": "{packs} pack(s), {passed} test(s) passed, {failed} failed",
    },
    "untested": {
        "zh": "未被测试覆盖：{items}",
        "en": "not covered by any test: {items}",
    },
    "live": {
        "zh": "{pack}：{replayed}/{tests} 个测试经真实入口重放（接口 {api}，Open311 {open311}），升级 {climbed} 步；实际触发规则 {fired}/{rules}",
        "en": "{pack}: {replayed}/{tests} test(s) replayed live (API {api}, Open311 {open311}), {climbed} step(s) up the ladder; rules firing live {fired}/{rules}",
    },
    "live-skipped": {"zh": "未重放", "en": "not replayed"},
    "live-unfired": {
        "zh": "没有任何实际案件触发：{items}",
        "en": "fired by no live case: {items}",
    },
}


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False) if value is not None else "null"


def _title(name, lang: str) -> str:
    if isinstance(name, dict):
        return name.get(lang) or name.get("zh") or ""
    return name or ""


def test(packs: list[str], lang: str = "zh", fmt: str = "text") -> int:
    """Run every pack's tests; 1 if any fails (or a pack does not load)."""
    passed = failed = 0
    report = []
    for pack in packs:
        try:
            policy = load_policy(find_pack(pack))
        except PolicyError as exc:
            failed += 1
            report.append({"pack": pack, "ok": False, "problems": exc.problems, "tests": []})
            continue
        outcomes = suite.run(policy)
        passed += sum(o.passed for o in outcomes)
        failed += sum(not o.passed for o in outcomes)
        report.append(
            {
                "pack": pack,
                "policy": policy,
                "ok": all(o.passed for o in outcomes),
                "problems": [],
                "tests": outcomes,
                "untested": suite.untested(policy, outcomes),
            }
        )
    if fmt == "json":
        click.echo(json.dumps(_as_json(report, passed, failed, lang), ensure_ascii=False, indent=2))
    else:
        for entry in report:
            _print_pack(entry, lang)
        click.echo(
            TEXT["summary"][lang].format(packs=len(report), passed=passed, failed=failed), err=True
        )
    return 1 if failed else 0


def _print_pack(entry, lang: str) -> None:
    for problem in entry["problems"]:
        click.echo(messages.format_line(problem, lang))
    for o in entry["tests"]:
        where = f"{messages.display_path(o.loc.file)}:{o.loc.line}" if o.loc else entry["pack"]
        title = _title(o.name, lang)
        if o.passed:
            click.echo(f"✓ {where}: {o.id} {title}".rstrip())
            continue
        click.echo(f"✗ {where}: {o.id} {title}".rstrip())
        for problem in o.problems:
            click.echo("    " + messages.format_line(problem, lang))
        for d in o.diffs:
            click.echo(f"    {d.key}:")
            click.echo(f"      - {TEXT['expected'][lang]}: {_show(d.expected)}")
            click.echo(f"      + {TEXT['got'][lang]}: {_show(d.got)}")
        if o.explanation is not None:
            for line in render(entry["policy"], o.explanation, lang).splitlines():
                click.echo("    " + line)
    untested = entry.get("untested") or {}
    items = [*untested.get("rules", []), *untested.get("rungs", [])]
    if items:
        click.echo(TEXT["untested"][lang].format(items=", ".join(items)), err=True)


def _as_json(report, passed: int, failed: int, lang: str) -> dict:
    return {
        "ok": failed == 0,
        "passed": passed,
        "failed": failed,
        "packs": [
            {
                "pack": e["pack"],
                "ok": e["ok"],
                "problems": [messages.as_json(p, lang) for p in e["problems"]],
                "untested": e.get("untested"),
                "tests": [
                    {
                        "id": o.id,
                        "name": o.name,
                        "ok": o.passed,
                        "file": messages.display_path(o.loc.file) if o.loc else None,
                        "line": o.loc.line if o.loc else None,
                        "diffs": [d.as_json() for d in o.diffs],
                        "problems": [messages.as_json(p, lang) for p in o.problems],
                        "explanation": o.explanation.as_json() if o.explanation else None,
                    }
                    for o in e["tests"]
                ],
            }
            for e in report
        ],
    }


def test_live(packs: list[str], url: str | None, lang: str = "zh", fmt: str = "text") -> int:
    """Replay every pack's tests through the live doors; 1 if any differs."""
    from onegrid.cli.live import replay

    results = [replay(pack, url) for pack in packs]
    failed = sum(not o.passed for r in results for o in r.outcomes)
    if fmt == "json":
        click.echo(json.dumps([_live_json(r) for r in results], ensure_ascii=False, indent=2))
        return 1 if failed else 0
    for r in results:
        for o in r.outcomes:
            where = f"{messages.display_path(o.loc.file)}:{o.loc.line}" if o.loc else r.pack
            if o.skipped:
                click.echo(f"- {where}: {o.id} {TEXT['live-skipped'][lang]}: {o.skipped}")
                continue
            click.echo(f"{'✓' if o.passed else '✗'} {where}: {o.id} [{', '.join(o.doors)}]")
            for d in o.diffs:
                click.echo(f"    {d.key}:")
                click.echo(f"      - {TEXT['expected'][lang]}: {_show(d.expected)}")
                click.echo(f"      + {TEXT['got'][lang]}: {_show(d.got)}")
        counts = _live_counts(r)
        click.echo(TEXT["live"][lang].format(**counts), err=True)
        unfired = [x for x in r.rules if x not in r.fired]
        if unfired:
            click.echo(TEXT["live-unfired"][lang].format(items=", ".join(unfired)), err=True)
    return 1 if failed else 0


def _live_counts(r) -> dict:
    return {
        "pack": r.pack,
        "tests": len(r.outcomes),
        "replayed": r.replayed,
        "api": sum("api" in o.doors for o in r.outcomes),
        "open311": sum("open311" in o.doors for o in r.outcomes),
        "climbed": sum(o.climbed for o in r.outcomes),
        "fired": len(r.fired),
        "rules": len(r.rules),
    }


def _live_json(r) -> dict:
    return {
        **_live_counts(r),
        "ok": r.passed,
        "unfired": [x for x in r.rules if x not in r.fired],
        "outcomes": [
            {
                "id": o.id,
                "ok": o.passed,
                "doors": o.doors,
                "skipped": o.skipped,
                "climbed": o.climbed,
                "rules": o.rules,
                "diffs": [d.as_json() for d in o.diffs],
            }
            for o in r.outcomes
        ],
    }


@click.command("test")
@click.argument("packs", nargs=-1, required=True, type=click.Path())
@click.option(
    "--live",
    is_flag=True,
    help="File every test's case through the JSON API and Open311 of a real app "
    "on a fresh database, then sweep past each deadline; the live route must equal the test's.",
)
@click.option(
    "--url",
    help="With --live: a scratch database to use instead of a fresh SQLite file (never a live one).",
)
@options.lang
@options.fmt
def command(packs, live, url, lang, fmt):
    """Run the packs' policy tests; print expected vs got on a failure."""
    if live:
        return test_live(packs, url, lang=lang, fmt=fmt)
    return test(packs, lang=lang, fmt=fmt)
