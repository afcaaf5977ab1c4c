"""The few words a card shows beside its bank's own texts (true and false, "Choose N.",
"Put these in order.", what a typed answer in Anki counts as right), in the bank's
language, so that a Chinese card does not answer in English whatever the page's language.
Where the bank's language is not one of these, the pages word them in their own language and
the Anki export in English.
"""

from __future__ import annotations

__all__ = ["BankWords", "bank_words", "every_language", "speaks"]


class BankWords(dict[str, str]):
    """The words of one language, by what they say: ``true``, ``false``, ``choose`` (with
    ``{n}``), ``order``, ``also_right`` (before a typed answer's other right answers),
    ``typed_exact`` (that Anki compares a typed answer letter for letter, marking any
    difference red, and which answers the learner should count right) and
    ``typed_exact_others`` (the same, for an answer with others listed below it)."""

    def choose(self, count: int) -> str:
        """The hint of a question with ``count`` right choices."""
        return self["choose"].format(n=count)


_WORDS = {
    "en": BankWords(
        true="True",
        false="False",
        choose="Choose {n}.",
        order="Put these in order.",
        also_right="Also right:",
        typed_exact=(
            "Anki compares letter for letter and marks any difference red. If your answer "
            "differs only in case, width or spaces, count it right (press Good)."
        ),
        typed_exact_others=(
            "Anki compares letter for letter and marks any difference red. If your answer "
            "differs only in case, width or spaces, or is one of the answers below, count it "
            "right (press Good)."
        ),
    ),
    "zh": BankWords(
        true="正确",
        false="错误",
        choose="选出 {n} 项。",
        order="把这些排好顺序。",
        also_right="以下答案也算对：",
        typed_exact=(
            "Anki 逐字比对，有任何不同都会标红。如果你的答案只在大小写、全角半角或空格上不同，"
            "请算作答对（按“良好”）。"
        ),
        typed_exact_others=(
            "Anki 逐字比对，有任何不同都会标红。如果你的答案只在大小写、全角半角或空格上不同，"
            "或是下面列出的答案之一，请算作答对（按“良好”）。"
        ),
    ),
}


def _base(language: str | None) -> str:
    return (language or "").replace("_", "-").split("-")[0].lower()


def speaks(language: str | None) -> bool:
    """Whether the words of ``language`` (a tag such as ``zh-CN``) are known."""
    return _base(language) in _WORDS


def bank_words(language: str | None) -> BankWords:
    """The words of a bank written in ``language``; English when it is unknown."""
    return _WORDS.get(_base(language), _WORDS["en"])


def every_language() -> list[BankWords]:
    """The words of every language known here (to read back a card's words)."""
    return list(_WORDS.values())
