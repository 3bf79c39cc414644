"""`onegrid users`: create, disable, bind, reset and import staff (CSV).

Roles and places are checked against the served pack (`--catalog`, or
`ONEGRID_CATALOG`), as the administration pages check them; every change
is a platform audit row naming `--by`.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from onegrid import messages, paths
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.policy.pack import load_policy
from onegrid.store.accounts import User
from onegrid.workflow import staff
from onegrid.workflow.rulebook import Rulebook
from onegrid.workflow.version import registry_grids

messages.register(
    {
        "users-created": {
            "zh": "已创建用户 {username}，初始密码：{password}",
            "en": "created the user {username}, first password: {password}",
        },
        "users-done": {
            "zh": "已{what}：{username}",
            "en": "{what}: {username}",
        },
        "users-password": {
            "zh": "{username} 的新密码：{password}",
            "en": "the new password of {username}: {password}",
        },
        "users-imported": {
            "zh": "导入完成：新建 {created} 人，新增角色 {bound} 项",
            "en": "imported: {created} new user(s), {bound} new role(s)",
        },
    }
)

WHAT = {
    "disable": ("停用", "disabled"),
    "enable": ("启用", "enabled"),
    "bind": ("授予角色", "role given"),
    "unbind": ("收回角色", "role taken away"),
}


def book_of(catalog: str | None) -> Rulebook:
    """The served pack's org (its registry grids too), read from disk."""
    policy = load_policy(paths.find_pack(catalog or paths.DEFAULT_CATALOG))
    return Rulebook(policy.resolved(), policy.content_hash, registry_grids(policy))


def _said(key: str, username: str, lang: str) -> None:
    what = WHAT[key][0 if lang == "zh" else 1]
    click.echo(messages.text("users-done", {"what": what, "username": username}, lang))


def run_users(
    action: str,
    *,
    username: str | None = None,
    name: str = "",
    role: str | None = None,
    unit: str | None = None,
    password: str | None = None,
    admin: bool = False,
    csv_path: str | None = None,
    catalog: str | None = None,
    url: str | None = None,
    by: str | None = None,
    lang: str = "zh",
) -> int:
    """One `onegrid users` action; 0 on success (problems raise `OnegridError`)."""
    by = by or "onegrid users"
    needs_book = action in ("create", "bind", "import")
    book = book_of(catalog) if needs_book else None
    with database(url) as db, db() as session:
        if action == "create":
            bindings = [(role, unit)] if role and unit else []
            _, secret = staff.create(
                session, book, username, name, bindings, password, is_admin=admin, by=by
            )
            session.commit()
            click.echo(
                messages.text("users-created", {"username": username, "password": secret}, lang)
            )
        elif action in ("disable", "enable"):
            staff.set_active(session, username, action == "enable", by=by)
            session.commit()
            _said(action, username, lang)
        elif action == "bind":
            staff.bind(session, book, username, role, unit, by=by)
            session.commit()
            _said(action, username, lang)
        elif action == "unbind":
            staff.unbind(session, username, role, unit, by=by)
            session.commit()
            _said(action, username, lang)
        elif action == "reset":
            secret = staff.reset_password(session, username, password, by=by)
            session.commit()
            click.echo(
                messages.text("users-password", {"username": username, "password": secret}, lang)
            )
        elif action == "import":
            path = Path(csv_path)
            done = staff.import_csv(
                session, book, path.read_text(encoding="utf-8"), str(path), by=by
            )
            session.commit()
            for who, secret in done.created:
                click.echo(
                    messages.text("users-created", {"username": who, "password": secret}, lang)
                )
            click.echo(
                messages.text(
                    "users-imported", {"created": len(done.created), "bound": len(done.bound)}, lang
                )
            )
        elif action == "list":
            for user in session.scalars(select(User).order_by(User.username)):
                held = ", ".join(f"{b.role}@{b.unit}" for b in user.bindings)
                flags = ("admin " if user.is_admin else "") + ("" if user.active else "disabled ")
                click.echo(f"{user.username}\t{user.name}\t{flags.strip()}\t{held}")
    return 0


catalog_option = click.option(
    "--catalog",
    envvar="ONEGRID_CATALOG",
    help="The served pack (default: ONEGRID_CATALOG or kunqu).",
)
by_option = click.option("--by", help="Who makes the change, for the audit trail.")


@click.group("users")
def command():
    """Staff accounts and their roles."""


@command.command("create")
@click.argument("username")
@click.option("--name", default="", help="Display name.")
@click.option("--role", help="A role of the pack, held at --unit.")
@click.option("--unit", help="The unit, department or enterprise the role is held at.")
@click.option("--password", help="The first password (default: a random one, printed).")
@click.option("--admin", is_flag=True, help="An administrator.")
@catalog_option
@url_option
@by_option
@options.lang
def create_command(username, name, role, unit, password, admin, catalog, url, by, lang):
    """Create a user."""
    if bool(role) != bool(unit):
        raise click.UsageError("--role and --unit go together")
    return run_users(
        "create", username=username, name=name, role=role, unit=unit, password=password,
        admin=admin, catalog=catalog, url=url, by=by, lang=lang,
    )  # fmt: skip


def _simple(action: str, doc: str):
    @command.command(action, help=doc)
    @click.argument("username")
    @url_option
    @by_option
    @options.lang
    def simple(username, url, by, lang):
        return run_users(action, username=username, url=url, by=by, lang=lang)

    return simple


disable_command = _simple("disable", "Disable a user (their sessions and tokens stop working).")
enable_command = _simple("enable", "Enable a disabled user again.")


def _binding(action: str, doc: str):
    @command.command(action, help=doc)
    @click.argument("username")
    @click.argument("role")
    @click.argument("unit")
    @catalog_option
    @url_option
    @by_option
    @options.lang
    def binding(username, role, unit, catalog, url, by, lang):
        return run_users(
            action, username=username, role=role, unit=unit, catalog=catalog, url=url, by=by,
            lang=lang,
        )  # fmt: skip

    return binding


bind_command = _binding(
    "bind", "Give USERNAME the ROLE at UNIT (a unit, department or enterprise)."
)
unbind_command = _binding("unbind", "Take the ROLE at UNIT away from USERNAME.")


@command.command("reset")
@click.argument("username")
@click.option("--password", help="The new password (default: a random one, printed).")
@url_option
@by_option
@options.lang
def reset_command(username, password, url, by, lang):
    """Reset a user's password and end their sessions."""
    return run_users("reset", username=username, password=password, url=url, by=by, lang=lang)


@command.command("import")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False))
@catalog_option
@url_option
@by_option
@options.lang
def import_command(csv_path, catalog, url, by, lang):
    """Import staff from a CSV: username, name, role, unit[, password], one row per role."""
    return run_users("import", csv_path=csv_path, catalog=catalog, url=url, by=by, lang=lang)


@command.command("list")
@url_option
@options.lang
def list_command(url, lang):
    """Every user with their roles."""
    return run_users("list", url=url, lang=lang)
