"""Problem codes → sentences in Chinese (default) and English.

The one place that turns a `Problem` into text. Stages register their own
codes with `register()` at import time; rendering stays here.
"""

from __future__ import annotations

import json
import os
from typing import Any

from onegrid.errors import Problem

LANGS = ("zh", "en")

_MESSAGES: dict[str, dict[str, str]] = {
    # files and YAML
    "file-unreadable": {
        "zh": "无法读取文件：{reason}",
        "en": "cannot read the file: {reason}",
    },
    "file-too-large": {
        "zh": "文件大小 {size} 字节，超过上限 {limit} 字节",
        "en": "the file is {size} bytes, over the limit of {limit} bytes",
    },
    "not-utf8": {
        "zh": "文件不是 UTF-8 编码（第 {offset} 字节处）",
        "en": "the file is not UTF-8 (at byte {offset})",
    },
    "yaml-syntax": {
        "zh": "YAML 语法错误：{reason}",
        "en": "YAML syntax error: {reason}",
    },
    "too-deep": {
        "zh": "嵌套超过 {limit} 层",
        "en": "nesting deeper than {limit} levels",
    },
    "too-many-nodes": {
        "zh": "展开后的节点超过 {limit} 个（别名炸弹？）",
        "en": "more than {limit} nodes once aliases are expanded (an alias bomb?)",
    },
    "merge-key": {
        "zh": "不支持合并键 '<<'：请直接写出各个键",
        "en": "merge keys '<<' are not supported: write the keys out",
    },
    "duplicate-key": {
        "zh": "重复的键 '{key}'：第 {first_line} 行已经定义过",
        "en": "duplicate key '{key}': already defined on line {first_line}",
    },
    "tag-not-allowed": {
        "zh": "不允许使用标签 '{tag}'",
        "en": "the tag '{tag}' is not allowed",
    },
    "complex-key": {
        "zh": "映射的键必须是字符串或数字",
        "en": "mapping keys must be strings or numbers",
    },
    "multiple-documents": {
        "zh": "一个文件只能有一个 YAML 文档",
        "en": "a file may hold only one YAML document",
    },
    "empty-file": {
        "zh": "文件是空的",
        "en": "the file is empty",
    },
    # pack structure
    "not-a-pack": {
        "zh": "'{path}' 不是策略包：找不到 pack.yaml",
        "en": "'{path}' is not a policy pack: no pack.yaml found",
    },
    "not-a-mapping": {
        "zh": "文件顶层必须是映射（键: 值）",
        "en": "the top level of the file must be a mapping (key: value)",
    },
    "missing-kind": {
        "zh": "缺少 'kind'：请说明这是哪一类策略文件",
        "en": "'kind' is missing: say which kind of policy file this is",
    },
    "unknown-kind": {
        "zh": "未知的文件类型 '{kind}'",
        "en": "unknown file kind '{kind}'",
    },
    "misplaced-pack": {
        "zh": "包清单（kind: pack）只能写在 pack.yaml 中",
        "en": "the pack manifest (kind: pack) belongs in pack.yaml only",
    },
    # schema
    "schema-type": {
        "zh": "'{path}' 应为{expected}，实际是{actual} {value}",
        "en": "'{path}' should be {expected}, got {actual} {value}",
    },
    "schema-required": {
        "zh": "缺少必填项 '{key}'",
        "en": "'{key}' is required",
    },
    "schema-unknown-key": {
        "zh": "未知的键 '{key}'",
        "en": "unknown key '{key}'",
    },
    "schema-enum": {
        "zh": "'{path}' 的值 {value} 不在允许的取值中：{allowed}",
        "en": "'{path}' is {value}, which is not one of: {allowed}",
    },
    "schema-pattern": {
        "zh": "'{path}' 的值 {value} 格式不对（应为{pattern_doc}）",
        "en": "'{path}' is {value}, which is not well formed (expected {pattern_doc})",
    },
    "schema-range": {
        "zh": "'{path}' 的值 {value} 超出范围：{bound}",
        "en": "'{path}' is {value}, out of range: {bound}",
    },
    "schema-length": {
        "zh": "'{path}' 的长度不符合要求：{bound}",
        "en": "'{path}' has the wrong length: {bound}",
    },
    "schema-unique": {
        "zh": "'{path}' 中有重复项",
        "en": "'{path}' has duplicate items",
    },
    "schema-invalid": {
        "zh": "'{path}' 无效：{reason}",
        "en": "'{path}' is invalid: {reason}",
    },
    # ids and references
    "duplicate-id": {
        "zh": "{namespace} '{id}' 重复：已在 {first} 定义",
        "en": "{namespace} '{id}' is defined twice: first at {first}",
    },
    "unknown-ref": {
        "zh": "未知的{namespace} '{id}'",
        "en": "unknown {namespace} '{id}'",
    },
    "internal-error": {
        "zh": "内部错误（不是你的错）：{reason}；详情已记录到 {log}",
        "en": "internal error (not your fault): {reason}; details logged to {log}",
    },
    # hints
    "hint.did-you-mean": {
        "zh": "你是不是想写 '{suggestion}'？",
        "en": "did you mean '{suggestion}'?",
    },
    "hint.boolean": {
        "zh": "YAML 里请写 true 或 false，'{text}' 会保留为文字",
        "en": "write true or false; '{text}' stays text as written",
    },
    "hint.quote-number": {
        "zh": "以 0 开头的数字保留为文字；如要数字请去掉前导 0",
        "en": "numbers with a leading 0 stay text; drop the leading 0 for a number",
    },
}

