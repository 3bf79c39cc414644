"""Photos attached to a report: typed by content, stored under generated
names, served only to users who may see the case."""

import re
import struct
import zlib

from web.webapp import PASSWORD


def png() -> bytes:
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def login(client, user):
    client.post("/auth/logout")
    assert (
        client.post("/auth/login", data={"username": user, "password": PASSWORD}).status_code == 302
    )


def report(client, filename, content):
    page = client.get("/cases/new?matter=m.litter&place=grid.a1", follow_redirects=True).get_data(
        as_text=True
    )
    target = re.search(r'action="(/cases/new\?[^"]+)"', page).group(1).replace("&amp;", "&")
    from io import BytesIO

    return client.post(
        target,
        data={"description": "有照片", "photo": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_photo_is_stored_and_scoped(app):
    client = app.test_client()
    login(client, "gw_a")
    r = report(client, "../../etc/passwd.png", png())
    assert r.status_code == 302, r.get_data(as_text=True)
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    case = client.get(f"/api/v1/cases/{case_id}").get_json()
    (name,) = case["submission"]["photo"]
    assert re.fullmatch(r"[0-9a-f]{32}\.png", name)  # never the client's file name
    r = client.get(f"/cases/{case_id}/photos/{name}")
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data == png()
    assert client.get(f"/api/v1/cases/{case_id}/photos/{name}").status_code == 200
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'<img src="/cases/{case_id}/photos/{name}"' in page
    assert "<dt>现场照片</dt>" in page and "<dt>问题描述</dt><dd>有照片" in page
    assert client.get(f"/cases/1/photos/{name}").status_code == 404  # not that case's photo
    assert client.get(f"/cases/{case_id}/photos/{'0' * 32}.png").status_code == 404
    # urban leads it but has not been handed it yet; the dispatcher sees it all along
    users = (
        ("gw_b", 404),
        ("street_b", 404),
        ("housing", 404),
        ("urban", 404),
        ("dispatcher", 200),
    )
    for user, status in users:
        login(client, user)
        assert client.get(f"/cases/{case_id}/photos/{name}").status_code == status, user


def test_a_file_that_is_not_a_photo_is_refused(app):
    client = app.test_client()
    login(client, "gw_a")
    r = report(client, "evil.png", b"<script>alert(1)</script>")
    assert r.status_code == 422
    assert "照片" in r.get_data(as_text=True)
