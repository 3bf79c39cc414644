"""`onegrid check` for the admission list: a review with no reviewer, and
listed tasks that bring nothing with them."""

from __future__ import annotations

from onegrid.errors import Problem


def check(policy) -> list[Problem]:
    section = policy.section("admission")
    problems: list[Problem] = []
    review = section.get("review")
    if review and review.get("unlisted") == "review" and "reviewer" not in review:
        problems.append(Problem("admission-no-reviewer", {}, review.key_loc("unlisted")))
    for task in section.get("tasks", []):
        if not task.get("resources"):
            problems.append(
                Problem(
                    "admission-task-without-resources",
                    {"task": task["id"]},
                    task.loc_of("id"),
                    severity="warning",
                )
            )
    return problems
