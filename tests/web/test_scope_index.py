"""Scopes as stored, indexed predicates (issue 22 item 3): a command centre's
scope is a few parameters, not an IN list of its ~1,770 units."""

from types import SimpleNamespace

from sqlalchemy import func, select

from onegrid.store import Case
from onegrid.web import db, scope


def user(unit: str, name: str = "someone"):
    return SimpleNamespace(
        username=name, is_admin=False, bindings=[SimpleNamespace(role="r", unit=unit)]
    )


def test_a_command_centre_sees_every_case_through_two_parameters(bundled_app):
    app = bundled_app("kunqu")
    with app.test_request_context():
        centre = user("dept.command")
        compiled = scope.condition(centre).compile()
        assert len(compiled.params) == 1 and len(next(iter(compiled.params.values()))) <= 3
        session = db.session()
        seen = session.scalar(select(func.count()).select_from(scope.visible(centre).subquery()))
        assert seen == session.scalar(select(func.count(Case.id))) > 0
        # someone bound nowhere in particular sees only what they reported
        nobody = user("dept.nothing-here")
        assert session.scalars(scope.visible(nobody)).all() == []
