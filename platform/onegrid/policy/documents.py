"""What a pack folder is made of: its policy files, each read and checked
against its kind's schema, merged into one section per kind, and the index
of every id. `Policy` is the result. Resolving `extends:` and `includes:`
(policy/layers.py) and loading a whole pack (policy/pack.py) build on it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onegrid import messages
from onegrid.errors import Loc, PolicyError, Problem
from onegrid.policy import loader, resolve, schema
from onegrid.policy.kinds import KINDS, NAMESPACES
from onegrid.policy.kinds.base import IdSpec
from onegrid.policy.located import YList, YMap, plain
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "duplicate-section": {
            "zh": "'{key}' 已在 {first} 中设置；同一类文件的同一个键只能写一次",
            "en": "'{key}' is already set in {first}; a key may be set once per file kind",
        },
    },
    nouns={ns.name: {"zh": ns.zh, "en": ns.en} for ns in NAMESPACES.values()},
)

MANIFEST = "pack.yaml"
SUFFIXES = (".yaml", ".yml")


@dataclass
class Document:
    path: str
    kind: str
    data: YMap


@dataclass
class Policy:
    """A loaded pack: its manifest, its sections by kind and an id index."""

    root: Path
    manifest: YMap
    documents: list[Document] = field(default_factory=list)
    sections: dict[str, YMap] = field(default_factory=dict)
    index: dict[str, dict[str, YMap]] = field(default_factory=dict)
    # the folders resolved into it, lowest first (`onegrid.policy.layers.Layer`)
    layers: list = field(default_factory=list)
    # the registry's grids as a published version stored them (org units with
    # their attributes); None: read the pack's own registry file
    grids: list | None = None

    @property
    def id(self) -> str:
        return self.manifest.get("id", self.root.name)

    def section(self, kind: str) -> YMap:
        return self.sections.get(kind) or YMap()

    def items(self, namespace: str) -> list[YMap]:
        return list(self.index.get(namespace, {}).values())

    def get(self, namespace: str, item_id: str) -> YMap | None:
        return self.index.get(namespace, {}).get(item_id)

    def ids(self, namespace: str) -> list[str]:
        return list(self.index.get(namespace, {}))

    def resolved(self) -> dict[str, Any]:
        """The policy as plain data: what is published and hashed."""
        return {
            "pack": plain(self.manifest),
            **{k: plain(v) for k, v in sorted(self.sections.items())},
        }

    @property
    def content_hash(self) -> str:
        blob = json.dumps(
            self.resolved(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def pack_files(root: Path) -> list[Path]:
    """Every policy file in a pack, in a stable order; hidden folders skipped."""
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in SUFFIXES and path.is_file():
            files.append(path)
    return files


def read_document(path: Path, problems: list[Problem], override: bool = False) -> Document | None:
    """One file: parsed, its kind found and its schema checked (with the
    override schema of `onegrid.policy.resolve` in a layered pack)."""
    name = str(path)
    try:
        data = loader.load_file(path)
    except PolicyError as exc:
        problems.extend(exc.problems)
        return None
    if not isinstance(data, YMap):
        problems.append(Problem("not-a-mapping", {}, getattr(data, "loc", None) or Loc(name, 1, 1)))
        return None
    kind = data.get("kind")
    if kind is None:
        problems.append(Problem("missing-kind", {}, data.loc or Loc(name, 1, 1)))
        return None
    if not isinstance(kind, str) or kind not in KINDS:
        # a list or mapping written as the kind is still just an unknown kind
        if not isinstance(kind, str):
            kind = json.dumps(plain(kind), ensure_ascii=False)
        problems.append(
            Problem(
                "unknown-kind", {"kind": kind}, data.loc_of("kind"), did_you_mean(str(kind), KINDS)
            )
        )
        return None
    found = resolve.validate_override(data, kind) if override else schema.validate(data, kind)
    problems.extend(found)
    return Document(name, kind, data)


def merge_sections(documents: list[Document], problems: list[Problem]) -> dict[str, YMap]:
    """Files of one kind become one section: lists concatenate, other keys
    may be set only once."""
    sections: dict[str, YMap] = {}
    for doc in documents:
        section = sections.setdefault(doc.kind, YMap(loc=doc.data.loc))
        for key, value in doc.data.items():
            if key == "kind":
                continue
            if key not in section:
                if isinstance(value, YList):
                    value = YList(value, loc=value.loc, item_locs=value.item_locs)
                section.set(key, value, doc.data.key_locs.get(key), doc.data.value_locs.get(key))
            elif isinstance(section[key], YList) and isinstance(value, YList):
                section[key].extend(value)
                section[key].item_locs.extend(value.item_locs)
            else:
                first = section.key_locs.get(key)
                problems.append(
                    Problem(
                        "duplicate-section",
                        {
                            "key": key,
                            "first": f"{messages.display_path(first.file)}:{first.line}"
                            if first
                            else "?",
                        },
                        doc.data.key_loc(key),
                    )
                )
    return sections


def walk(node: Any, path: tuple[str, ...]):
    """Yield (container, key, value) for each value matching `path`."""
    if not path:
        return
    head, rest = path[0], path[1:]
    if head == "*":
        pairs = (
            enumerate(node)
            if isinstance(node, list)
            else node.items()
            if isinstance(node, dict)
            else ()
        )
    elif isinstance(node, dict) and head in node:
        pairs = [(head, node[head])]
    else:
        pairs = ()
    for key, value in pairs:
        if rest:
            yield from walk(value, rest)
        else:
            yield node, key, value


def build_index(sections: dict[str, YMap], problems: list[Problem]) -> dict[str, dict[str, YMap]]:
    index: dict[str, dict[str, YMap]] = {}
    for kind_name, section in sections.items():
        for spec in KINDS[kind_name].ids:
            _index_spec(section, spec, index, problems)
    return index


def _index_spec(section: YMap, spec: IdSpec, index, problems) -> None:
    table = index.setdefault(spec.namespace.name, {})
    scoped: dict[int, dict[str, YMap]] = {}
    for container, _key, item in walk(section, spec.path):
        if not isinstance(item, dict) or not isinstance(item.get(spec.key), str):
            continue
        item_id = item[spec.key]
        seen = scoped.setdefault(id(container), {}) if spec.scoped else table
        if item_id in seen:
            first = seen[item_id].loc_of(spec.key)
            problems.append(
                Problem(
                    "duplicate-id",
                    {
                        "namespace": spec.namespace.name,
                        "id": item_id,
                        "first": f"{messages.display_path(first.file)}:{first.line}"
                        if first
                        else "?",
                    },
                    item.loc_of(spec.key),
                )
            )
            continue
        seen[item_id] = item
        if spec.scoped:
            table.setdefault(item_id, item)
