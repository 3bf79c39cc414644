"""The grids report as people read it: a text table (Chinese characters
count as two columns) and CSV, for `onegrid grids report` and the
registry page of the web app."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from onegrid import messages
from onegrid.grids.registry import capital
from onegrid.grids.report import FIGURES, GridsReport, figure_label

# Shown lines of each list in the text table; csv and json list everything.
SHOWN = 30

LABELS = {
    "title": {"zh": "网格标准报告", "en": "Grid standards report"},
    "totals": {"zh": "总数", "en": "Totals"},
    "figure": {"zh": "项目", "en": "Figure"},
    "registry": {"zh": "台账", "en": "Registry"},
    "published": {"zh": "公布", "en": "Published"},
    "households": {"zh": "每格户数", "en": "Households per grid"},
    "hh": {"zh": "户数", "en": "Households"},
    "by_parent": {"zh": "按上级单位汇总", "en": "By parent unit"},
    "unit": {"zh": "上级单位", "en": "Parent unit"},
    "range": {
        "zh": "标准 {target} 户（{min}–{max}），平均 {mean}，最少 {smallest}，最多 {largest}",
        "en": "standard {target} ({min}–{max}), mean {mean}, smallest {smallest}, largest {largest}",
    },
    "out_of_range": {"zh": "户数超出范围的网格：{n} 个", "en": "Grids outside the range: {n}"},
    "grid": {"zh": "网格", "en": "Grid"},
    "community": {"zh": "社区", "en": "Community"},
    "limit": {"zh": "界限", "en": "Limit"},
    "row": {"zh": "行", "en": "Row"},
    "staffing": {"zh": "人员配备", "en": "Staffing"},
    "rule": {"zh": "标准", "en": "Rule"},
    "per": {"zh": "范围", "en": "Per"},
    "need": {"zh": "要求", "en": "Required"},
    "checked": {"zh": "检查", "en": "Checked"},
    "gaps": {"zh": "缺口", "en": "Gaps"},
    "coverage": {"zh": "覆盖率", "en": "Coverage"},
    "share": {"zh": "比例", "en": "Share"},
    "status": {"zh": "结果", "en": "Status"},
    "ok": {"zh": "达标", "en": "ok"},
    "bad": {"zh": "不达标", "en": "NOT MET"},
    "differs": {"zh": "不一致", "en": "differs"},
    "more": {"zh": "……另有 {n} 项，见 --format csv", "en": "… {n} more, see --format csv"},
    "verdict_ok": {"zh": "结论：符合网格标准", "en": "Verdict: the grid standards are met"},
    "verdict_bad": {
        "zh": "结论：{n} 处不符合网格标准",
        "en": "Verdict: {n} violation(s) of the grid standards",
    },
    "scope": {"zh": "每个{level}", "en": "each {level}"},
    "people": {
        "zh": "在册人员（人员记录与已确认的认岗登记，每人计一次；未关联人员记录的账号不计为人，另列）",
        "en": "People on record (person records and confirmed claims, each person once; accounts with no person record are not counted as people, but listed apart)",
    },
    "persons": {"zh": "人数", "en": "People"},
    "accounts": {"zh": "无人员记录的账号", "en": "Accounts without a person"},
    "met": {"zh": "达标", "en": "Met"},
    "posts": {"zh": "岗位认领", "en": "Posts claimed"},
    "post": {"zh": "岗位", "en": "Post"},
    "grids_held": {"zh": "有人认领的{level}", "en": "{level}s where held"},
    "registered": {
        "zh": "已确认登记 {people} 人，其中党员 {party_members} 人；有党员报到的{level} {grids_with_party_members}/{grids}，岗位齐全的{level} {grids_all_posts}/{grids}",
        "en": "{people} confirmed registrations, {party_members} party members; {level}s with a registered party member {grids_with_party_members}/{grids}, {level}s with every post held {grids_all_posts}/{grids}",
    },
}


def as_text(policy, result: GridsReport, lang: str) -> str:
    t = {k: v[lang] for k, v in LABELS.items()}
    # the registry's own levels, by the pack's names for them (村, not 社区)
    named = {k: result.level_names[v][lang] for k, v in result.levels.items() if v}
    for key, level in (("community", "parent"), ("grid", "grid")):
        label = named.get(level, t[key])
        t[key] = capital(label)  # column headings: "Village"
    name = policy.manifest.get("name")
    name = name.get(lang, name.get("zh")) if isinstance(name, dict) else name
    sep = "：" if lang == "zh" else ": "
    out = [f"{t['title']}{sep}{name} ({_shown(policy, result.registry)})", ""]
    published = {p["figure"]: p["published"] for p in result.published}
    rows = []
    for key in FIGURES:
        label = figure_label(policy, key, result.levels)[lang]
        rows.append((label, result.totals[key], published.get(key, "")))
    for role, count in result.totals["staff"].items():
        key = f"staff.{role}"
        rows.append((figure_label(policy, key)[lang], count, published.get(key, "")))
    out.append(t["totals"])
    out += table(
        [t["figure"], t["registry"], t["published"], t["status"]],
        [
            (label, have, pub, "" if pub == "" else (t["ok"] if pub == have else t["differs"]))
            for label, have, pub in rows
        ],
    )
    if result.by_parent:
        out += ["", t["by_parent"]]
        out += table(
            [t["unit"], t["community"], t["grid"], t["hh"]],
            [
                (_unit_name(policy, r["unit"], lang), r["communities"], r["grids"], r["households"])
                for r in result.by_parent
            ],
        )
    if result.households:
        out += ["", t["households"] + sep + t["range"].format(**result.households)]
        out.append(t["out_of_range"].format(n=len(result.out_of_range)))
        if result.out_of_range:
            shown = [
                (g["grid"], g["community"], g["households"], g["limit"], g["row"])
                for g in result.out_of_range
            ]
            out += table(
                [t["grid"], t["community"], t["hh"], t["limit"], t["row"]],
                shown[:SHOWN],
            )
            if len(shown) > SHOWN:
                out.append("  " + t["more"].format(n=len(shown) - SHOWN))
    if result.staffing:
        out += ["", t["staffing"]]
        out += table(
            [t["rule"], t["per"], t["need"], t["checked"], t["gaps"], t["status"]],
            [
                (
                    messages.localized(s["name"], lang) or s["rule"],
                    t["scope"].format(level=result.level_names[s["per"]][lang]),
                    f"{s['min']}" + (f"–{s['max']}" if s["max"] is not None else "+"),
                    s["checked"],
                    len(s["gaps"]),
                    t["ok"] if not s["gaps"] else t["bad"],
                )
                for s in result.staffing
            ],
        )
    if result.coverage:
        out += ["", t["coverage"]]
        out += table(
            [t["rule"], t["grid"], t["share"], t["need"], t["status"]],
            [
                (
                    messages.localized(c["name"], lang) or c["rule"],
                    f"{c['grids_with']}/{c['grids']}",
                    f"{c['share']:.1%}",
                    f"≥ {c['min_share']:.0%}",
                    t["ok"] if c["ok"] else t["bad"],
                )
                for c in result.coverage
            ],
        )
    if result.people is not None:
        out += people_lines(policy, result, t, lang)
    out.append("")
    n = result.violations
    out.append(t["verdict_bad"].format(n=n) if n else t["verdict_ok"])
    return "\n".join(out)


def _shown(policy, path: str) -> str:
    """The registry's path within its pack (the page must not show where the
    server keeps its files), else as the command line shows paths."""
    try:
        return Path(path).resolve().relative_to(policy.root.resolve()).as_posix()
    except (ValueError, OSError):
        return messages.display_path(path)


def people_lines(policy, result: GridsReport, t: dict, lang: str) -> list[str]:
    """Real people per role, per staffing rule and per claimable post (not
    verdicts: the registry stays the standard's measure; this is who is on
    record), each role beside the registry's count of it."""
    people = result.people
    out = ["", t["people"]]
    staff = result.totals.get("staff", {})
    alone = people.get("accounts", {})
    out += table(
        [t["figure"], t["registry"], t["persons"], t["accounts"]],
        [
            (
                figure_label(policy, f"staff.{role}")[lang],
                staff.get(role, ""),
                n,
                alone.get(role, 0),
            )
            for role, n in people["roles"].items()
            if n or alone.get(role) or role in staff
        ],
    )
    out.append("")
    out += table(
        [t["rule"], t["per"], t["need"], t["persons"], t["met"], t["gaps"], t["status"]],
        [
            (
                messages.localized(s["name"], lang) or s["rule"],
                t["scope"].format(level=_level(result, s["per"], lang)),
                f"{s['min']}" + (f"–{s['max']}" if s["max"] is not None else "+"),
                s["people"],
                f"{s['met']}/{s['checked']}",
                len(s["gaps"]),
                t["ok"] if not s["gaps"] else t["bad"],
            )
            for s in people["staffing"]
        ],
    )
    if people["posts"]:
        out += ["", t["posts"]]
        grid = _level(result, result.levels.get("grid"), lang)
        out += table(
            [t["post"], t["persons"], capital(t["grids_held"].format(level=grid))],
            [
                (
                    messages.localized(p["name"], lang) or p["post"],
                    p["people"],
                    f"{p['grids_held']}/{p['grids']}",
                )
                for p in people["posts"]
            ],
        )
        out.append("  " + t["registered"].format(level=grid, **people["registered"]))
    return out


