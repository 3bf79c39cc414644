"""Resolve a pack's `includes:` and `extends:` into one set of sections.

Order (issue 8): the shared packs it includes, in the order listed; then the
base it extends, itself resolved the same way; then the pack's own files.
Later layers override earlier ones (see `onegrid.policy.resolve`). A shared
pack the base already includes is not applied twice, so the base's changes
to it stand.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from onegrid import messages, paths
from onegrid.errors import Problem
from onegrid.policy import resolve
from onegrid.policy.documents import (
    MANIFEST,
    Policy,
    build_index,
    merge_sections,
    pack_files,
    read_document,
)
from onegrid.policy.located import YList, YMap
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "base-not-found": {
            "zh": "找不到要继承的策略包 '{base}'",
            "en": "the pack to extend, '{base}', was not found",
        },
        "include-not-found": {
            "zh": "找不到要引用的共享包 '{name}'（在 rules/ 和 forms/ 中查找）",
            "en": "the shared pack '{name}' was not found (looked in rules/ and forms/)",
        },
        "extends-cycle": {
            "zh": "继承关系形成循环：{chain}",
            "en": "the packs extend each other in a cycle: {chain}",
        },
        "base-hash-mismatch": {
            "zh": "继承的策略包 '{base}' 已改变：内容哈希是 {actual}，而这里固定的是 {expected}",
            "en": "the base pack '{base}' has changed: its content hash is {actual}, not the pinned {expected}",
        },
    }
)


# Problems after which the resolved policy is missing a whole layer.
FATAL = frozenset({"base-not-found", "include-not-found", "extends-cycle"})


PIN = re.compile(r"^sha256:[0-9a-f]{64}$")


def broken(problems: list[Problem]) -> bool:
    return any(p.code in FATAL for p in problems)


@dataclass
class Layer:
    """One folder that contributed to a resolved pack."""

    root: Path
    role: str  # "own", "base" or "include"
    id: str


@dataclass
class Resolution:
    manifest: YMap
    documents: list = field(default_factory=list)
    sections: dict[str, YMap] = field(default_factory=dict)
    # every folder that contributed, lowest layer first
    layers: list[Layer] = field(default_factory=list)
    layered: bool = False

    @property
    def roots(self) -> set[Path]:
        return {key(layer.root) for layer in self.layers}


def tidy(path: Path) -> Path:
    """`child/../base` as `base`, so messages name files plainly."""
    return Path(os.path.normpath(path))


def key(root: Path) -> Path:
    return Path(root).resolve()


def resolve_pack(root: Path, problems: list[Problem], base: str | Path | None = None) -> Resolution:
    """The resolved layers of the pack at `root`; problems are appended."""
    return _resolve(Path(root), problems, stack=(), cache={}, base=base)


def _resolve(root, problems, stack, cache, base=None) -> Resolution:
    here = key(root)
    if base is None and here in cache:
        return cache[here]
    manifest, documents = read_folder(root, problems, layered=True if base else None)
    extends = manifest.get("extends")
    includes = manifest.get("includes")
    layered = bool(extends or includes or base)
    chain = (*stack, (here, manifest.get("id", root.name)))
    found = Resolution(manifest=manifest, layered=layered)

    base_found = None
    if extends or base:
        base_found = _base(root, manifest, base, problems, chain, cache)

    sections: dict[str, YMap] = {}
    if isinstance(includes, list):
        for i, name in enumerate(includes):
            if not isinstance(name, str):
                continue
            loc = includes.loc_of(i) if isinstance(includes, YList) else manifest.loc_of("includes")
            inc_root = _include_root(root, name)
            if inc_root is None:
                problems.append(Problem("include-not-found", {"name": name}, loc))
                continue
            if base_found is not None and key(inc_root) in base_found.roots:
                continue  # the base brings it already, with its own changes
            if _in_cycle(inc_root, chain, loc, problems):
                continue
            inc = _resolve(inc_root, problems, chain, cache)
            sections = resolve.merge_sections(sections, inc.sections, problems)
            found.documents.extend(inc.documents)
            found.layers.extend(_as(inc.layers, "include"))
    if base_found is not None:
        sections = resolve.merge_sections(sections, base_found.sections, problems)
        found.documents.extend(base_found.documents)
        found.layers.extend(_as(base_found.layers, "base"))
        found.manifest = inherit_manifest(manifest, root, base_found)

    own = merge_sections(documents, problems)
    if layered:
        build_index(own, problems)  # duplicate ids within this layer
    found.sections = resolve.merge_sections(sections, own, problems) if sections else own
    found.documents.extend(documents)
    found.layers.append(Layer(root, "own", str(manifest.get("id", root.name))))
    if base is None:
        cache[here] = found
    return found


# Manifest keys an adopter inherits unless it sets them: the language of its
# messages and the grid registry (stages read `policy.root / registry`, so the
# path is rewritten to lead from the adopter to the base's file).
INHERITED = ("lang", "registry")


def inherit_manifest(manifest: YMap, root: Path, base: Resolution) -> YMap:
    base_root = base.layers[-1].root
    out = YMap(manifest, loc=manifest.loc)
    out.key_locs.update(manifest.key_locs)
    out.value_locs.update(manifest.value_locs)
    for name in INHERITED:
        value = base.manifest.get(name)
        if name in manifest or value is None:
            continue
        if name == "registry" and isinstance(value, str):
            value = Path(os.path.relpath(base_root / value, root)).as_posix()
        out.set(name, value, base.manifest.key_locs.get(name), base.manifest.value_locs.get(name))
    return out


def _as(layers: list[Layer], role: str) -> list[Layer]:
    return [Layer(layer.root, role, layer.id) for layer in layers]


def read_folder(root: Path, problems: list[Problem], layered: bool | None = None):
    """A folder's manifest and its other documents, each schema-checked.

    In a layered pack (one that extends or includes others, or is resolved
    against a given base) an item may name only its id and what it changes:
    its files are checked with the override schema, and required keys once
    more on the merged result."""
    manifest = YMap()
    manifest_path = root / MANIFEST
    if manifest_path.is_file():
        doc = read_document(manifest_path, problems)
        if doc is not None and doc.kind == "pack":
            manifest = doc.data
    if layered is None:
        layered = bool(manifest.get("extends") or manifest.get("includes"))
    documents = []
    for path in pack_files(root):
        if path == manifest_path:
            continue
        doc = read_document(path, problems, override=layered)
        if doc is None:
            continue
        if doc.kind == "pack":
            problems.append(Problem("misplaced-pack", {}, doc.data.key_loc("kind")))
            continue
        documents.append(doc)
    return manifest, documents


def _base(root, manifest, override, problems, chain, cache) -> Resolution | None:
    extends = manifest.get("extends")
    loc = manifest.key_loc("extends") if "extends" in manifest else manifest.loc
    pin = None
    target = extends
    if isinstance(extends, dict):
        target, pin = extends.get("pack"), extends.get("hash")
    if override is not None:
        base_root, pin = Path(override), None
    elif not isinstance(target, str):
        return None  # the schema has said so
    else:
        base_root = tidy(paths.find_pack(target, relative_to=root))
    if not (base_root / MANIFEST).is_file():
        problems.append(
            Problem(
                "base-not-found",
                {"base": str(override or target)},
                loc,
                did_you_mean(str(target), paths.bundled_packs()),
            )
        )
        return None
    if _in_cycle(base_root, chain, loc, problems):
        return None
    found = _resolve(base_root, problems, chain, cache)
    if isinstance(pin, str) and PIN.match(pin):  # a malformed pin: the schema says so
        actual = Policy(
            root=base_root, manifest=found.manifest, sections=found.sections
        ).content_hash
        if actual != pin:
            where = extends.loc_of("hash") if isinstance(extends, YMap) else loc
            problems.append(
                Problem(
                    "base-hash-mismatch",
                    {"base": target, "actual": actual, "expected": pin},
                    where,
                )
            )
    return found


def _in_cycle(target: Path, chain, loc, problems: list[Problem]) -> bool:
    wanted = key(target)
    for i, (seen, _name) in enumerate(chain):
        if seen == wanted:
            names = [str(name) for _root, name in chain[i:]] + [str(chain[i][1])]
            problems.append(Problem("extends-cycle", {"chain": " → ".join(names)}, loc))
            return True
    return False


def _include_root(root: Path, name: str) -> Path | None:
    near = tidy(root / name)
    if (near / MANIFEST).is_file():
        return near
    for shelf in (paths.RULES, paths.FORMS):
        if (shelf / name / MANIFEST).is_file():
            return shelf / name
    return None
