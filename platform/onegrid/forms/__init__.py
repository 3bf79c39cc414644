"""The forms stage: form definitions → validators, JSON Schemas, HTML and
Open311 service definitions, compiled once per policy version.

    forms_of(policy).form(form_id)      # a CompiledForm (UsageError if unknown)
    validate(policy, form_id, submission, lang) -> (clean, errors_by_field)
    form_values(policy, form_id, request.form, prefix=None)  # strings → typed
    render_form(policy, form_id, values, errors, lang, csrf=(name, token))
    render_page(policy, form_id, lang)  # standalone preview
    service_definition(policy, matter_id, lang)  # Open311
    PhotoStore(directory).save(stream, max_size)
"""

from onegrid.forms.compiled import CompiledForm, FormSet, forms_of, validate
from onegrid.forms.html import render_form, render_page
from onegrid.forms.open311 import service_definition
from onegrid.forms.photos import PhotoRejected, PhotoStore
from onegrid.forms.submission import form_values

__all__ = [
    "CompiledForm",
    "FormSet",
    "PhotoRejected",
    "PhotoStore",
    "form_values",
    "forms_of",
    "render_form",
    "render_page",
    "service_definition",
    "validate",
]
