"""Turn a pack folder into a validated `Policy`, or into every problem at once.

`load_policy(path)` is the one entry point: it reads each YAML file with the
hardened loader, validates it against its kind's schema, merges files of
the same kind into one section, indexes every id and checks every
reference. It never stops at the first problem.
"""

from __future__ import annotations

import json
from pathlib import Path

from onegrid.errors import PolicyError, Problem
from onegrid.policy import layers, org, resolve
from onegrid.policy.documents import (
    MANIFEST,
    SUFFIXES,
    Document,
    Policy,
    build_index,
    merge_sections,
    pack_files,
    read_document,
    walk,
)
from onegrid.policy.kinds import KINDS
from onegrid.policy.located import YList, YMap
from onegrid.policy.suggest import did_you_mean

# what a pack folder is made of lives in policy/documents.py, below both this
# module and policy/layers.py (which resolves extends/includes from them)
__all__ = [
    "MANIFEST",
    "SUFFIXES",
    "Document",
    "Policy",
    "build_index",
    "check_refs",
    "load_policy",
    "merge_sections",
    "pack_files",
    "read_document",
    "read_pack",
    "unique",
    "walk",
]


def read_pack(
    root: str | Path, base: str | Path | None = None
) -> tuple[Policy | None, list[Problem]]:
    """Load one pack folder: (policy, problems). The policy is None only when
    the folder is not a pack at all.

    A pack that `extends:` or `includes:` others is resolved first (see
    `onegrid.policy.layers`); `base` resolves it against another base than
    the one it names (to see what upgrading the base would change).
    """
    root = Path(root)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        return None, [Problem("not-a-pack", {"path": str(root)}, None)]
    problems: list[Problem] = []
    found = layers.resolve_pack(root, problems, base=base)
    policy = Policy(root=root, manifest=found.manifest, documents=found.documents)
    policy.sections = found.sections
    policy.layers = found.layers
    if found.layered and not layers.broken(problems):
        problems.extend(resolve.required_after_merge(policy.sections))
    policy.index = build_index(policy.sections, problems)
    if layers.broken(problems):
        # without its base or a shared pack the policy is incomplete: every
        # missing key and id would only repeat that one error
        return policy, unique(problems)
    problems.extend(check_refs(policy))
    # the shape of the org tree and other chains (owner: issue 3, policy/org.py);
    # only on an otherwise clean pack, so a typo is not reported twice
    if not problems:
        problems.extend(org.check(policy))
    return policy, unique(problems)


def check_refs(policy: Policy) -> list[Problem]:
    """Every id a file refers to must exist, with 'did you mean' if not."""
    problems: list[Problem] = []
    for kind_name, section in policy.sections.items():
        for spec in KINDS[kind_name].refs:
            for container, key, value in walk(section, spec.path):
                values = value if isinstance(value, list) else [value]
                for i, ref in enumerate(values):
                    if not isinstance(ref, str):
                        continue  # the schema has already said so
                    if any(ref in policy.index.get(ns, {}) for ns in spec.namespaces):
                        continue
                    if isinstance(value, YList):
                        loc = value.loc_of(i)
                    else:
                        loc = container.loc_of(key) if isinstance(container, YMap | YList) else None
                    candidates = [i for ns in spec.namespaces for i in policy.index.get(ns, {})]
                    problems.append(
                        Problem(
                            "unknown-ref",
                            {"namespace": spec.namespaces[0], "id": ref},
                            loc,
                            did_you_mean(ref, candidates),
                        )
                    )
    return problems


def unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once: a layer reached twice, or a check run again on the
    merged result, must not repeat what was already said."""
    seen = set()
    out = []
    for p in problems:
        mark = (
            p.code,
            p.loc,
            json.dumps(
                {k: v for k, v in p.params.items() if k != "path"}, sort_keys=True, default=str
            ),
        )
        if mark not in seen:
            seen.add(mark)
            out.append(p)
    return out


def load_policy(root: str | Path) -> Policy:
    """A valid policy, or `PolicyError` with every problem found."""
    policy, problems = read_pack(root)
    if problems or policy is None:
        raise PolicyError(problems)
    return policy
