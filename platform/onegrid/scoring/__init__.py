"""Scoring and ranking (绩效、赛马比拼): a scheme of `kind: scoring` applied to measures.

`rank(scheme, values)` takes each subject's measures (ratios from 0 to 1,
keyed by metric id), weighs them into a score out of 100, sorts the
subjects best first and puts each into the first tier whose `min` it
reaches. Where the measures come from (cases closed, duties ticked off) is
the caller's business.
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
    score: float
    rank: int
    tier: str


def score(scheme: Mapping, measures: Mapping[str, float], subject: str = "?") -> float:
    """The weighted score out of 100; a missing measure counts 0."""
    metrics = {m["id"]: m for m in scheme["metrics"]}
    for metric, value in measures.items():
        if metric not in metrics:
            raise UsageError(
                Problem("scoring-unknown-metric", {"subject": subject, "metric": metric})
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise UsageError(
                Problem("scoring-bad-value", {"subject": subject, "metric": metric, "value": value})
            )
    total = sum(m["weight"] for m in metrics.values())
    weighted = sum(m["weight"] * measures.get(mid, 0) for mid, m in metrics.items())
    return round(100 * weighted / total, 2)


def tier_of(scheme: Mapping, value: float) -> str:
    for tier in scheme["tiers"]:
        if value >= tier["min"]:
            return tier["id"]
    return scheme["tiers"][-1]["id"]


def rank(scheme: Mapping, values: Mapping[str, Mapping[str, float]]) -> list[Ranked]:
    """Subjects best first; equal scores share a rank (1, 2, 2, 4)."""
    scored = sorted(
        ((score(scheme, m, s), s) for s, m in values.items()), key=lambda p: (-p[0], p[1])
    )
    out: list[Ranked] = []
    for i, (value, subject) in enumerate(scored):
        place = out[-1].rank if out and out[-1].score == value else i + 1
        out.append(Ranked(subject, value, place, tier_of(scheme, value)))
    return out
