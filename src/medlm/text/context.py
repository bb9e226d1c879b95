"""medlm's ConText engine: negation, uncertainty, time and experiencer of concepts in a sentence.

The algorithm is ConText (Harkema et al., J Biomed Inform 2009;42:839-851): trigger phrases
assert a category over the concepts after them (forward), before them (backward) or both, up to
the end of the sentence or a termination term; pseudo-triggers look like triggers but assert
nothing. The rules live in `medlm/knowledge/text/context_rules.yaml`. medlm's own changes to
the engine: the longest trigger wins (a trigger inside a longer one is not used), ';' ends a
scope, and a section can imply attributes (see `Sectionizer.implied`).
"""

from __future__ import annotations

from dataclasses import dataclass

from medlm.knowledge.text import ContextRule, context_rules
from medlm.text.results import Assertion
from medlm.text.segment import Token, tokenize

_SCOPE_BREAK = frozenset({";"})


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger found in a sentence: token range, phrase and its rule."""

    first: int
    last: int
    phrase: str
    rule: ContextRule


class ContextEngine:
    """Assigns ConText attributes to target token ranges within one sentence."""

    def __init__(self, rules: tuple[ContextRule, ...] | None = None) -> None:
        self.rules = rules if rules is not None else context_rules()
        self._index: dict[tuple[str, ...], tuple[str, ContextRule]] = {}
        for rule in self.rules:
            for phrase in rule.phrases:
                self._index[tuple(t.lower for t in tokenize(phrase))] = (phrase, rule)
        self._longest = max((len(k) for k in self._index), default=0)

    def triggers(self, tokens: list[Token], blocked: set[int] | None = None) -> list[Trigger]:
        """Longest non-overlapping triggers, skipping tokens that belong to targets."""
        blocked = blocked or set()
        found: list[Trigger] = []
        i = 0
        while i < len(tokens):
            hit = None
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                if any(j in blocked for j in range(i, i + n)):
                    continue
                entry = self._index.get(tuple(t.lower for t in tokens[i : i + n]))
                if entry is not None:
                    hit = Trigger(i, i + n - 1, entry[0], entry[1])
                    break
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit.last + 1
        return found

    def assert_targets(
        self,
        tokens: list[Token],
        targets: list[tuple[int, int]],
        implied: tuple[str, ...] = (),
    ) -> list[Assertion]:
        """One Assertion per target `(first_token, last_token)` of this sentence."""
        blocked = {j for first, last in targets for j in range(first, last + 1)}
        triggers = self.triggers(tokens, blocked)
        stops = sorted(
            {t.first for t in triggers if t.rule.category == "terminate"}
            | {i for i, tok in enumerate(tokens) if tok.lower in _SCOPE_BREAK}
        )
        active = [t for t in triggers if t.rule.category not in {"terminate", "pseudo"}]
        return [self._assert(first, last, active, stops, implied) for first, last in targets]

    def _assert(
        self,
        first: int,
        last: int,
        triggers: list[Trigger],
        stops: list[int],
        implied: tuple[str, ...],
    ) -> Assertion:
        categories = set(implied)
        used: list[str] = []
        for trig in triggers:
            if _in_scope(trig, first, last, stops):
                categories.add(trig.rule.category)
                used.append(trig.phrase)
        experiencer = "patient"
        if "family" in categories:
            experiencer = "family"
        elif "other_experiencer" in categories:
            experiencer = "other"
        return Assertion(
            negated="negated" in categories,
            possible="possible" in categories,
            historical="historical" in categories,
            hypothetical="hypothetical" in categories,
            family="family" in categories,
            experiencer=experiencer,
            triggers=tuple(used),
        )


def _in_scope(trig: Trigger, first: int, last: int, stops: list[int]) -> bool:
    direction = trig.rule.direction or "forward"
    forward = direction in {"forward", "both"} and first > trig.last
    if forward and not any(trig.last < s < first for s in stops):
        return True
    if direction in {"backward", "both"} and last < trig.first:
        return not any(last < s < trig.first for s in stops)
    return False
