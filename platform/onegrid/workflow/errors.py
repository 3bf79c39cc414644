"""What can go wrong with a case, as problems with zh and en text."""

from __future__ import annotations

from onegrid import messages
from onegrid.errors import OnegridError, Problem

messages.register(
    {
        "case-not-found": {
            "zh": "找不到案件 {case}",
            "en": "case {case} not found",
        },
        "case-stale": {
            "zh": "案件 {case} 已被他人处理（您看到的是第 {expected} 版，现在是第 {current} 版）：请刷新后重试",
            "en": "case {case} was changed by someone else (you saw version {expected}, it is now {current}): reload and try again",
        },
        "item-stale": {
            "zh": "{item} 已被他人处理（您看到的是第 {expected} 版，现在是第 {current} 版）：请刷新后重试",
            "en": "{item} was changed by someone else (you saw version {expected}, it is now {current}): reload and try again",
        },
        "idempotency-conflict": {
            "zh": "幂等键 '{key}' 已用于另一份内容不同的上报（案件 {case}）",
            "en": "the idempotency key '{key}' was already used for a different report (case {case})",
        },
        "transition-not-open": {
            "zh": "案件 {case} 处于“{state}”，不能执行“{transition}”",
            "en": "case {case} is '{state}': '{transition}' is not open",
        },
        "unknown-transition": {
            "zh": "流程中没有操作 '{transition}'",
            "en": "the workflow has no transition '{transition}'",
        },
        "transition-forbidden": {
            "zh": "{actor} 无权对案件 {case} 执行“{transition}”（可由{who}办理）",
            "en": "{actor} may not take '{transition}' on case {case} (it is for {who})",
        },
        "guard-failed": {
            "zh": "案件 {case} 不满足“{transition}”的条件：{guard}",
            "en": "case {case} does not meet the condition of '{transition}': {guard}",
        },
        "unknown-matter": {
            "zh": "事项清单中没有事项 '{matter}'",
            "en": "the matter catalog has no matter '{matter}'",
        },
        "unknown-place": {
            "zh": "组织架构中没有 '{place}'",
            "en": "the org has no unit '{place}'",
        },
        "unknown-channel": {
            "zh": "未知的来源渠道 '{channel}'（可用：{channels}）",
            "en": "unknown intake channel '{channel}' (known: {channels})",
        },
        "missing-fact": {
            "zh": "缺少案件要素 '{fact}'",
            "en": "the case fact '{fact}' is missing",
        },
        "field-required": {
            "zh": "请填写“{field}”",
            "en": "'{field}' is required",
        },
        "field-invalid": {
            "zh": "“{field}”：{message}",
            "en": "'{field}': {message}",
        },
        "no-workflow": {
            "zh": "策略包 '{pack}' 没有流程（kind: workflow）：请在 pack.yaml 中加入 includes: [closed-loop]",
            "en": "the pack '{pack}' has no workflow (kind: workflow): add includes: [closed-loop] to pack.yaml",
        },
        "no-initial-state": {
            "zh": "流程必须恰好有一个初始状态（initial: true），现有 {count} 个",
            "en": "the workflow needs exactly one initial state (initial: true); it has {count}",
        },
    }
)


class CaseError(OnegridError):
    """A refused step on a case; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, code: str, params: dict | None = None):
        super().__init__(Problem(code, params or {}))

    @property
    def code(self) -> str:
        return self.problems[0].code


class CaseNotFound(CaseError):
    status = 404


class Forbidden(CaseError):
    status = 403


class Conflict(CaseError):
    status = 409


class InvalidSubmission(CaseError):
    """A report or a transition's form did not validate."""

    status = 422

    def __init__(self, problems: list[Problem], errors=None):
        OnegridError.__init__(self, problems)
        self.errors = errors if errors is not None else problems
