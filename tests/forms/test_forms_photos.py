"""Photos: typed by their bytes, size-limited, stored under random names."""

from __future__ import annotations

import io
import re

import pytest

from onegrid.forms import PhotoRejected, PhotoStore

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 100


@pytest.mark.parametrize(("data", "ext"), [(JPEG, "jpg"), (PNG, "png"), (WEBP, "webp")])
def test_a_photo_is_stored_under_a_generated_name(tmp_path, data, ext):
    store = PhotoStore(tmp_path)
    name = store.save(io.BytesIO(data))
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{ext}", name)
    assert store.path(name).read_bytes() == data
    assert store.save(data) != name


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\x00" * 50, "form-photo-type"),
        (b"<svg onload=alert(1)>", "form-photo-type"),
        (b"RIFF\x10\x00\x00\x00WAVE", "form-photo-type"),
        (b"", "form-photo-empty"),
        (JPEG + b"\x00" * 2048, "form-photo-size"),
    ],
)
def test_a_bad_upload_is_refused(tmp_path, data, code):
    with pytest.raises(PhotoRejected) as caught:
        PhotoStore(tmp_path).save(io.BytesIO(data), max_size="1KB")
    assert caught.value.code == code
    assert not any(tmp_path.iterdir())


def test_an_oversized_stream_is_not_read_whole(tmp_path):
    class Endless(io.RawIOBase):
        read_bytes = 0

        def read(self, n=-1):
            self.read_bytes += n
            return b"\xff" * n

    stream = Endless()
    with pytest.raises(PhotoRejected):
        PhotoStore(tmp_path).save(stream, max_size="2KB")
    assert stream.read_bytes <= 2048 + 1


@pytest.mark.parametrize(
    "name", ["../secret.jpg", "a" * 32 + ".jpg/../x", "A" * 32 + ".jpg", "x.php"]
)
def test_only_generated_names_map_to_files(tmp_path, name):
    with pytest.raises(ValueError):
        PhotoStore(tmp_path).path(name)
