"""Forms compiled once per policy version: validators, schemas, views.

`forms_of(policy)` is cached by the policy's content hash, so every policy
object with the same content shares one compiled set, and a new version
gets its own. Validation runs plain closures built here (a 20-field
submission in tens of microseconds); the JSON Schema of each form says the
same thing for other programs, and the tests hold the two to agreement.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from onegrid import messages
from onegrid.errors import PolicyError, Problem, UsageError
from onegrid.forms import wording  # noqa: F401 - registers the messages
from onegrid.forms.conditions import compile_condition, condition_schema
from onegrid.forms.definition import FieldSpec, FormSpec, resolve_forms
from onegrid.forms.fieldtypes import TYPES, is_empty
from onegrid.forms.formats import FORMATS
from onegrid.forms.patterns import safe_pattern
from onegrid.policy.schema import OFFLINE
from onegrid.policy.suggest import did_you_mean

Errors = dict[str, list[str]]


@dataclass
class Rule:
    """How one field is checked: its value check and its conditions."""

    name: str
    check: Any
    required: bool
    show: Any = None  # a condition test, or None: always shown
    require: Any = None  # a condition test, or None


@dataclass
class CompiledForm:
    spec: FormSpec
    policy_hash: str
    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        for f in self.spec.fields:
            self.rules.append(
                Rule(
                    name=f.name,
                    check=TYPES[f.type].check(f),
                    required=bool(f.get("required")),
                    show=compile_condition(f["show_when"]) if f.get("show_when") else None,
                    require=compile_condition(f["require_when"]) if f.get("require_when") else None,
                )
            )
        self._names = frozenset(r.name for r in self.rules)
        self._conditional = [r for r in self.rules if r.show or r.require or r.required]

    @property
    def id(self) -> str:
        return self.spec.id

    def validate(self, submission: Any, lang: str = "zh") -> tuple[dict[str, Any], Errors]:
        """(clean values, messages by field name). Unknown fields are errors;
        a field whose `show_when` does not hold is dropped, as the person
        never saw it (a browser without JavaScript still sends it)."""
        if not isinstance(submission, dict):
            return {}, {"": [messages.text("form-not-object", {}, lang)]}
        found: dict[str, tuple[str, dict]] = {}
        for key in submission:
            if key not in self._names:
                found[str(key)] = ("form-unknown-field", {})
        clean: dict[str, Any] = {}
        for rule in self.rules:
            value = submission.get(rule.name)
            if is_empty(value):
                continue
            value, error = rule.check(value)
            if error is not None:
                found[rule.name] = error
            elif not is_empty(value):  # only spaces: as good as absent
                clean[rule.name] = value
        for rule in self._conditional:
            if rule.show is not None and not rule.show(clean):
                clean.pop(rule.name, None)
                found.pop(rule.name, None)
                continue
            if rule.name in clean or rule.name in found:
                continue
            if rule.required or (rule.require is not None and rule.require(clean)):
                found[rule.name] = ("form-required", {})
        if not found:
            return clean, {}
        errors = {
            name: [messages.text(code, params, lang)] for name, (code, params) in found.items()
        }
        return {k: v for k, v in clean.items() if k not in errors}, errors

    @cached_property
    def schema(self) -> dict[str, Any]:
        """The JSON Schema (2020-12) of a submission of this form."""
        properties = {}
        required = []
        conditions = []
        by_name = {f.name: f for f in self.spec.fields}
        for f in self.spec.fields:
            prop = TYPES[f.type].schema(f)
            prop["title"] = _zh(f.keys["label"]) if f.keys.get("label") else f.name
            properties[f.name] = prop
            show = f.get("show_when")
            if f.get("required"):
                if show:
                    conditions.append(_when(show, by_name, [f.name]))
                else:
                    required.append(f.name)
            if f.get("require_when"):
                conditions.append(_when(f["require_when"], by_name, [f.name]))
        out: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:onegrid:form:{self.policy_hash}:{self.spec.id}",
            "title": self.spec.name["zh"],
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        if conditions:
            out["allOf"] = conditions
        return out

    @cached_property
    def schema_validator(self) -> Draft202012Validator:
        """jsonschema's validator of `schema`, with our format checks and
        RE2 for `pattern` (as the field checks use)."""
        return SchemaValidator(self.schema, registry=OFFLINE, format_checker=FORMATS)


def _re2_pattern(validator, pattern, instance, schema):
    # Python's `re` would refuse RE2 syntax such as \p{Han} that checks accept
    if validator.is_type(instance, "string") and not safe_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


SchemaValidator = validators.extend(Draft202012Validator, {"pattern": _re2_pattern})


def _zh(text: Any) -> str:
    return text.get("zh", "") if isinstance(text, dict) else str(text)


def _when(condition: dict, by_name: dict[str, FieldSpec], names: list[str]) -> dict:
    target = by_name.get(condition["field"])
    multi = target is not None and target.type in ("multichoice", "photo")
    return {"if": condition_schema(condition, multi), "then": {"required": names}}


class FormSet(dict):
    """The compiled forms of one policy version, by id."""

    def form(self, form_id: str) -> CompiledForm:
        try:
            return self[form_id]
        except KeyError:
            raise UsageError(
                Problem("form-unknown", {"id": form_id}, None, did_you_mean(form_id, list(self)))
            ) from None


_LOCK = threading.Lock()
_BY_HASH: OrderedDict[str, FormSet] = OrderedDict()
_BY_OBJECT: dict[int, tuple[weakref.ref, FormSet]] = {}
KEEP_VERSIONS = 16


def forms_of(policy) -> FormSet:
    """Every form of `policy`, compiled (once per content hash).

    Raises `PolicyError` if a form is broken; `onegrid check` reports the
    same problems with their places."""
    entry = _BY_OBJECT.get(id(policy))
    if entry is not None and entry[0]() is policy:
        return entry[1]
    content_hash = policy.content_hash
    version = version_key(policy, content_hash)
    with _LOCK:
        forms = _BY_HASH.get(version)
        if forms is None:
            forms = _compile(policy, content_hash)
            _BY_HASH[version] = forms
            while len(_BY_HASH) > KEEP_VERSIONS:
                _BY_HASH.popitem(last=False)
        key = id(policy)
        # the table is bound into the callback: at interpreter exit the
        # module's globals may already be gone when the last policy dies
        _BY_OBJECT[key] = (
            weakref.ref(policy, lambda _ref, key=key, table=_BY_OBJECT: table.pop(key, None)),
            forms,
        )
    return forms


def version_key(policy, content_hash: str) -> str:
    """The content hash, plus the grid registry's (grid pickers list its grids)."""
    path = policy.manifest.get("registry")
    if isinstance(path, str):
        try:
            digest = hashlib.sha256((policy.root / path).read_bytes()).hexdigest()
        except OSError:
            digest = "-"
        return f"{content_hash}+{digest}"
    return content_hash


def _compile(policy, content_hash: str) -> FormSet:
    from onegrid.forms.checks import form_problems  # checks builds on definition too

    specs, problems = resolve_forms(policy)
    problems += form_problems(policy, specs)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise PolicyError(errors)
    return FormSet({form_id: CompiledForm(spec, content_hash) for form_id, spec in specs.items()})


def validate(
    policy, form_id: str, submission: Any, lang: str = "zh"
) -> tuple[dict[str, Any], Errors]:
    """Validate one submission of form `form_id`: (clean values, errors by field)."""
    return forms_of(policy).form(form_id).validate(submission, lang)
