"""People who claim posts (认岗领责): a person registers in their home grid
and claims one of the pack's claimable posts (duty lists with `claimable:
true`, e.g. Jinshui's six posts); the grid's party branch confirms.

Each registration is a workflow item of a kind whose decision is
`post_claim` (`rules/post-claims`): the person's record (name, phone, party
member or not, home grid) is its filed form, apart from any login account;
the engine, audit chain and trail are those of every item. Coverage counts
confirmed people per grid: how many, how many party members, and which
posts are held, against the posts the pack lets people claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.items import Item
from onegrid.workflow import duty_plan
from onegrid.workflow.errors import InvalidSubmission
from onegrid.workflow.rulebook import rulebook

DECISION = "post_claim"

messages.register(
    {
        "claim-unknown-post": {
            "zh": "'{post}' 不是可认领的岗位；可认领：{posts}",
            "en": "'{post}' is not a post one may claim; the posts are: {posts}",
        },
        "claim-not-a-grid": {
            "zh": "“{grid}”不是网格",
            "en": "'{grid}' is not a grid",
        },
    }
)


def kinds(book) -> list[str]:
    return [k for k, spec in book.kinds.items() if spec.get("decision") == DECISION]


def posts(book) -> dict[str, dict]:
    """The claimable posts: duty lists with `claimable: true`."""
    return {k: v for k, v in duty_plan.lists(book).items() if v.get("claimable")}


def lowest_level(book) -> str | None:
    """The grids' level: the finest level that has units. A pack may declare
    finer levels it lists no unit of (Kunqu's buildings and their entrances),
    and nobody lives in a level with no units."""
    used = {spec.get("level") for spec in book.units.values()}
    ranked = sorted(
        (lvl for lvl in book.levels.values() if lvl["id"] in used),
        key=lambda lvl: int(lvl.get("rank", 0)),
    )
    return ranked[-1]["id"] if ranked else None


def decide(book, data: dict[str, Any], lang: str):
    """The `post_claim` decision: the post must be claimable and the home
    grid a unit of the lowest level; the grid's branch confirms (the item's unit)."""
    from onegrid.workflow.decisions import Decided

    problems, errors = [], {}
    claimable = posts(book)
    post = data.get("post")
    if post not in claimable:
        names = "、".join(book.name(v, lang, k) for k, v in claimable.items()) or "—"
        params = {"post": str(post), "posts": names}
        problems.append(Problem("claim-unknown-post", params))
        errors["post"] = [messages.text("claim-unknown-post", params, lang)]
    grid = data.get("home_grid")
    if (book.units.get(grid) or {}).get("level") != lowest_level(book):
        params = {"grid": str(grid)}
        problems.append(Problem("claim-not-a-grid", params))
        errors["home_grid"] = [messages.text("claim-not-a-grid", params, lang)]
    if problems:
        raise InvalidSubmission(problems, errors)
    return Decided(outcome=None, unit=grid, record={"post": post, "grid": grid})


@dataclass
class Coverage:
    """Confirmed people of one grid (or all grids below a unit)."""

    unit: str
    people: int = 0
    party_members: int = 0
    posts: dict[str, int] = field(default_factory=dict)  # post -> people holding it
    grids: int = 0  # grids below (1 for a grid)
    grids_with_party_members: int = 0
    grids_all_posts: int = 0  # grids where every claimable post is held

    def posts_held(self) -> int:
        return sum(1 for n in self.posts.values() if n)


def coverage(session, version) -> dict[str, Coverage]:
    """Per grid and every unit above it: confirmed people, party members,
    posts held, and how many grids have a party member or every post."""
    book = rulebook(version)
    level = lowest_level(book)
    grids = [u for u, spec in book.units.items() if spec.get("level") == level]
    wanted = list(posts(book))
    per: dict[str, Coverage] = {g: Coverage(g, posts=dict.fromkeys(wanted, 0)) for g in grids}
    rows = session.scalars(
        select(Item).where(
            Item.pack == book.pack, Item.kind.in_(kinds(book) or [""]), Item.outcome == "confirmed"
        )
    ).all()
    counted: set = set()
    for claim in rows:
        c = per.get(claim.unit)
        if c is None:
            continue
        # a person counts once, however many claims of theirs were confirmed
        # (`result.person`: the record `onegrid.workflow.people` ties it to)
        who = (claim.result or {}).get("person") or f"claim:{claim.id}"
        if who not in counted:
            counted.add(who)
            c.people += 1
            c.party_members += bool(claim.data.get("party_member"))
        post = claim.data.get("post")
        if post in c.posts:
            c.posts[post] += 1
    out: dict[str, Coverage] = {}
    for grid, c in per.items():
        c.grids = 1
        c.grids_with_party_members = int(c.party_members > 0)
        c.grids_all_posts = int(bool(wanted) and all(c.posts[p] for p in wanted))
        out[grid] = c
        for unit in book.ancestors(grid)[1:]:
            up = out.setdefault(unit, Coverage(unit, posts=dict.fromkeys(wanted, 0)))
            up.people += c.people
            up.party_members += c.party_members
            up.grids += 1
            up.grids_with_party_members += c.grids_with_party_members
            up.grids_all_posts += c.grids_all_posts
            for p, n in c.posts.items():
                up.posts[p] += n
    return out
