"""`pack.yaml`: the manifest that makes a folder a policy pack."""

from onegrid.policy.kinds.base import Kind
from onegrid.policy.kinds.defs import file_schema, obj

KIND = Kind(
    name="pack",
    title={"zh": "策略包清单", "en": "Pack manifest"},
    description={
        "zh": "每个策略包根目录下的 pack.yaml：包的标识、名称、继承和引用的共享包。",
        "en": "pack.yaml at the root of every pack: its id, name, what it extends and includes.",
    },
    schema=file_schema(
        "pack",
        "onegrid pack manifest",
        "The manifest of a policy pack.",
        {
            "id": {"$ref": "#/$defs/id", "description": "The pack's id, e.g. kunqu."},
            "name": {"$ref": "#/$defs/text", "description": "The pack's display name."},
            "description": {"$ref": "#/$defs/text", "description": "What the pack is for."},
            "region": {"type": "string", "description": "The place the pack governs."},
            "version": {"type": "string", "description": "The pack author's version label."},
            "lang": {
                "enum": ["zh", "en"],
                "description": "The language of messages for this pack (default zh).",
            },
            "extends": {
                "description": "The pack this one adopts: a bundled name, a path, or {pack, hash}.",
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    obj(
                        {
                            "pack": {
                                "type": "string",
                                "minLength": 1,
                                "description": "Bundled name or path.",
                            },
                            "hash": {
                                "type": "string",
                                "pattern": "^sha256:[0-9a-f]{64}$",
                                "description": "Pin the base to this content hash.",
                            },
                        },
                        required=["pack"],
                    ),
                ],
            },
            "includes": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Shared packs from rules/ and forms/ to include, by name.",
            },
            "registry_overlay": {
                "type": "string",
                "description": "In a pack that extends another: a CSV inside this pack, with the inherited registry's columns, whose rows are laid on the inherited registry's: a grid id the base has replaces that row, a new one is appended.",
            },
            "registry": {
                "type": "string",
                "description": "A grid registry CSV inside the pack, loaded as the pack's grids. Its header names two adjacent levels of org.yaml as columns (the grids' level and the one above it, e.g. village,grid), then households, role ids and the grid level's declared attributes.",
            },
            "offline": obj(
                {
                    "version_window": {
                        "$ref": "#/$defs/duration",
                        "description": (
                            "How long after a newer version is published a report filled"
                            " under the older one (offline, on a phone) is still taken and"
                            " routed under the version it was filled under; later, or without"
                            " this key, it is returned with its answers kept for the new form."
                        ),
                    },
                },
                description="Reports made without a network and sent later (the staff app's outbox).",
            ),
        },
        required=["id", "name"],
    ),
)
