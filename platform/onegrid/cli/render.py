"""`onegrid render PACK FORM [-o FILE]`: one form as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from onegrid.cli import options
from onegrid.forms import forms_of, render_page
from onegrid.paths import find_pack
from onegrid.policy.pack import load_policy


def render(pack: str, form_id: str, output: str | None = None, lang: str = "zh") -> int:
    """Write the preview page of `form_id` (a form id, or a matter id: its form)."""
    policy = load_policy(find_pack(pack))
    forms = forms_of(policy)
    if form_id not in forms:
        matter = policy.get("matter", form_id)
        if matter is not None and matter.get("form"):
            form_id = matter["form"]
    forms.form(form_id)  # unknown: a usage error with "did you mean"
    page = render_page(policy, form_id, lang)
    if output is None or output == "-":
        click.echo(page, nl=False)
    else:
        Path(output).write_text(page, encoding="utf-8")
    return 0


@click.command("render")
@click.argument("pack", type=click.Path())
@click.argument("form")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout."
)
@options.lang
def command(pack, form, output, lang):
    """The HTML of one form, for preview (a form id, or a matter id)."""
    return render(pack, form, output, lang)
