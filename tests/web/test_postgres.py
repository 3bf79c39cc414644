"""The web app on PostgreSQL: migrations (accounts included) and scoping,
whose JSON-list test must behave as on SQLite."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from onegrid.cli.serve import prepare
from onegrid.store import Case, accounts
from onegrid.web import casework, create_app, db, listing, scope
from onegrid.workflow import actions_for, rulebook
from web.webapp import CASES, FAST_HASH, USERS, dispatch, token_for

_numbers = itertools.count(1)


@pytest.fixture
def pg_app(postgres, web_pack, tmp_path):
    name = f"onegrid_web_{next(_numbers)}"
    postgres.execute(f"CREATE DATABASE {name}")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path),
            "ONEGRID_CATALOG": str(web_pack),
            "ONEGRID_DATABASE_URL": postgres.url(name),
        }
    )
    prepare(app, seed_demo=False)
    with app.app_context():
        session = db.session()
        for username, (role, unit) in USERS.items():
            accounts.create_user(session, username, "pw", bindings=[(role, unit)], method=FAST_HASH)
        session.commit()
        users = {u.username: u for u in session.scalars(select(accounts.User))}
    with app.test_request_context():
        session = db.session()
        for matter, place, reporter in CASES:
            casework.open_case(session, users[reporter], matter, place, {"description": "测试"})
        session.get(Case, 2).assistants = ["dept.urban"]
        session.commit()
        for case_id in (1, 2):
            dispatch(session, case_id, users["dispatcher"])
    yield app
    db.engine(app).dispose()


@pytest.mark.parametrize(
    ("user", "seen"),
    [("gw_a", [1]), ("street_b", [2]), ("urban", [1, 2]), ("housing", [2]), ("dispatcher", [1, 2])],
)
def test_scope_on_postgres(pg_app, user, seen):
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {token_for(pg_app, user)}"}
    listed = sorted(c["id"] for c in client.get("/api/v1/cases", headers=headers).get_json())
    assert listed == seen
    for case in (1, 2):
        status = client.get(f"/api/v1/cases/{case}", headers=headers).status_code
        assert status == (200 if case in seen else 404)


def test_bad_input_is_refused_on_postgres(pg_app):
    """What PostgreSQL refuses (NUL in text, strings longer than their
    column, ids above BIGINT, moments out of range) is refused at the edge
    with a 4xx, never a 500."""
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {token_for(pg_app, 'gw_a')}"}
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x"}}
    statuses = [
        client.post("/api/v1/tokens", json={"username": "a\x00", "password": "x"}).status_code,
        client.post("/auth/login", data={"username": "gw_a\x00", "password": "x"}).status_code,
        client.get("/open311/v2/requests.json?service_code=a%00").status_code,
        client.post(
            "/api/v1/cases",
            json={**body, "submission": {"description": "a\x00b"}},
            headers=headers,
        ).status_code,
        client.post(
            "/api/v1/cases", json=body, headers={**headers, "Idempotency-Key": "k" * 300}
        ).status_code,
        client.post(
            "/api/v1/tokens", json={"username": "gw_a", "password": "pw", "name": "n" * 500}
        ).status_code,
        client.get("/api/v1/cases?start=0001-01-01T00:00:00%2B01:00", headers=headers).status_code,
    ]
    assert statuses == [400] * len(statuses)
    for path in (f"/api/v1/cases/{2**63}", "/open311/v2/requests/99999999999999999999.json"):
        assert client.get(path, headers=headers).status_code == 404
    # an empty key twice is two cases, not a unique-constraint crash
    for _ in range(2):
        r = client.post("/api/v1/cases", json=body, headers={**headers, "Idempotency-Key": ""})
        assert r.status_code == 201
    long_username = client.post("/api/v1/tokens", json={"username": "u" * 500, "password": "x"})
    assert long_username.status_code == 401


def test_client_keys_throttles_and_retries_on_postgres(pg_app):
    """Client keys, the duplicate window, privacy and the database throttle
    (an UPDATE or the INSERT that wins) on PostgreSQL."""
    from web.webapp import client_key

    client = pg_app.test_client()
    key = client_key(pg_app)
    body = {
        "api_key": key,
        "service_code": "m.litter",
        "address_id": "grid.a1",
        "attribute[description]": "路口有垃圾",
    }
    ids = {
        client.post("/open311/v2/requests.json", data=body).get_json()[0]["service_request_id"]
        for _ in range(3)
    }
    assert len(ids) == 1
    (rid,) = ids
    listed = client.get("/open311/v2/requests.json").get_json()
    assert [x["service_request_id"] for x in listed] == [rid]
    headers = {"Authorization": f"Bearer {token_for(pg_app, 'gw_a')}"}
    staff = client.post(
        "/api/v1/cases",
        json={"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x"}},
        headers=headers,
    )
    assert client.get(f"/open311/v2/requests/{staff.get_json()['id']}.json").status_code == 404
    for _ in range(5):
        r = client.post("/api/v1/tokens", json={"username": "gw_b", "password": "wrong"})
        assert r.status_code == 401
    assert (
        client.post("/api/v1/tokens", json={"username": "gw_b", "password": "pw"}).status_code
        == 429
    )


def test_identical_retries_at_once_make_one_case_on_postgres(pg_app):
    """A client without Idempotency-Key retrying on a flaky network: six
    identical requests in flight at the same moment are one case (the
    duplicate window holds between transactions, not only after a commit)."""
    import threading

    from web.webapp import client_key

    key = client_key(pg_app)
    body = {
        "api_key": key,
        "service_code": "m.litter",
        "address_id": "grid.a1",
        "attribute[description]": "同时重发",
    }
    start, ids, errors = threading.Barrier(6), [], []

    def post():
        client = pg_app.test_client()
        start.wait()
        r = client.post("/open311/v2/requests.json", data=body)
        (ids if r.status_code == 200 else errors).append(
            r.get_json()[0]["service_request_id"] if r.status_code == 200 else r.status_code
        )

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(ids) == 6
    assert len(set(ids)) == 1, ids


def test_mine_on_postgres(pg_app):
    """待我处理 on PostgreSQL: the candidates read from the acting parties'
    rows and checked by the engine are exactly what it offers each user."""
    with pg_app.test_request_context():
        session = db.session()
        some = 0
        for user in session.scalars(select(accounts.User)).all():
            actor = casework.actor_of(user)
            open_ = session.scalars(scope.visible(user).where(Case.closed_at.is_(None))).all()
            exact = sorted(c.id for c in open_ if offered_beyond_oversight(c, actor))
            client = pg_app.test_client()
            headers = {"Authorization": f"Bearer {token_for(pg_app, user.username)}"}
            r = client.get("/api/v1/cases?tab=mine", headers=headers)
            assert sorted(c["id"] for c in r.get_json()) == exact, user.username
            assert r.headers["X-Total-Count"] == str(len(exact))
            some += bool(exact)
        assert some >= 2


def offered_beyond_oversight(case, actor) -> bool:
    """The engine's own answer: some action it offers is not oversight (督办)."""
    book = rulebook(case.policy_version)
    return any(not listing.oversight(book.transitions[a.id]) for a in actions_for(case, actor))


