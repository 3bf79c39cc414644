"""`onegrid render PACK FORM [-o FILE]`: one form as a standalone HTML page
(or, with `--as`, its JSON Schema or its Open311 service definition)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from onegrid.cli import options
from onegrid.forms import forms_of, render_page, service_definition
from onegrid.forms.open311 import attributes
from onegrid.paths import find_pack
from onegrid.policy.pack import load_policy

AS = ("html", "schema", "open311")


def render(
    pack: str, form_id: str, output: str | None = None, lang: str = "zh", as_: str = "html"
) -> int:
    """Write the preview page of `form_id` (a form id, or a matter id: its form)."""
    policy = load_policy(find_pack(pack))
    forms = forms_of(policy)
    matter_id = None
    if form_id not in forms:
        matter = policy.get("matter", form_id)
        if matter is not None and matter.get("form"):
            matter_id, form_id = form_id, matter["form"]
    form = forms.form(form_id)  # unknown: a usage error with "did you mean"
    if as_ == "schema":
        text = json.dumps(form.schema, ensure_ascii=False, indent=2) + "\n"
    elif as_ == "open311":
        definition = (
            service_definition(policy, matter_id, lang)
            if matter_id
            else {"service_code": form_id, "attributes": attributes(form, lang)}
        )
        text = json.dumps(definition, ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_page(policy, form_id, lang)
    if output is None or output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
    return 0


@click.command("render")
@click.argument("pack", type=click.Path())
@click.argument("form")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout."
)
@click.option(
    "--as",
    "as_",
    type=click.Choice(AS),
    default="html",
    show_default=True,
    help="html: a preview page; schema: the JSON Schema of a submission; open311: the service definition.",
)
@options.lang
def command(pack, form, output, as_, lang):
    """The HTML of one form, for preview (a form id, or a matter id)."""
    return render(pack, form, output, lang, as_)
