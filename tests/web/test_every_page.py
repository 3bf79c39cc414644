"""Every page, every bundled pack, every role (issue 14): each demo user of
each bundled pack opens every page and action form reachable from the
inbox; none answers 5xx, none shows a raw id where a label exists, and a
Chinese page shows no English but names."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from onegrid.web import policyview
from web import bundled
from web.webapp import PASSWORD

# links a crawl does not follow: downloads and leaving
SKIP = re.compile(r"^/(static/|forms\.(css|js)|auth/logout|cases/export|cases/\d+/photos/|api/)")
# at most this many pages of one shape (path with its numbers blanked, query keys)
PER_SHAPE = 2
PAGES_PER_USER = 30


def shape(url: str) -> tuple:
    parts = urlsplit(url)
    keys = tuple(sorted(k for k, _ in parse_qsl(parts.query) if k != "lang"))
    return re.sub(r"\d+", "#", parts.path), keys


# an action form that asks for something: sent empty, it is refused and shown again
ACTION_FORM = re.compile(r'<form[^>]*action="(/cases/\d+/act/[^"]+)"(.*?)</form>', re.S)


def crawl(client, start=("/",), follow=True):
    """(url, status, page) of every same-site page reachable from `start`
    (each start page whatever its shape), and of each action form that asks
    for an answer, sent empty; each page parsed once (`bundled.Page`)."""
    todo, seen, shapes, out = list(start), set(), {}, []
    while todo and len(out) < PAGES_PER_USER + len(start):
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        key = shape(url)
        if shapes.get(key, 0) >= PER_SHAPE and url not in start:
            continue
        shapes[key] = shapes.get(key, 0) + 1
        r = client.get(
            url, follow_redirects=True
        )  # as a browser does (the report form adds its key)
        html = r.get_data(as_text=True) if r.mimetype == "text/html" else ""
        page = bundled.Page(html)
        out.append((url, r.status_code, page))
        for target, body in ACTION_FORM.findall(html):
            if "required" in body:
                target = target.replace("&amp;", "&")
                refused = client.post(target, data={})
                assert refused.status_code == 422, (target, refused.status_code)
                shown = bundled.Page(refused.get_data(as_text=True))
                out.append((f"POST {target}", refused.status_code, shown))
        if follow and r.status_code == 200 and html:
            for href in page.links:
                href = href.replace("&amp;", "&").split("#")[0]
                if href.startswith("/") and not href.startswith("//") and not SKIP.match(href):
                    todo.append(href)
    return out


def problems_on(page: bundled.Page, lang: str, allowed: set[str], ids: set[str]) -> list[str]:
    text = "\n".join(page.text)
    out = []
    if lang == "zh":
        # words, not codes (a petition number a person typed is data)
        words = {w for w in bundled.latin_words(text) if not re.search(r"\d", w)}
        english = sorted(words - allowed)
        if english:
            out.append(f"English on a Chinese page: {english[:12]}")
    raw = sorted(w for w in bundled.latin_words(text) if w in ids and re.search(r"[._]", w))
    if raw:
        out.append(f"raw ids: {raw[:12]}")
    return out


@pytest.mark.parametrize("pack", bundled.PACKS)
def test_every_page_of_every_role(pack, bundled_app):
    app = bundled_app(pack)
    with app.app_context():
        policy = policyview.policy(app)
        allowed = bundled.allowed_latin(policy)
        ids = bundled.labelled_ids(policy)
    with app.app_context():
        first = [m["id"] for m in policy.items("matter") if m.get("form")][:2]
    starts = ["/", "/cases/new", *(f"/cases/new?matter={m}" for m in first)]
    starts += [f"/cases/{i}" for ids_ in app.config["SEEDED"].values() for i in ids_]
    failures = []
    for username, _role, _units in bundled.demo_users(app):
        client = app.test_client()
        r = client.post("/auth/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 302, (username, r.get_data(as_text=True)[:500])
        begin = starts + (["/admin/"] if username == "admin" else [])
        for lang in ("zh", "en"):
            client.post(f"/auth/lang/{lang}", data={"next": "/"})
            # English: the same start pages; the links were followed in Chinese
            for url, status, page in crawl(client, begin, follow=lang == "zh"):
                if status >= 500:
                    failures.append(f"{username} {lang} {url}: {status}")
                    continue
                for problem in problems_on(page, lang, allowed, ids):
                    failures.append(f"{username} {lang} {url}: {problem}")
    assert not failures, "\n".join(failures[:60]) + f"\n({len(failures)} in all)"
