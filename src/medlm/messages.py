"""Structured messages: each generated clinical sentence as a template id plus its parameters.

A `MessageTemplate` is one English sentence with `%(name)s` placeholders (a lone `%` is literal),
declared as a constant next to the rule that produces it (the safety checks, the guideline
branches, the reasons of a risk model), or read from the knowledge file that carries the text
(a module's `message_templates()`, e.g. the populations of datasets/populations.yaml). Calling
it with the parameters gives a `Message`: the English text (byte-identical to what the producer
wrote before templates existed) and a `MessageRef` (`id` + `params`), which results carry in
their `message` fields so that a page can render the same sentence in another language.
Translations live in the message catalogues (`medlm/locales/`), keyed by the template id as
`msgctxt` and the English text as `msgid`; rendering in a locale is `medlm.i18n.message_parts`.
This module does not know about locales.

Parameters are numbers (formatted by the template's `numbers` spec in English, per locale
elsewhere), clinical terms (`terms`: a drug ingredient, a condition, a risk-model input; looked up
in the locale's glossary, else shown in English), quoted English text (`quoted`: a cited rule's
wording, a medication's text from the record; never translated), nested messages, or other
strings shown as they are (a lab value with its comparator, a gene name).
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "TEMPLATE_MODULES",
    "Message",
    "MessageRef",
    "MessageTemplate",
    "ParamValue",
    "empty",
    "joined_with_and",
    "joined_with_commas",
    "joined_with_semicolons",
    "template",
    "templates",
    "term",
]

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# The modules that declare MessageTemplate constants (a test checks none is left out).
TEMPLATE_MODULES = (
    "medlm.explain.contributions",
    "medlm.risk.population",
    "medlm.treatment.interactions",
    "medlm.treatment.safety",
    "medlm.treatment.pgx",
    "medlm.treatment.who_eml",
    "medlm.treatment.guidelines",
    "medlm.treatment.guidelines.diabetes",
    "medlm.treatment.recommender",
    "medlm.treatment.lipids",
    "medlm.treatment.guidelines.hypertension",
    "medlm.treatment.guidelines.bp_readings",
    "medlm.treatment.guidelines.ckd",
    "medlm.treatment.guidelines.heart_failure",
    "medlm.treatment.guidelines.af",
    "medlm.treatment.guidelines.scores",
    "medlm.treatment.oncology",
    "medlm.web.components.chart_results",
)


class MessageRef(BaseModel):
    """A generated sentence as data: its template id and the values that fill it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Template id, e.g. 'treatment.safety.renal'.")
    params: dict[str, ParamValue] = Field(default_factory=dict)


ParamValue = str | float | int | MessageRef
MessageRef.model_rebuild()


class Message(BaseModel):
    """A filled template: the English text and the reference that can render it elsewhere."""

    model_config = ConfigDict(frozen=True)

    text: str
    ref: MessageRef


class MessageTemplate(BaseModel):
    """One English sentence with `%(name)s` placeholders and how each parameter is shown."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    text: str
    numbers: dict[str, str] = Field(
        default_factory=dict, description="Parameter -> Python format spec (default 'g')."
    )
    terms: tuple[str, ...] = Field(default=(), description="Parameters that are clinical terms.")
    quoted: tuple[str, ...] = Field(default=(), description="Parameters kept in English.")

    @model_validator(mode="after")
    def _declared_params_are_placeholders(self) -> MessageTemplate:
        unknown = (set(self.numbers) | set(self.terms) | set(self.quoted)) - self.placeholders()
        if unknown:
            raise ValueError(f"template {self.id}: {sorted(unknown)} are not placeholders")
        return self

    @property
    def neutral(self) -> bool:
        """True when the text has no words of its own (only placeholders and punctuation): it
        reads the same in every locale and needs no catalogue entry."""
        return not re.search(r"[^\W\d_]", PLACEHOLDER.sub("", self.text))

    def placeholders(self) -> set[str]:
        """The parameter names the English text uses."""
        return set(PLACEHOLDER.findall(self.text))

    def spec(self, name: str, value: float | int) -> str:
        """The format spec of numeric parameter `name` ('g' for floats, 'd' for ints)."""
        return self.numbers.get(name, "d" if isinstance(value, int) else "g")

    def __call__(self, **params: ParamValue | Message) -> Message:
        """The English text and reference for these parameters (every placeholder, no other)."""
        if set(params) != self.placeholders():
            raise ValueError(
                f"template {self.id}: parameters {sorted(params)} do not match its "
                f"placeholders {sorted(self.placeholders())}"
            )
        english: dict[str, str] = {}
        refs: dict[str, ParamValue] = {}
        for name, value in params.items():
            if isinstance(value, Message):
                english[name], refs[name] = value.text, value.ref
            elif isinstance(value, float | int) and not isinstance(value, bool):
                english[name], refs[name] = format(value, self.spec(name, value)), value
            else:
                english[name], refs[name] = str(value), str(value)
        text = PLACEHOLDER.sub(lambda m: english[m[1]], self.text)
        return Message(text=text, ref=MessageRef(id=self.id, params=refs))


EMPTY = MessageTemplate(id="empty", text="")
TERM = MessageTemplate(id="term", text="%(term)s", terms=("term",))
AND = MessageTemplate(id="list.and", text="%(first)s and %(second)s")
THEN = MessageTemplate(id="list.then", text="%(first)s; %(second)s")
COMMA = MessageTemplate(id="list.comma", text="%(first)s, %(second)s")
GENERIC = (EMPTY, TERM, AND, THEN, COMMA)


def empty() -> Message:
    """An optional part left out: empty English text (rendered as nothing in every locale)."""
    return EMPTY()


def term(text: str) -> Message:
    """A clinical term on its own (for lists of terms): the glossary's rendering elsewhere."""
    return TERM(term=text)


def joined_with_and(items: list[Message]) -> Message:
    """'a and b and c', as the producers join their lists (each part still a message)."""
    out = items[0]
    for item in items[1:]:
        out = AND(first=out, second=item)
    return out


def joined_with_semicolons(items: list[Message]) -> Message:
    """'a; b; c' (each part still a message)."""
    out = items[0]
    for item in items[1:]:
        out = THEN(first=out, second=item)
    return out


def joined_with_commas(items: list[Message]) -> Message:
    """'a, b, c' (each part still a message)."""
    out = items[0]
    for item in items[1:]:
        out = COMMA(first=out, second=item)
    return out


@cache
def templates() -> dict[str, MessageTemplate]:
    """Every template of `TEMPLATE_MODULES` (module constants, dicts of them, and what a
    module's `message_templates()` returns), by id (ids unique)."""
    found: dict[str, MessageTemplate] = {t.id: t for t in GENERIC}
    for name in TEMPLATE_MODULES:
        module: Any = importlib.import_module(name)
        for value in vars(module).values():
            # a constant, or a table of them (a dict of templates keyed by decision)
            for item in value.values() if isinstance(value, dict) else [value]:
                if isinstance(item, MessageTemplate) and item not in GENERIC:
                    _add(found, item)
        for value in getattr(module, "message_templates", list)():
            _add(found, value)
    return found


def _add(found: dict[str, MessageTemplate], value: MessageTemplate) -> None:
    if value.id in found and found[value.id] != value:
        raise ValueError(f"template id {value.id!r} is declared twice")
    found[value.id] = value


def template(template_id: str) -> MessageTemplate:
    """The template with this id; KeyError naming it when no module declares it."""
    try:
        return templates()[template_id]
    except KeyError:
        raise KeyError(f"no message template {template_id!r}") from None
