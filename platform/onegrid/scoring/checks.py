"""`onegrid check` for scoring schemes: tiers best first down to 0, ids once each."""

from __future__ import annotations

from itertools import pairwise

from onegrid.errors import Problem


def check(policy) -> list[Problem]:
    problems: list[Problem] = []
    for scheme in policy.section("scoring").get("schemes", []):
        for key in ("metrics", "tiers"):
            seen: set[str] = set()
            for item in scheme[key]:
                if item["id"] in seen:
                    problems.append(
                        Problem("scoring-duplicate", {"id": item["id"]}, item.loc_of("id"))
                    )
                seen.add(item["id"])
        tiers = scheme["tiers"]
        for before, tier in pairwise(tiers):
            if tier["min"] >= before["min"]:
                problems.append(
                    Problem(
                        "scoring-tier-order",
                        {"tier": tier["id"], "min": tier["min"], "previous": before["min"]},
                        tier.loc_of("min"),
                    )
                )
        last = tiers[-1]
        if last["min"] != 0:
            problems.append(
                Problem(
                    "scoring-no-floor", {"tier": last["id"], "min": last["min"]}, last.loc_of("min")
                )
            )
    return problems
