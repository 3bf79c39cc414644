"""Intake channels: the pack's `channels:` are the one vocabulary.

Which channel a case enters by is decided here, once, for every door:
the staff pages, the JSON API, Open311 and `intake import`. A door may be
asked for a channel (the API's `channel`, `--channel` on the command line),
and a credential may limit the channels it enters (an Open311 client key,
a hotline account: `allowed`). Without a request the door's default is the
channel the pack marks with `doors: [DOOR]`, else the pack's first channel.

A channel whose only door is `open311` belongs to the Open311 clients
(residents' reports through a front end): a staff credential never enters
by it, so no page or API client can pass a staff case off as a resident's.
Every other channel is open to staff (a hotline operator keys in hotline
cases through the API).
"""

from __future__ import annotations

from collections.abc import Iterable

from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy.kinds.routing import DOORS
from onegrid.policy.suggest import did_you_mean
from onegrid.workflow.errors import Forbidden, InvalidSubmission

messages.register(
    {
        "no-channels": {
            "zh": "策略包没有声明受理渠道（routing 文件的 channels:），无法受理案件",
            "en": "the pack declares no intake channels (channels: in a routing file), so it cannot take cases",
        },
        "channel-not-allowed": {
            "zh": "该账号不能从渠道 '{channel}' 上报（可用：{channels}）",
            "en": "this account may not report through the channel '{channel}' (allowed: {channels})",
        },
    }
)

__all__ = [
    "DOORS",
    "channel_for",
    "channels",
    "check_channel",
    "default_channel",
    "door_channel",
    "staff_channels",
]


def channels(book) -> dict[str, dict]:
    """The pack's channels by id, in the order declared."""
    found = book.__dict__.get("_channels")
    if found is None:
        found = {}
        for section in _routing_sections(book):
            for item in section.get("channels") or ():
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    found.setdefault(item["id"], item)
        book.__dict__["_channels"] = found
    return found


def _routing_sections(book) -> list[dict]:
    routing = book.resolved.get("routing") or {}
    return [routing] if isinstance(routing, dict) else []


def check_channel(book, channel: str | None) -> str:
    """`channel` if the pack knows it, else `InvalidSubmission` (with did-you-mean)."""
    known = channels(book)
    if not known:
        raise InvalidSubmission([Problem("no-channels", {})])
    if not isinstance(channel, str) or channel not in known:
        raise InvalidSubmission(
            [
                Problem(
                    "unknown-channel",
                    {"channel": str(channel), "channels": ", ".join(known)},
                    None,
                    did_you_mean(str(channel), list(known)),
                )
            ]
        )
    return channel


def channel_for(
    book, door: str, requested: str | None = None, allowed: Iterable[str] | None = None
) -> str:
    """The channel a case enters by at `door` (pages, api, open311, import).

    `requested` must be one of the pack's channels (and of `allowed`, when
    the credential limits them); without it, the door's default, the first
    allowed channel when the default is not allowed.
    """
    known = channels(book)
    if not known:
        raise InvalidSubmission([Problem("no-channels", {})])
    permitted = [c for c in allowed if c in known] if allowed is not None else list(known)
    if requested is not None:
        check_channel(book, requested)
        if requested not in permitted:
            raise Forbidden(
                "channel-not-allowed", {"channel": requested, "channels": ", ".join(permitted)}
            )
        return requested
    default = default_channel(book, door)
    if default in permitted:
        return default
    if permitted:
        return permitted[0]
    raise Forbidden("channel-not-allowed", {"channel": default, "channels": "-"})


def default_channel(book, door: str) -> str | None:
    """The channel the pack marks for `door`, else its first channel."""
    return door_channel(channels(book).values(), door)


def door_channel(declared: Iterable[dict], door: str) -> str | None:
    """Of the declared channels (a routing file's `channels:` items), the
    one marked for `door`, else the first."""
    first = None
    for item in declared:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            if door in (item.get("doors") or ()):
                return item["id"]
            first = first or item["id"]
    return first


def staff_channels(book) -> list[str]:
    """The channels a staff credential may enter cases by: all but those
    whose only door is open311 (the Open311 clients' own)."""
    return [
        cid
        for cid, item in channels(book).items()
        if not (item.get("doors") and set(item["doors"]) == {"open311"})
    ]