# Names of things, used inside messages ("unknown department 'x'").
_NOUNS: dict[str, dict[str, str]] = {
    "string": {"zh": "文字", "en": "text"},
    "integer": {"zh": "整数", "en": "an integer"},
    "number": {"zh": "数字", "en": "a number"},
    "boolean": {"zh": "布尔值（true/false）", "en": "a boolean (true/false)"},
    "object": {"zh": "映射", "en": "a mapping"},
    "array": {"zh": "列表", "en": "a list"},
    "null": {"zh": "空值", "en": "null"},
}


def register(messages: dict[str, dict[str, str]], nouns: dict | None = None) -> None:
    """Add a stage's problem codes (and nouns) to the catalog."""
    for code, texts in messages.items():
        if code in _MESSAGES and _MESSAGES[code] != texts:
            raise ValueError(f"message code {code!r} registered twice")
        missing = set(LANGS) - set(texts)
        if missing:
            raise ValueError(f"message {code!r} lacks {sorted(missing)}")
        _MESSAGES[code] = texts
    for key, texts in (nouns or {}).items():
        _NOUNS[key] = texts


def localized(value: Any, lang: str = "zh") -> str:
    """A policy text (a Chinese string, or {zh, en}) in `lang`, else Chinese."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("zh") or value.get("en") or "")
    return "" if value is None else str(value)


def known_codes() -> set[str]:
    return set(_MESSAGES)


def noun(key: str, lang: str) -> str:
    texts = _NOUNS.get(key)
    return texts[lang] if texts else key


def text(code: str, params: dict[str, Any], lang: str = "zh") -> str:
    """The sentence for one code, in one language."""
    texts = _MESSAGES.get(code)
    if texts is None:
        return f"{code}: {json.dumps(params, ensure_ascii=False, default=str)}"
    shown = {k: _show(k, v, lang) for k, v in params.items()}
    try:
        return texts[lang].format(**shown)
    except (KeyError, IndexError):
        return f"{texts[lang]} {json.dumps(params, ensure_ascii=False, default=str)}"


def _show(key: str, value: Any, lang: str) -> Any:
    if isinstance(value, dict) and lang in value:  # a text given in both languages
        return value[lang]
    if key in ("namespace", "expected", "actual"):
        return "/".join(noun(part, lang) for part in str(value).split("/"))
    if key == "value":
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def display_path(path: str) -> str:
    """A file path as the user should see it: relative to the cwd if inside it."""
    if not path:
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def format_line(problem: Problem, lang: str = "zh") -> str:
    """`FILE:LINE:COL: error[CODE]: message (hint)`."""
    where = ""
    if problem.loc is not None:
        loc = problem.loc
        where = f"{display_path(loc.file)}:{loc.line}:{loc.col}: "
    line = f"{where}{problem.severity}[{problem.code}]: {text(problem.code, problem.params, lang)}"
    if problem.hint is not None:
        sep = "；" if lang == "zh" else "; "
        line += sep + text(problem.hint.code, problem.hint.params, lang)
    return line


def as_json(problem: Problem, lang: str = "zh") -> dict[str, Any]:
    loc = problem.loc
    return {
        "file": display_path(loc.file) if loc else None,
        "line": loc.line if loc else None,
        "col": loc.col if loc else None,
        "severity": problem.severity,
        "code": problem.code,
        "message": text(problem.code, problem.params, lang),
        "hint": text(problem.hint.code, problem.hint.params, lang) if problem.hint else None,
        "params": problem.params,
    }
