"""Scoring and ranking (绩效、赛马比拼): a scheme of `kind: scoring` applied to measures.

`rank(scheme, values)` takes each subject's measures (ratios from 0 to 1,
keyed by metric id), weighs them into a score out of 100, sorts the
subjects best first and puts each into the first tier whose `min` it
reaches. A measure given as None (nothing to measure: no case was due) is
left out and the other weights renormalised; a subject with nothing to
measure at all has no score, no rank and no tier, and is listed last.

`standings(session, book, scheme, record)` computes the measures from the
record: each metric's indicator (`kinds.scoring.FORMULAS`, implemented in
`formulas.py`) over the period's `record.Record`, for the scheme's
`subjects`. `run.py` freezes a period's standings (`store/scores.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from onegrid import messages
from onegrid.errors import Problem, UsageError

messages.register(
    {
        "scoring-tier-order": {
            "zh": "分档 '{tier}' 的 min {min} 不低于上一档的 {previous}；分档须按分数从高到低排列",
            "en": "tier '{tier}' has min {min}, not below the tier before it ({previous}); list tiers best first",
        },
        "scoring-no-floor": {
            "zh": "最后一档 '{tier}' 的 min 应为 0，否则低于 {min} 分的对象无档可归",
            "en": "the last tier '{tier}' should have min 0, or a score below {min} falls in no tier",
        },
        "scoring-duplicate": {
            "zh": "考评方案中 '{id}' 重复",
            "en": "'{id}' appears twice in the scheme",
        },
        "scoring-bad-value": {
            "zh": "'{subject}' 的指标 '{metric}' 应为 0 到 1 之间的数，实际是 {value}",
            "en": "metric '{metric}' of '{subject}' should be a number from 0 to 1, got {value}",
        },
        "scoring-unknown-metric": {
            "zh": "'{subject}' 有未知指标 '{metric}'",
            "en": "'{subject}' has an unknown metric '{metric}'",
        },
    }
)


@dataclass(frozen=True)
class Ranked:
    subject: str
    score: float | None
    rank: int | None
    tier: str | None


def score(
    scheme: Mapping, measures: Mapping[str, float | None], subject: str = "?"
) -> float | None:
    """The weighted score out of 100; a missing measure counts 0, a None one
    is left out (None if every one is)."""
    metrics = {m["id"]: m for m in scheme["metrics"]}
    for metric, value in measures.items():
        if metric not in metrics:
            raise UsageError(
                Problem("scoring-unknown-metric", {"subject": subject, "metric": metric})
            )
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise UsageError(
                Problem("scoring-bad-value", {"subject": subject, "metric": metric, "value": value})
            )
    counted = {mid: m for mid, m in metrics.items() if measures.get(mid, 0) is not None}
    total = sum(m["weight"] for m in counted.values())
    if not total:
        return None
    weighted = sum(m["weight"] * measures.get(mid, 0) for mid, m in counted.items())
    return round(100 * weighted / total, 2)


def tier_of(scheme: Mapping, value: float | None) -> str | None:
    if value is None:
        return None
    for tier in scheme["tiers"]:
        if value >= tier["min"]:
            return tier["id"]
    return scheme["tiers"][-1]["id"]


def rank(scheme: Mapping, values: Mapping[str, Mapping[str, float]]) -> list[Ranked]:
    """Subjects best first; equal scores share a rank (1, 2, 2, 4)."""
    scores = [(score(scheme, m, s), s) for s, m in values.items()]
    scored = sorted((p for p in scores if p[0] is not None), key=lambda p: (-p[0], p[1]))
    out: list[Ranked] = []
    for i, (value, subject) in enumerate(scored):
        place = out[-1].rank if out and out[-1].score == value else i + 1
        out.append(Ranked(subject, value, place, tier_of(scheme, value)))
    out += [Ranked(s, None, None, None) for v, s in sorted(scores, key=lambda p: p[1]) if v is None]
    return out


@dataclass
class Standing:
    """One subject's result for one period: its score, rank and tier, each
    metric's value with the number of items behind it, and the items."""

    subject: str
    name: object
    units: tuple[str, ...]
    score: float | None
    rank: int | None
    tier: str | None
    values: dict[str, dict]
    evidence: dict[str, list[dict]]


def indicators_of(book) -> dict[str, dict]:
    section = book.resolved.get("scoring") or {}
    return {i["id"]: i for i in section.get("indicators") or ()}


def schemes_of(book) -> list[dict]:
    return list((book.resolved.get("scoring") or {}).get("schemes") or ())


def measure(indicator: Mapping, record, subject_list) -> dict[str, tuple[float | None, list]]:
    """One indicator for every subject: (value, items)."""
    from onegrid.scoring.formulas import IMPLEMENTATIONS

    impl = IMPLEMENTATIONS[indicator["formula"]]
    index: dict[tuple[str, str], list[str]] = {}
    for subject in subject_list:
        for key in subject.keys:
            index.setdefault(key, []).append(subject.key)
    items: dict[str, list[dict]] = {s.key: [] for s in subject_list}
    seen: dict[str, set] = {s.key: set() for s in subject_list}
    for keys, item in impl.items(indicator, record):
        targets = {s for key in keys for s in index.get(key, ())}
        for target in targets:
            # what an item is about: a case (and its step or action), a round's
            # duty (and the tick's moment), a registry grid or a person record
            mark = (item.get("case"), item.get("round"), item.get("duty"), item.get("step"),
                    item.get("action"), item.get("at"), item.get("grid"),
                    item.get("person"))  # fmt: skip
            if mark not in seen[target]:
                seen[target].add(mark)
                items[target].append(item)
    return {key: (impl.value(indicator, found), found) for key, found in items.items()}


def points(indicator: Mapping, value: float | None) -> float | None:
    """The value as it enters a score: 1 - value where lower is better."""
    from onegrid.policy.kinds.scoring import FORMULAS

    if value is None or FORMULAS[indicator["formula"]].higher_is_better:
        return value
    return round(1 - value, 4)


def standings(session, book, scheme: Mapping, record) -> list[Standing]:
    """The scheme applied to the period's record, best first."""
    from onegrid.scoring.subjects import every_unit, subjects

    # a platform rollup (the dashboard) names no subject and brings its own indicators
    subject_list = subjects(session, book, scheme) if scheme["subject"] else every_unit(book)
    indicators = {**indicators_of(book), **(scheme.get("indicators") or {})}
    values: dict[str, dict[str, dict]] = {s.key: {} for s in subject_list}
    evidence: dict[str, dict[str, list]] = {s.key: {} for s in subject_list}
    for metric in scheme["metrics"]:
        indicator = indicators[metric["indicator"]]
        for key, (value, found) in measure(indicator, record, subject_list).items():
            values[key][metric["id"]] = {
                "indicator": indicator["id"],
                "value": value,
                "points": points(indicator, value),
                "items": len(found),
                "hits": round(sum(i["ok"] for i in found), 4),
            }
            evidence[key][metric["id"]] = found
    ranked = rank(scheme, {k: {m: v["points"] for m, v in vs.items()} for k, vs in values.items()})
    by_key = {s.key: s for s in subject_list}
    return [
        Standing(
            r.subject,
            by_key[r.subject].name,
            by_key[r.subject].units,
            r.score,
            r.rank,
            r.tier,
            values[r.subject],
            evidence[r.subject],
        )
        for r in ranked
    ]
