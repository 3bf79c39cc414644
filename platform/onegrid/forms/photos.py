"""Uploaded photos: size-limited, typed by their content, stored under
random names; the client's file name is never used for anything."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import IO

from onegrid.forms.fieldtypes import DEFAULT_PHOTO_SIZE, PHOTO_NAME, size_bytes

CHUNK = 64 * 1024
_NAME = re.compile(PHOTO_NAME)


def sniff(head: bytes) -> str | None:
    """The photo type from its first bytes (magic numbers), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


class PhotoRejected(ValueError):
    """A photo refused: `code` and `params` for the per-field message."""

    def __init__(self, code: str, params: dict | None = None):
        super().__init__(code)
        self.code = code
        self.params = params or {}


class PhotoStore:
    """A folder of accepted photos named `<32 hex>.<jpg|png|webp>`."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def save(self, source: bytes | IO[bytes], max_size: str = DEFAULT_PHOTO_SIZE) -> str:
        """Store one photo; return its generated name or raise `PhotoRejected`."""
        limit = size_bytes(max_size)
        data = source if isinstance(source, bytes) else _read(source, limit + 1)
        if not data:
            raise PhotoRejected("form-photo-empty")
        if len(data) > limit:
            raise PhotoRejected("form-photo-size", {"max": max_size})
        ext = sniff(data[:16])
        if ext is None:
            raise PhotoRejected("form-photo-type")
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(16)}.{ext}"
        # O_EXCL: never overwrite, even on the 2^-128 chance of a clash
        fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return name

    def path(self, name: str) -> Path:
        """The file of a stored photo; `ValueError` for anything not a photo name."""
        if not _NAME.match(name):
            raise ValueError("not a photo name")
        return self.directory / name


def _read(stream: IO[bytes], at_most: int) -> bytes:
    chunks = []
    total = 0
    while total < at_most:
        chunk = stream.read(min(CHUNK, at_most - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
