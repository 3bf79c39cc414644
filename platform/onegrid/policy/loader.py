"""A hardened YAML loader for hand-written policy files.

PyYAML alone is unsafe for this job: its C composer recurses (libyaml
segfaults on ~50,000 nested brackets), aliases and merge keys can expand a
few hundred bytes into millions of nodes, duplicate keys silently keep the
last value, and YAML 1.1 turns `no` into False and `012` into 10. So we take
only the event stream from libyaml's parser (iterative, no recursion) and
build the values ourselves, with limits, and with the YAML 1.2 core schema
minus its surprises: anything that is not plainly a number, true/false or
null stays text exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from onegrid import messages
from onegrid.errors import Hint, Loc, PolicyError, Problem
from onegrid.policy import keyboard
from onegrid.policy.located import YList, YMap

try:  # libyaml is ~10x faster; the pure parser is iterative too
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _EventLoader


@dataclass(frozen=True)
class Limits:
    """What one policy file may hold. Depth counts nested mappings and lists,
    the top one included, with aliases expanded."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    # nodes once aliases are expanded (consumers such as the schema
    # validator walk the expanded tree)
    max_nodes: int = 4_000_000
    max_alias_nodes: int = 100_000


DEFAULT_LIMITS = Limits()

messages.register(
    {
        "hint.yaml-opened-at": {
            "zh": "从第 {line} 行第 {col} 列开始的结构没有正确结束",
            "en": "the construct that starts at line {line}, column {col} is not closed properly",
        },
        "hint.yaml-colon": {
            "zh": "值里又出现了“: ”：请检查缩进，或给含冒号的文字加引号",
            "en": "a ': ' inside a value: check the indentation, or quote text that contains a colon",
        },
        "hint.yaml-tab": {
            "zh": "缩进只能用空格，不能用制表符（Tab）",
            "en": "indent with spaces, not tabs",
        },
        "hint.yaml-indent": {
            "zh": "同一层的各项要对齐：请检查这一行的缩进",
            "en": "items at one level must line up: check this line's indentation",
        },
        "hint.yaml-quote-start": {
            "zh": "以 {char} 开头的文字请加引号",
            "en": "quote text that starts with {char}",
        },
        "hint.yaml-escape": {
            "zh": "双引号里的反斜杠是转义符：改用单引号，或写成两个反斜杠",
            "en": "a backslash in double quotes starts an escape: use single quotes, or double it",
        },
    }
)

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|(0|[1-9][0-9]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NUMERIC_START = frozenset("0123456789+-.")


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar."""
    if text in _NULLS:
        return None
    first = text[0]
    if first in _NUMERIC_START:
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text) and any(c.isdigit() for c in text):
            return float(text)
        return text
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return text


class _Frame:
    __slots__ = ("anchor", "height", "key", "key_loc", "nodes", "value")

    def __init__(self, value, anchor):
        self.value = value
        self.anchor = anchor
        self.key = _NO_KEY
        self.key_loc = None
        self.nodes = 1
        self.height = 1  # levels of containers, this one included


_NO_KEY = object()


def load_text(text: str, filename: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse one YAML document; raise `PolicyError` listing what is wrong."""
    value, problems = _compose(text, filename, limits)
    slipped = keyboard.slips(text, filename)
    if slipped:
        # a full-width colon or comma is the cause: it comes before whatever
        # the parser made of it (often an error lines later, or no error at all)
        raise PolicyError(slipped + problems)
    if problems:
        raise PolicyError(problems)
    return value


def load_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Read and parse one policy file, enforcing the size limit first."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise PolicyError(
                Problem(
                    "file-too-large", {"size": size, "limit": limits.max_bytes}, Loc(name, 1, 1)
                )
            )
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(
            Problem("file-unreadable", {"reason": exc.strerror or str(exc)}, Loc(name, 1, 1))
        ) from None
    return load_bytes(data, name, limits)


