"""Chinese-keyboard slips: full-width punctuation where YAML syntax wants ASCII.

A Chinese IME types `：，；【】｛｝［］（）「」` and the ideographic space
U+3000 by default. Inside a value they are ordinary text (说明：见附件), so only
the places where YAML syntax stands are looked at: after a key (`name：`),
between the items of a flow collection (`{id: a，name: b}`, `[a，b]`), as a flow
bracket, and in indentation or right after a key's colon. `（…）` and
`「…」` are ordinary Chinese text too, so they are named only where YAML
would choke on them: opening a value that holds `key: ` pairs (a flow map
typed with the IME's brackets, or text with a colon the IME's quotes did
not quote). Each slip is named
at its own line and column with the ASCII character meant, so the one real
mistake comes before whatever the parser makes of it lines later.
"""

from __future__ import annotations

import re

from onegrid import messages
from onegrid.errors import Hint, Loc, Problem

messages.register(
    {
        "fullwidth-syntax": {
            "zh": "这里的“{name}”是全角字符（中文输入法），YAML 语法要求半角",
            "en": "'{name}' here is a full-width character (a Chinese input method); YAML syntax needs ASCII",
        },
        "hint.gb18030": {
            "zh": "这个文件看来是 GBK/GB18030 编码（Excel 和旧版 Windows 编辑器的默认）：请另存为 UTF-8",
            "en": "this file looks GBK/GB18030-encoded (what Excel and older Windows editors save): save it as UTF-8",
        },
        "hint.fullwidth": {
            "zh": "是不是想写半角的 '{meant}'？切换到英文标点后重新输入",
            "en": "did you mean '{meant}'? Switch the input method to ASCII punctuation and retype it",
        },
    }
)

# the ASCII character each full-width one stands for
MEANT = {
    "：": ":",
    "，": ",",
    "；": ",",
    "｛": "{",
    "｝": "}",
    "［": "[",
    "］": "]",
    "【": "[",
    "】": "]",
    "（": "{",
    "「": '"',
    "『": '"',
    "\u3000": " ",
}

# `key: |` or `- >-`: the lines below, indented further, are text
_BLOCK_SCALAR = re.compile(r"(?:^|:|-)\s*[|>][+-]?\d?\s*$")
# a key, then a full-width colon: `name：` (also after `- ` of a list item)
_KEY_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.\-]*)\s*(：)")
# a key's ASCII colon followed by an ideographic space instead of a space
_COLON_WIDE_SPACE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.\-]*:(\u3000)")
# an ideographic space in the indentation
_WIDE_INDENT = re.compile(r"^[ ]*(\u3000)")
# a flow collection opened with a full-width bracket: `key: ｛` or `- ［`
_WIDE_OPEN = re.compile(r"^\s*(?:-\s+)?(?:[A-Za-z_][\w.\-]*\s*:\s*)?([｛［【])")
# a value opened with （ or 「 that holds `word: `, which YAML reads as a
# mapping inside a plain value and refuses: `limits: （accept: 1d）`, `name: 「注意: 限时」`
_WIDE_WRAPPED = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.\-]*\s*:\s+([（「『])[^）」』]*\S:\s")
# inside `{...}` or `[...]`: a full-width comma or semicolon before the next item
_FLOW_SEPARATOR = re.compile(r"([，；])\s*(?=[A-Za-z_\"'])")
# inside a flow collection: a key followed by a full-width colon
_FLOW_KEY_COLON = re.compile(r"[{,，]\s*([A-Za-z_][\w.\-]*)\s*(：)")


def _code_part(line: str) -> str:
    """The line up to a comment, with quoted text blanked (slips in quotes and
    comments are text, never syntax)."""
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            out.append(" ")
            if ch == quote:
                quote = None
            continue
        if ch in "\"'" and (i == 0 or line[i - 1] in " \t[{,:-"):
            quote = ch
            out.append(" ")
            continue
        if ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out)


def _in_flow(code: str, col: int) -> bool:
    depth = 0
    for ch in code[:col]:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth > 0


def slips(text: str, filename: str) -> list[Problem]:
    """Every full-width slip in the syntax of a YAML text, in order."""
    found: list[Problem] = []

    def slip(line_no: int, col: int, char: str) -> None:
        found.append(
            Problem(
                "fullwidth-syntax",
                {"name": _NAMES.get(char, char)},
                Loc(filename, line_no, col + 1),
                Hint("hint.fullwidth", {"meant": MEANT[char]}),
            )
        )

    block = None  # the indentation of a block scalar's key (`key: |`): its text is text
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block is not None:
            if indent > block:
                continue
            block = None
        code = _code_part(line)
        if _BLOCK_SCALAR.search(code):
            block = indent
        if not any(ch in line for ch in MEANT):
            continue
        hits: dict[int, str] = {}
        for pattern in (_KEY_COLON, _COLON_WIDE_SPACE, _WIDE_INDENT, _WIDE_OPEN, _WIDE_WRAPPED):
            m = pattern.match(code)
            if m:
                group = m.lastindex
                hits[m.start(group)] = m.group(group)
        for m in _FLOW_SEPARATOR.finditer(code):
            if _in_flow(code, m.start(1)):
                hits[m.start(1)] = m.group(1)
        for m in _FLOW_KEY_COLON.finditer(code):
            if _in_flow(code, m.start(2)):
                hits[m.start(2)] = m.group(2)
        for col in sorted(hits):
            slip(n, col, hits[col])
    return found


_NAMES = {"\u3000": "U+3000"}  # the ideographic space, invisible when quoted


def gb18030_text(data: bytes) -> str | None:
    """The text if `data` (not UTF-8) reads as GB18030, the superset of GBK and
    GB2312 that Excel and older Windows editors save Chinese in, and holds
    Chinese; else None (some other encoding, or binary)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else None