def _level(result: GridsReport, level: str | None, lang: str) -> str:
    """A level's name in the pack (网格, 村), else its id."""
    return (result.level_names.get(level) or {}).get(lang) or level or ""


def as_csv(policy, result: GridsReport, lang: str) -> str:
    """One row per figure and finding: section, subject, value, standard, status."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "subject", "community", "value", "standard", "status"])
    published = {p["figure"]: p for p in result.published}
    for key in [*FIGURES, *(f"staff.{r}" for r in result.totals["staff"])]:
        have = result.totals["staff"][key[6:]] if key.startswith("staff.") else result.totals[key]
        pub = published.get(key)
        status = "" if pub is None else ("ok" if pub["ok"] else "differs")
        w.writerow(["total", key, "", have, pub["published"] if pub else "", status])
    for g in result.out_of_range:
        h = result.households
        w.writerow(
            [
                "households",
                g["grid"],
                g["community"],
                g["households"],
                f"{h['min']}-{h['max']}",
                "violation",
            ]
        )
    for s in result.staffing:
        for gap in s["gaps"]:
            w.writerow(
                [
                    "staffing",
                    gap["subject"],
                    "",
                    gap["have"],
                    f"{s['rule']}:{gap['kind']}:{gap['need']}",
                    "violation",
                ]
            )
    for c in result.coverage:
        w.writerow(
            [
                "coverage",
                c["rule"],
                "",
                c["share"],
                c["min_share"],
                "ok" if c["ok"] else "violation",
            ]
        )
    for s in (result.people or {}).get("staffing", ()):
        w.writerow(
            [
                "people",
                s["rule"],
                "",
                s["people"],
                f"{s['met']}/{s['checked']}",
                "ok" if not s["gaps"] else "gaps",
            ]
        )
        for gap in s["gaps"]:
            w.writerow(
                ["people-gap", gap["subject"], "", gap["have"], f"{s['rule']}:{gap['need']}", "gap"]
            )
    for p in (result.people or {}).get("posts", ()):
        w.writerow(["post", p["post"], "", p["people"], f"{p['grids_held']}/{p['grids']}", ""])
    return buf.getvalue()


def table(header: list[str], rows: list[tuple]) -> list[str]:
    """Rows aligned in columns; Chinese characters count as two."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(width(r[i]) for r in cells) for i in range(len(header))]
    return [
        "  " + "  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    ]


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def _unit_name(policy, unit_id: str, lang: str) -> str:
    unit = policy.get("unit", unit_id)
    return messages.localized(unit.get("name"), lang) or unit_id if unit else unit_id
