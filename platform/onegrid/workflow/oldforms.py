"""Reports filled under an older policy version (issue 19 item 3).

A grid worker fills a report on her phone without a network; by the time
it is sent, a newer version of the pack may be published. The pack's
`offline.version_window` (pack.yaml) says how long after the newer
version's publication such a report is still taken: within the window it
is validated and routed under the version she filled it under (the case
pins that version); later, or when the pack declares no window, it is
returned with a message saying why, and the page keeps her answers for the
new form. The window is the newest version's: the policy in force decides.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.base import utcnow
from onegrid.store.models import PolicyVersion
from onegrid.workflow.calendar import duration_words, local_minute
from onegrid.workflow.rulebook import rulebook

messages.register(
    {
        "old-form-unknown": {
            "zh": "表单所依据的策略版本 {version} 不存在：请按当前表单重新填写，已填内容已保留",
            "en": "the form was filled under policy version {version}, which does not exist: "
            "check the current form and send again (your answers are kept)",
        },
        "old-form-no-window": {
            "zh": "此表单按第 {version} 版策略填写，现行为第 {current} 版（{since} 发布），"
            "本地区不受理旧版表单：请按新表单核对后重新提交，已填内容已保留",
            "en": "this form was filled under policy version {version}; version {current} is in "
            "force since {since} and this district takes no older forms: check the new form "
            "and send again (your answers are kept)",
        },
        "old-form-too-late": {
            "zh": "此表单按第 {version} 版策略填写，第 {current} 版已于 {since} 发布，"
            "旧版表单只在新版发布后 {window}内受理：请按新表单核对后重新提交，已填内容已保留",
            "en": "this form was filled under policy version {version}; version {current} was "
            "published on {since} and older forms are taken only within {window} of that: "
            "check the new form and send again (your answers are kept)",
        },
    }
)


def window_of(version: PolicyVersion) -> str | None:
    """The pack's `offline.version_window` (a duration), if it declares one."""
    manifest = (version.resolved or {}).get("pack") or {}
    return (manifest.get("offline") or {}).get("version_window")


def filled_under(
    session, current: PolicyVersion, claimed: int | None, now: dt.datetime | None = None
) -> tuple[PolicyVersion, Problem | None]:
    """The version a report filled under version `claimed` is taken under
    (`current` when it claims none or the current one), or the problem that
    returns it."""
    if claimed is None or claimed == current.id:
        return current, None
    older = session.get(PolicyVersion, claimed)
    if older is None or older.pack != current.pack or older.id > current.id:
        return current, Problem("old-form-unknown", {"version": claimed})
    # the moment it stopped being the newest: the next version's publication
    successor = session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.pack == current.pack, PolicyVersion.id > older.id)
        .order_by(PolicyVersion.id)
        .limit(1)
    ).first()
    since = successor.published_at
    calendar = rulebook(current).calendar
    # in words and in the pack's own time zone: she reads it on a Chinese page
    params = {"version": older.id, "current": current.id, "since": local_minute(since, calendar.tz)}
    window = window_of(current)
    if not window:
        return current, Problem("old-form-no-window", params)
    if (now or utcnow()) > calendar.add(since, window):
        words = {lang: duration_words(window, lang) for lang in messages.LANGS}
        return current, Problem("old-form-too-late", {**params, "window": words})
    return older, None