def load_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    if len(data) > limits.max_bytes:
        raise PolicyError(
            Problem(
                "file-too-large",
                {"size": len(data), "limit": limits.max_bytes},
                Loc(filename, 1, 1),
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # columns count characters, as everywhere else
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        gbk = Hint("hint.gb18030", {}) if keyboard.gb18030_text(data) is not None else None
        raise PolicyError(
            Problem("not-utf8", {"offset": exc.start}, Loc(filename, line, col), gbk)
        ) from None
    return load_text(text, filename, limits)


def _loc(filename: str, mark) -> Loc:
    return Loc(filename, mark.line + 1, mark.column + 1)


def _compose(
    text: str, filename: str, limits: Limits, event_loader=None
) -> tuple[Any, list[Problem]]:
    event_loader = event_loader or _EventLoader
    problems: list[Problem] = []
    # anchor -> (value, nodes, text as written for a scalar: keys stay text,
    # height in containers)
    anchors: dict[str, tuple[Any, int, str | None, int]] = {}
    stack: list[_Frame] = []
    root: Any = None
    have_root = False
    documents = 0
    total_nodes = 0
    alias_nodes = 0

    def fatal(code, params, mark):
        problems.append(
            Problem(code, params, _loc(filename, mark) if mark else Loc(filename, 1, 1))
        )
        return None, problems

    def attach(value, loc, nodes):
        """Put a finished node into its parent; report what goes wrong."""
        nonlocal root, have_root
        if not stack:
            root, have_root = value, True
            return
        parent = stack[-1]
        parent.nodes += nodes
        container = parent.value
        if isinstance(container, YList):
            container.append(value)
            container.item_locs.append(loc)
            return
        if parent.key is _NO_KEY:  # this node is a key
            if isinstance(value, YMap | YList):
                problems.append(Problem("complex-key", {}, loc))
                parent.key, parent.key_loc = None, loc
                return
            parent.key, parent.key_loc = value, loc
            return
        key, key_loc = parent.key, parent.key_loc
        parent.key = _NO_KEY
        if key is None:
            return
        if key == "<<":
            problems.append(Problem("merge-key", {}, key_loc))
            return
        if key in container:
            first = container.key_locs.get(key)
            problems.append(
                Problem(
                    "duplicate-key",
                    {"key": key, "first_line": first.line if first else "?"},
                    key_loc,
                )
            )
            return
        container.set(key, value, key_loc, loc)

    try:
        events = yaml.parse(text, Loader=event_loader)
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                loc = _loc(filename, event.start_mark)
                tag = event.tag
                is_key = (
                    bool(stack) and isinstance(stack[-1].value, YMap) and stack[-1].key is _NO_KEY
                )
                if tag is None or tag == "!":
                    if is_key:
                        value = event.value
                    elif tag is None and event.implicit[0]:
                        value = resolve_plain(event.value)
                    else:
                        value = event.value
                elif tag in _SCALAR_TAGS:
                    value = _tagged(event.value, tag, loc, problems)
                    if is_key:  # checked, but keys stay text: `!!null : x` must not vanish
                        value = event.value
                else:
                    problems.append(Problem("tag-not-allowed", {"tag": _short(tag)}, loc))
                    value = event.value
                total_nodes += 1
                if event.anchor:
                    anchors[event.anchor] = (value, 1, event.value, 0)
                attach(value, loc, 1)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                loc = _loc(filename, event.start_mark)
                if len(stack) >= limits.max_depth:
                    return fatal("too-deep", {"limit": limits.max_depth}, event.start_mark)
                allowed = _TAG + ("map" if kind is yaml.MappingStartEvent else "seq")
                if event.tag not in (None, "!", allowed):
                    problems.append(Problem("tag-not-allowed", {"tag": _short(event.tag)}, loc))
                container = YMap(loc=loc) if kind is yaml.MappingStartEvent else YList(loc=loc)
                total_nodes += 1
                stack.append(_Frame(container, event.anchor))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame.anchor:
                    anchors[frame.anchor] = (frame.value, frame.nodes, None, frame.height)
                if stack and stack[-1].height <= frame.height:
                    stack[-1].height = frame.height + 1
                attach(frame.value, frame.value.loc, frame.nodes)
            elif kind is yaml.AliasEvent:
                loc = _loc(filename, event.start_mark)
                if event.anchor not in anchors:  # libyaml reports this itself
                    return fatal(
                        "yaml-syntax",
                        {"reason": f"unknown anchor {event.anchor}"},
                        event.start_mark,
                    )
                value, nodes, written, height = anchors[event.anchor]
                if len(stack) + height > limits.max_depth:
                    # aliases stack nesting: consumers walk the expanded tree
                    return fatal("too-deep", {"limit": limits.max_depth}, event.start_mark)
                if stack and stack[-1].height <= height:
                    stack[-1].height = height + 1
                if written is not None and stack:
                    top = stack[-1]
                    if isinstance(top.value, YMap) and top.key is _NO_KEY:
                        value = written  # an aliased key stays text, like every key
                alias_nodes += nodes
                total_nodes += nodes
                if alias_nodes > limits.max_alias_nodes:
                    return fatal(
                        "too-many-nodes", {"limit": limits.max_alias_nodes}, event.start_mark
                    )
                attach(value, loc, nodes)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return fatal("multiple-documents", {}, event.start_mark)
            if total_nodes > limits.max_nodes:
                return fatal(
                    "too-many-nodes",
                    {"limit": limits.max_nodes},
                    getattr(event, "start_mark", None),
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        ours = _own_limit_first(text, filename, limits, event_loader, mark)
        if ours is not None:
            return None, ours
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        hint = _syntax_hint(exc.problem or "", text, mark)
        opened = exc.context_mark
        if hint is None and opened is not None and mark is not None and opened.line != mark.line:
            # an unclosed bracket or quote is noticed lines later; say where it began
            hint = Hint("hint.yaml-opened-at", {"line": opened.line + 1, "col": opened.column + 1})
        loc = _loc(filename, mark) if mark else Loc(filename, 1, 1)
        problems.append(Problem("yaml-syntax", {"reason": reason}, loc, hint))
        return None, problems
    except UnicodeEncodeError as exc:  # a lone surrogate in text not read from a file
        start = exc.start
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        offset = len(text[:start].encode("utf-8", "surrogatepass"))
        problems.append(Problem("not-utf8", {"offset": offset}, Loc(filename, line, col)))
        return None, problems
    except yaml.YAMLError as exc:  # reader errors: control characters and such
        offset = getattr(exc, "position", 0) or 0
        if event_loader is not yaml.SafeLoader:
            # libyaml counts UTF-8 bytes, not characters
            offset = len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore"))
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        loc = Loc(filename, line, col)
        if 0xD800 <= (getattr(exc, "character", None) or 0) <= 0xDFFF:  # the pure parser's view
            offset = len(text[:offset].encode("utf-8", "surrogatepass"))
            problems.append(Problem("not-utf8", {"offset": offset}, loc))
            return None, problems
        reason = str(exc).splitlines()[0]
        problems.append(Problem("yaml-syntax", {"reason": reason}, loc))
        return None, problems
    if not have_root and not problems:
        problems.append(Problem("empty-file", {}, Loc(filename, 1, 1)))
    return root, problems


_LIMIT_CODES = frozenset({"too-deep", "too-many-nodes"})


def _own_limit_first(text, filename, limits, event_loader, mark) -> list[Problem] | None:
    """Our limit's answer when it would come before libyaml's complaint.

    libyaml's scanner reads ahead (a whole line of flow brackets, to know
    whether a simple key starts there), and since 0.2.6 caps nesting itself:
    50,000 brackets fail as its "exceeded maximum nesting depth" before we
    see the first event. Whatever the library's wording or cap, the file is
    read again up to that point with the pure parser, which has no cap and
    reads ahead less; if our limits stop it first, that is the answer, at
    our position. Only on the error path, and only the text before it."""
    if event_loader is yaml.SafeLoader or mark is None:
        return None
    # libyaml's mark counts characters, as Python's does
    _, problems = _compose(text[: mark.index], filename, limits, yaml.SafeLoader)
    if problems and problems[-1].code in _LIMIT_CODES:
        return problems
    return None


def _syntax_hint(problem: str, text: str, mark) -> Hint | None:
    """What a person should do about libyaml's most common complaints."""
    if "mapping values are not allowed" in problem:
        return Hint("hint.yaml-colon", {})
    if "tab character" in problem:
        return Hint("hint.yaml-tab", {})
    if "expected '-' indicator" in problem or "did not find expected key" in problem:
        return Hint("hint.yaml-indent", {})
    if "unknown escape character" in problem:
        return Hint("hint.yaml-escape", {})
    if "cannot start any token" in problem and mark is not None:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        char = line[mark.column : mark.column + 1]
        if char == "\t":
            return Hint("hint.yaml-tab", {})
        if char:
            return Hint("hint.yaml-quote-start", {"char": char})
    return None


def _tagged(text: str, tag: str, loc: Loc, problems: list[Problem]) -> Any:
    """An explicitly tagged standard scalar: it must really be that type."""
    name = tag[len(_TAG) :]
    if name == "str":
        return text
    value = resolve_plain(text) if text else None
    wanted = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[name]
    if isinstance(value, wanted) and not (name != "bool" and isinstance(value, bool)):
        return float(value) if name == "float" else value
    hint = Hint("hint.boolean", {"text": text}) if name == "bool" else None
    expected = {"int": "integer", "float": "number", "bool": "boolean", "null": "null"}[name]
    params = {"path": _short(tag), "expected": expected, "actual": "string", "value": text}
    problems.append(Problem("schema-type", params, loc, hint))
    return text


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
