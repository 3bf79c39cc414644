"""Policy packs: load, validate, resolve and cross-check YAML policy files."""