def test_every_page_on_postgres_is_the_scope_in_order(pg_app):
    """Each user's pages on every tab and sort, walked by cursor 7 at a time
    from the parties' stored rows (LATERAL, PostgreSQL), are exactly their
    scope's cases of the tab in that order, each once (a case a user reaches
    as reporter and as unit comes once), and 待我处理 is what the engine
    offers them, in the same order."""
    import datetime as dt

    from onegrid.store import utcnow

    with pg_app.test_request_context():
        session = db.session()
        users = {u.username: u for u in session.scalars(select(accounts.User))}
        places = ["grid.a1", "grid.b1", "grid.a1", "st.a"]
        for n in range(40):
            reporter = users["gw_a" if n % 4 != 1 else "gw_b"]
            matter = "m.litter" if n % 3 else "m.pothole"
            casework.open_case(
                session, reporter, matter, places[n % 4], {"description": f"第{n}件"}
            )
        session.commit()
        for case_id in range(3, 43, 3):
            dispatch(session, case_id, users["dispatcher"])
        # deadlines on the same instant: the cursor must order ties by number
        session.execute(Case.__table__.update().where(Case.id % 5 == 0).values(
            due_at=utcnow() + dt.timedelta(hours=3)))  # fmt: skip
        # each way a sparse tab's cases are found (listing._ways): warned by
        # the sweep; warned time passed but not yet swept (sweep_at due);
        # past due; flagged overdue and supervised at the top of the ladder
        # (no deadline); and a closed case that keeps its flags
        now, table = utcnow(), Case.__table__
        hour = dt.timedelta(hours=1)
        for where, values in (
            (Case.id % 7 == 0, {"warned": True, "warn_at": now - hour,
                                "due_at": now + 2 * hour, "sweep_at": now + 2 * hour}),
            (Case.id % 8 == 0, {"warned": False, "warn_at": now - hour / 60,
                                "due_at": now + hour, "sweep_at": now - hour / 60}),
            (Case.id % 13 == 0, {"due_at": now - hour, "sweep_at": now - hour}),
            (Case.id % 11 == 0, {"overdue": True, "warned": True, "supervised": True,
                                 "due_at": None, "sweep_at": None}),
            (Case.id == 22, {"closed_at": now, "state": "closed", "sweep_at": None}),
        ):  # fmt: skip
            session.execute(table.update().where(where).values(**values))
        session.commit()
        for case in session.scalars(select(Case)):
            from onegrid.workflow import visibility

            visibility.refresh(session, case)  # the copies of the new deadlines
        session.commit()
        # an administrator sees all: the cases' own indexes, not parties' rows
        accounts.create_user(session, "root", "pw", is_admin=True, method=FAST_HASH)
        session.commit()
        users = {u.username: u for u in session.scalars(select(accounts.User))}
        tried = set()
        for user in users.values():
            actor = casework.actor_of(user)
            for sort in ("due", "new", "old"):
                for tab in listing.TABS:
                    stmt = scope.visible(user).where(listing.tab_condition(tab, utcnow()))
                    want = session.scalars(stmt.order_by(*listing.order_of(sort))).all()
                    if tab == "mine":
                        want = [c for c in want if listing.is_mine(c, actor)]
                    got, cursor = [], None
                    while True:
                        page = listing.listing(session, user, tab, sort=sort, cursor=cursor,
                                               limit=7, with_counts=False)  # fmt: skip
                        got += [c.id for c in page.cases]
                        if not page.next_cursor:
                            break
                        cursor = page.next_cursor
                    assert got == [c.id for c in want], (user.username, tab, sort)
                    if sort == "due" and tab != "mine":
                        counted = listing.count_of(session, user, tab, listing.Filters())
                        assert counted == (len(want), False), (user.username, tab)
                    if want:
                        tried.add(tab)
        # every sparse tab was tried on some user's cases
        assert tried >= {"due_soon", "overdue", "supervised"}


