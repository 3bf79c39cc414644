"""`onegrid adopt SOURCE DEST`: start a pack of your own from another one.

DEST gets a `pack.yaml` that extends SOURCE, a README and one override file
per kind of policy SOURCE has, each explaining in comments (Chinese, then
English) what can be changed and how, with examples drawn from SOURCE
itself. The new pack passes `onegrid check` and `onegrid test` at once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from onegrid import messages, paths
from onegrid.cli import options
from onegrid.errors import Problem, UsageError
from onegrid.policy import provenance
from onegrid.policy.located import YMap, plain
from onegrid.policy.resolve import keyed
from onegrid.policy.schema import OVERRIDE

messages.register(
    {
        "adopt-dest-not-empty": {
            "zh": "目标目录 '{path}' 已存在且不为空：请换一个新目录",
            "en": "the destination '{path}' exists and is not empty: choose a new folder",
        },
        "adopt-bad-id": {
            "zh": "无法从 '{name}' 得到包标识：请用 --id 指定（小写字母、数字、点、下划线或连字符）",
            "en": "cannot make a pack id from '{name}': give one with --id (lower-case letters, digits, '.', '_' or '-')",
        },
    }
)

ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
SCHEMAS = paths.PROJECT / "docs" / "schemas"


def adopt(source: str, dest: str, pack_id: str | None = None, pin: bool = False) -> int:
    """Write the adopting pack; 0 on success."""
    from onegrid.cli.show import load  # the same loading and errors as `show`

    base = load(source)
    dest_path = Path(dest)
    if dest_path.exists() and (not dest_path.is_dir() or any(dest_path.iterdir())):
        raise UsageError(Problem("adopt-dest-not-empty", {"path": dest}))
    pack_id = pack_id or re.sub(r"[^a-z0-9_.\-]+", "-", dest_path.name.lower()).strip("-_.")
    if not ID.match(pack_id or ""):
        raise UsageError(Problem("adopt-bad-id", {"name": dest_path.name}))
    dest_path.mkdir(parents=True, exist_ok=True)
    extends = base_name(paths.find_pack(source), dest_path)
    files = {
        "pack.yaml": manifest(base, pack_id, extends, pin, dest_path),
        "README.md": readme(base, pack_id, extends),
    }
    for kind in sorted(base.sections):
        if kind == "tests":
            continue  # inherited tests run as they are; add your own under tests/
        files[f"{kind}.yaml"] = override_file(kind, base.sections[kind], dest_path)
    for name, text in files.items():
        (dest_path / name).write_text(text, encoding="utf-8")
        click.echo(str(dest_path / name))
    return 0


def base_name(source_root: Path, dest: Path) -> str:
    """A bundled pack by its name, any other by a path relative to DEST."""
    source_root = source_root.resolve()
    if source_root.parent == paths.CATALOGS.resolve():
        return source_root.name
    return Path(os.path.relpath(source_root, dest.resolve())).as_posix()


def hint(kind: str, dest: Path, override: bool = False) -> str:
    """The editor's schema line: an override file gets the override schema
    (only ids required), pack.yaml the full one."""
    rel = Path(os.path.relpath(SCHEMAS.resolve(), dest.resolve())).as_posix()
    folder = f"/{OVERRIDE}" if override else ""
    return f"# yaml-language-server: $schema={rel}{folder}/{kind}.schema.json\n"


def manifest(base, pack_id: str, extends: str, pin: bool, dest: Path) -> str:
    name_zh = messages.localized(base.manifest.get("name"), "zh") or base.id
    name_en = messages.localized(base.manifest.get("name"), "en") or base.id
    if pin:
        target = f"{{pack: {provenance.scalar(extends)}, hash: {base.content_hash}}}"
    else:
        target = provenance.scalar(extends)
    return (
        hint("pack", dest)
        + f"# 本策略包继承（extends）{base.id}：没有改写的都沿用 {base.id}，只需写出不同之处。\n"
        + f"# This pack extends {base.id}: everything not overridden here is inherited.\n"
        + "# 固定基线版本 / to pin the base: extends: {pack: …, hash: sha256:…}"
        + "（onegrid show BASE --hash）\n"
        + "kind: pack\n"
        + f"id: {pack_id}\n"
        + f"name: {{zh: {provenance.scalar(name_zh + '（采用）')}, "
        + f"en: {provenance.scalar(name_en + ' (adopted)')}}}\n"
        + f"extends: {target}\n"
    )


def override_file(kind: str, section: YMap, dest: Path) -> str:
    lines = [
        f"# 对 {kind} 的改写：按 id 合并到继承的内容上。",
        f"# Overrides of {kind}: merged by id onto what is inherited.",
        "#",
        "# 改写一项：写出它的 id 和要改的键，其余沿用。",
        "# Change an item: give its id and only the keys you change.",
        "# 删除一项：写 id 和 remove: true。 Remove an item: its id and remove: true.",
        "# 整项替换：写完整的一项并加 replace: true。 Replace one whole: the full item and replace: true.",
        "# 新增一项：写一个新的 id。 Add an item: use a new id.",
        "# 调整位置：before: ID 或 after: ID（首条命中的路由表中顺序有意义）。",
        "# Place an item: before: ID or after: ID (order matters in first-hit routing tables).",
        "# 映射逐键合并；没有 id 的列表（如 [a, b]）整体替换。",
        "# Maps merge key by key; lists without ids (such as [a, b]) are replaced whole.",
        "# 基线中标了 locked: true 的项不能改写或删除（onegrid check 会报错并指出锁定位置）。",
        "# Items the base marks locked: true may not be changed or removed (onegrid check names the lock).",
        "# 查看改了什么 / see what you changed:  onegrid diff BASE THIS_PACK",
        "# 查看每个值的来源 / where each value comes from:  onegrid show THIS_PACK --origin",
        "#",
        "# 例 / examples:",
    ]
    lines += [f"#   {line}" for line in examples(kind, section)]
    locked = locked_items(section)
    if locked:
        lines.append("#")
        lines.append("# 基线锁定的项 / locked in the base: " + ", ".join(locked))
    lines.append(f"kind: {kind}")
    return hint(kind, dest, override=True) + "\n".join(lines) + "\n"


def examples(kind: str, section: YMap) -> list[str]:
    """Commented examples built from the base's own items."""
    out: list[str] = []
    lists = [k for k, v in section.items() if isinstance(v, list) and v and keyed(v)]
    # what adopters change most often first: deadlines, matters, departments
    lists.sort(key=lambda k: (k not in FIRST, FIRST.index(k) if k in FIRST else 0))
    for key in lists[:2]:
        value = section[key]
        first = value[0]
        out.append(f"{key}:")
        limits = next((i for i in value if isinstance(i.get("limits"), dict) and i["limits"]), None)
        if limits is not None:
            step, duration = next(iter(limits["limits"].items()))
            out.append(f"  - id: {limits['id']}          # 改时限 / change a deadline")
            out.append(f"    limits: {{{step}: {provenance.scalar(_longer(duration))}}}")
        if len(value) > 1:
            out.append(f"  - id: {value[-1]['id']}          # 删除 / remove")
            out.append("    remove: true")
        out.append("  # 新增 / add:")
        added = {**plain(first), "id": f"{first['id']}.local"}
        added.pop("locked", None)
        body = provenance.to_yaml(added).splitlines()
        out.append("  - " + body[0])
        out.extend("    " + line for line in body[1:])
    return out or [f"kind: {kind} 的键见 docs/reference / see docs/reference for its keys"]


