"""The audit record without a hot row: a keyed chain per subject, sealed in
batches; on PostgreSQL partitioned by month and written only through
SECURITY DEFINER functions.

Revision ID: 0700
Revises: 0002

Replaces revision 0001's single chain and its `audit_head` row (which every
writer locked). Existing rows are first verified against the old chain (the
migration stops if it is broken), then re-chained per subject under the
audit key (ONEGRID_AUDIT_KEY, or the instance folder's key in development:
the one the app will use); the newest row of each case also records the
case's columns, so verify can replay it. See workflow/audit.py and README
("Deploying", "The audit record").
"""

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0700"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "sha256:" + "0" * 64
BIG = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# PostgreSQL: the functions through which the app role writes the record.
# They run as the owner (SECURITY DEFINER) with a fixed search_path.
FUNCTIONS = [
    # one monthly partition of `audit`, made when the first row of a month
    # arrives (or ahead of time by the sealer), with its own truncate guard
    """
    CREATE FUNCTION onegrid_audit_partition(p_at timestamptz) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      month timestamp := date_trunc('month', p_at AT TIME ZONE 'UTC');
      name text := 'audit_' || to_char(month, 'YYYYMM');
    BEGIN
      IF to_regclass(name) IS NULL THEN
        PERFORM pg_advisory_xact_lock(1868, 0);
        IF to_regclass(name) IS NULL THEN
          EXECUTE format(
            'CREATE TABLE %I PARTITION OF audit FOR VALUES FROM (%L) TO (%L)',
            name, month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
          EXECUTE format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION onegrid_append_only()',
            name || '_no_truncate', name);
        END IF;
      END IF;
      RETURN name;
    END $$
    """,
    # lock the subject's chain for this transaction, draw the row's number
    # and return the subject's next place and the hash it must link to. The
    # transaction id is taken before the number, so the sealer can tell when
    # every number up to some value has been committed or abandoned.
    f"""
    CREATE FUNCTION onegrid_audit_next(p_subject text, OUT seq bigint, OUT n integer,
                                       OUT prev text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      PERFORM pg_current_xact_id();
      PERFORM pg_advisory_xact_lock(1869, hashtext(p_subject));
      SELECT a.subject_seq, a.hash INTO n, prev FROM audit a
        WHERE a.subject = p_subject ORDER BY a.subject_seq DESC LIMIT 1;
      n := coalesce(n, 0) + 1;
      prev := coalesce(prev, '{GENESIS}');
      seq := nextval('audit_seq');
    END $$
    """,
    # append one row: only the number just drawn, only at the end of its chain
    f"""
    CREATE FUNCTION onegrid_audit_append(p_seq bigint, p_subject text, p_n integer,
        p_case integer, p_action text, p_actor text, p_at timestamptz, p_payload text,
        p_prev text, p_hash text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE last_n integer; last_hash text;
    BEGIN
      IF p_seq IS DISTINCT FROM currval('audit_seq') THEN
        RAISE EXCEPTION 'onegrid: audit row % was not drawn by onegrid_audit_next', p_seq
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      PERFORM pg_advisory_xact_lock(1869, hashtext(p_subject));
      SELECT a.subject_seq, a.hash INTO last_n, last_hash FROM audit a
        WHERE a.subject = p_subject ORDER BY a.subject_seq DESC LIMIT 1;
      IF coalesce(last_n, 0) + 1 <> p_n OR coalesce(last_hash, '{GENESIS}') <> p_prev THEN
        RAISE EXCEPTION 'onegrid: audit row % of % does not continue its chain', p_n, p_subject
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF to_regclass('audit_' || to_char(p_at AT TIME ZONE 'UTC', 'YYYYMM')) IS NULL THEN
        PERFORM onegrid_audit_partition(p_at);
      END IF;
      INSERT INTO audit (seq, subject, subject_seq, case_id, action, actor, at, payload,
                         prev_hash, hash)
        VALUES (p_seq, p_subject, p_n, p_case, p_action, p_actor, p_at, p_payload, p_prev,
                p_hash);
    END $$
    """,
    # append one seal, right after the last one
    f"""
    CREATE FUNCTION onegrid_audit_seal(p_id integer, p_first bigint, p_upto bigint,
        p_rows integer, p_root text, p_at timestamptz, p_prev text, p_hash text)
        RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE last audit_seals;
    BEGIN
      PERFORM pg_advisory_xact_lock(1868, 1);
      SELECT * INTO last FROM audit_seals ORDER BY id DESC LIMIT 1;
      IF coalesce(last.id, 0) + 1 <> p_id OR coalesce(last.upto, 0) + 1 <> p_first
         OR coalesce(last.hash, '{GENESIS}') <> p_prev OR p_upto < p_first THEN
        RAISE EXCEPTION 'onegrid: audit seal % does not follow the last seal', p_id
          USING ERRCODE = 'unique_violation';
      END IF;
      INSERT INTO audit_seals (id, first, upto, rows, root, at, prev_hash, hash)
        VALUES (p_id, p_first, p_upto, p_rows, p_root, p_at, p_prev, p_hash);
    END $$
    """,
]
FUNCTION_NAMES = (
    "onegrid_audit_partition(timestamptz)",
    "onegrid_audit_next(text)",
    "onegrid_audit_append(bigint, text, integer, integer, text, text, timestamptz, text,"
    " text, text)",
    "onegrid_audit_seal(integer, bigint, bigint, integer, text, timestamptz, text, text)",
)