def test_open311_pages_beyond_its_1000_cap_on_postgres(pg_app):
    """2,500 requests filed by a client (one filed, the rest its copies in
    SQL): the public list walked through its Link headers, 1,000 a page,
    is every one of them newest first, with an estimated total above
    listing.COUNT_EXACT; the updates page the same way."""
    from sqlalchemy import text

    from web.webapp import client_key

    key = client_key(pg_app)
    client = pg_app.test_client()
    data = {"api_key": key, "service_code": "m.litter", "address_id": "grid.a1",
            "attribute[description]": "开放接口"}  # fmt: skip
    first = int(
        client.post("/open311/v2/requests.json", data=data).get_json()[0]["service_request_id"]
    )
    with pg_app.app_context():
        session = db.session()
        names = ", ".join(
            c.name for c in Case.__table__.c if c.name not in ("id", "idempotency_key")
        )
        session.execute(text(
            f"INSERT INTO cases ({names}) SELECT {names} FROM cases, generate_series(1, 2499)"
            " WHERE id = :id"), {"id": first})  # fmt: skip
        session.execute(text(
            "INSERT INTO case_clients (case_id, client_id, content_hash, filed_at)"
            " SELECT c.id, k.client_id, k.content_hash || c.id, k.filed_at FROM cases c,"
            " case_clients k WHERE k.case_id = :id AND c.id > :id"), {"id": first})  # fmt: skip
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        want = session.scalars(
            select(Case.id).where(Case.id >= first).order_by(Case.id.desc())
        ).all()
    assert len(want) == 2500
    got, path, pages = [], "/open311/v2/requests.json?service_code=m.litter", 0
    while path:
        r = client.get(path)
        assert r.status_code == 200, r.get_data(as_text=True)
        assert int(r.headers["X-Total-Count"]) > listing.COUNT_EXACT
        assert r.headers["X-Total-Count-Estimated"] == "true"
        got += [int(x["service_request_id"]) for x in r.get_json()]
        pages += 1
        link = r.headers.get("Link")
        path = link[1 : link.index(">")] if link else None
    assert got == want and pages == 3
    updates = client.get("/open311/v2/servicerequestupdates.json?page_size=1")
    assert updates.headers["X-Total-Count"] == "1" and "Link" not in updates.headers