FIRST = ["matters", "departments", "tables", "rules", "ladders", "tasks", "duties", "forms"]


def _longer(duration: str) -> str:
    match = re.match(r"^([0-9]+)(.*)$", str(duration))
    return f"{int(match.group(1)) + 1}{match.group(2)}" if match else str(duration)


def locked_items(section: YMap) -> list[str]:
    return [
        str(item["id"])
        for value in section.values()
        if isinstance(value, list) and keyed(value)
        for item in value
        if item.get("locked") is True
    ]


def readme(base, pack_id: str, extends: str) -> str:
    return f"""# {pack_id}

本策略包由 `onegrid adopt` 创建，继承（extends）`{extends}`（{messages.localized(base.manifest.get("name"), "zh")}）。
没有写出的都沿用基线；这里的文件只写不同之处。

- `pack.yaml`：包的标识和继承关系。要固定基线版本，把 `extends` 写成
  `{{pack: {extends}, hash: sha256:…}}`（哈希由 `onegrid show {extends} --hash` 给出），
  基线一旦变化，`onegrid check` 就会报错。
- 每类策略一个改写文件（`org.yaml`、`matters.yaml`……）：按 id 合并。
  写出 id 和要改的键即改写；`remove: true` 删除；`replace: true` 整项替换；新 id 即新增；
  `before: ID` / `after: ID` 调整位置。
  映射逐键合并，没有 id 的列表整体替换。基线中 `locked: true` 的项不能改写或删除。
- 检查与测试：`onegrid check .`、`onegrid test .`（基线的策略测试也会运行）。
- 改了什么：`onegrid diff {extends} .`；每个值来自哪里：`onegrid show . --origin`；
  升级基线会带来什么：`onegrid diff . --base-old 旧基线 --base-new 新基线`。

This pack was made by `onegrid adopt` and extends `{extends}`. Everything not
written here is inherited; these files hold only the differences.

- `pack.yaml`: the pack's id and its base. Pin the base with
  `extends: {{pack: {extends}, hash: sha256:…}}` (`onegrid show {extends} --hash`
  prints the hash); `onegrid check` then fails if the base changes.
- One override file per kind of policy: items merge by id. Give an id and the
  keys you change to override; `remove: true` removes; `replace: true`
  replaces the whole item; a new id adds one; `before: ID` / `after: ID`
  place it. Maps merge key by key; lists
  without ids are replaced whole. Items the base marks `locked: true` may not
  be changed or removed.
- Check and test: `onegrid check .`, `onegrid test .` (the base's policy tests
  run too).
- What you changed: `onegrid diff {extends} .`; where each value comes from:
  `onegrid show . --origin`; what upgrading the base would change:
  `onegrid diff . --base-old OLD_BASE --base-new NEW_BASE`.
"""


@click.command("adopt")
@click.argument("source")
@click.argument("dest", type=click.Path())
@click.option("--id", "pack_id", help="The new pack's id (default: from DEST's folder name).")
@click.option("--pin", is_flag=True, help="Pin the base to its current content hash.")
@options.lang
def command(source, dest, pack_id, pin, lang):
    """Create a new pack in DEST that extends SOURCE, with override files
    explaining what can be changed and how."""
    return adopt(source, dest, pack_id=pack_id, pin=pin)