def _columns():
    return [
        sa.Column("seq", BIG, nullable=False, autoincrement=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("subject_seq", sa.Integer, nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", name="fk_audit_case_id_cases")),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("actor", sa.String(120)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(80), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # the old table steps aside under another name, without its indexes
    if postgres:
        op.execute("ALTER TABLE audit RENAME TO audit_0001")
        for (name,) in bind.execute(
            sa.text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'audit_0001'::regclass "
                "AND contype IN ('p', 'u', 'f')"
            )
        ).all():
            op.execute(f'ALTER TABLE audit_0001 DROP CONSTRAINT "{name}"')
        op.execute("DROP INDEX IF EXISTS ix_audit_case_id")
    else:
        for trigger in ("audit_no_update", "audit_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP INDEX IF EXISTS ix_audit_case_id")
        op.execute("ALTER TABLE audit RENAME TO audit_0001")

    if postgres:
        op.execute("CREATE SEQUENCE audit_seq AS bigint")
        op.create_table(
            "audit",
            *_columns(),
            sa.PrimaryKeyConstraint("seq", "at", name="pk_audit"),
            postgresql_partition_by="RANGE (at)",
        )
        op.execute("ALTER SEQUENCE audit_seq OWNED BY audit.seq")
        op.create_index("ix_audit_subject", "audit", ["subject", "subject_seq"])
    else:
        op.create_table("audit", *_columns(), sa.PrimaryKeyConstraint("seq", name="pk_audit"))
        op.create_index("ix_audit_subject", "audit", ["subject", "subject_seq"], unique=True)
    op.create_index("ix_audit_case_id", "audit", ["case_id"])
    op.create_table(
        "audit_seals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("first", BIG, nullable=False),
        sa.Column("upto", BIG, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("root", sa.String(80), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("prev_hash", sa.String(80), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
    )

    if postgres:
        for sql in FUNCTIONS:
            op.execute(sql)
        for name in FUNCTION_NAMES:
            op.execute(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
        for table in ("audit", "audit_seals"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION onegrid_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION onegrid_append_only()"
            )
    else:
        for table in ("audit", "audit_seals"):
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'onegrid: {verb} on {table} refused: "
                    "rows are append-only'); END"
                )

    _carry_over(bind, postgres)
    op.execute("DROP TABLE audit_0001")
    op.drop_table("audit_head")


def _old_rows(bind):
    return bind.execute(
        sa.text(
            "SELECT seq, case_id, action, actor, at, payload, prev_hash, hash FROM audit_0001 ORDER BY seq"
        )
    )


def _carry_over(bind, postgres: bool) -> None:
    """Verify the old chain, then re-chain its rows per subject under the key."""
    count = bind.execute(sa.text("SELECT count(*) FROM audit_0001")).scalar()
    if not count:
        return
    # imported only here: the migration uses the app's own chain functions
    from onegrid.workflow import audit

    head = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    prev, expected = GENESIS, 1
    newest: dict[int, int] = {}
    for seq, case_id, *_rest, payload, prev_hash, digest in _old_rows(bind):
        ok = seq == expected and prev_hash == prev
        ok = ok and "sha256:" + hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest() == digest
        if not ok:
            raise RuntimeError(
                f"revision 0700: the audit chain is broken at row {seq}; "
                "run `onegrid audit verify` on the previous release and repair it first"
            )
        if case_id is not None:
            newest[case_id] = seq
        prev, expected = digest, seq + 1
    if head.seq != expected - 1 or head.hash != prev:
        raise RuntimeError("revision 0700: the audit chain does not end at its head row")

    cases = sa.table("cases", *(sa.column(c) for c in ("id", *audit.REPLAYED)))
    secret = audit.key()
    chains: dict[str, tuple[int, str]] = {}
    table = sa.table("audit", *(sa.column(c.name) for c in _columns()))
    months: set[str] = set()
    batch: list[dict] = []
    for seq, case_id, action, actor, at, payload, _prev, _hash in _old_rows(bind).all():
        at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
        subject = audit.subject_of(case_id)
        n, link = chains.get(subject, (0, GENESIS))
        body = {
            "seq": seq,
            "subject": subject,
            "n": n + 1,
            "case": case_id,
            "action": action,
            "actor": actor,
            "at": audit.stamp(at),
            "data": json.loads(payload).get("data"),
        }
        if case_id is not None and newest.get(case_id) == seq:
            row = bind.execute(sa.select(cases).where(cases.c.id == case_id)).one()
            body["after"] = audit.case_values(_Row(row._mapping))
        text = audit.canonical(body)
        digest = audit.chain_hash(link, text, secret)
        chains[subject] = (n + 1, digest)
        month = at.strftime("%Y%m")
        if postgres and month not in months:
            bind.execute(sa.text("SELECT onegrid_audit_partition(:at)"), {"at": at})
            months.add(month)
        batch.append(
            {
                "seq": seq,
                "subject": subject,
                "subject_seq": n + 1,
                "case_id": case_id,
                "action": action,
                "actor": actor,
                "at": at if postgres else at.replace(tzinfo=None),
                "payload": text,
                "prev_hash": link,
                "hash": digest,
            }
        )
        if len(batch) >= 1000:
            bind.execute(table.insert(), batch)
            batch.clear()
    if batch:
        bind.execute(table.insert(), batch)
    if postgres:
        bind.execute(sa.text("SELECT setval('audit_seq', :n)"), {"n": expected - 1})


class _Row:
    """A cases row read with Core, as the attributes `case_values` reads."""

    def __init__(self, mapping):
        for key, value in mapping.items():
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            if key == "assistants" and isinstance(value, str):
                value = json.loads(value)
            setattr(self, key, value)


def downgrade() -> None:
    raise RuntimeError("revision 0700 cannot be downgraded: audit rows are permanent")
