"""The glossary check reads a message's words, not its placeholders' names."""

from __future__ import annotations

from medlm.knowledge.glossary import load_glossary


def test_a_placeholder_named_like_a_term_is_not_checked() -> None:
    assert load_glossary("zh_CN").check("%(age)s ago", "%(age)s前") == []


def test_the_same_term_written_as_a_word_is_checked() -> None:
    (problem,) = load_glossary("zh_CN").check("age %(value)s", "%(value)s 岁")
    assert problem.term == "age" and problem.expected == "年龄"
