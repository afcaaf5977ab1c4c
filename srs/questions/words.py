"""The few words a card shows beside its bank's own texts (true and false, "Choose N.",
"Put these in order."), in the bank's language, so that a Chinese card does not answer in
English whatever the page's language. Where the bank's language is not one of these, the
pages word them in their own language and the Anki export in English.
"""

from __future__ import annotations

__all__ = ["BankWords", "bank_words", "speaks"]


class BankWords(dict[str, str]):
    """The words of one language, by what they say: ``true``, ``false``, ``choose`` (with
    ``{n}``), ``order``."""

    def choose(self, count: int) -> str:
        """The hint of a question with ``count`` right choices."""
        return self["choose"].format(n=count)


_WORDS = {
    "en": BankWords(true="True", false="False", choose="Choose {n}.", order="Put these in order."),
    "zh": BankWords(true="正确", false="错误", choose="选出 {n} 项。", order="把这些排好顺序。"),
}


def _base(language: str | None) -> str:
    return (language or "").replace("_", "-").split("-")[0].lower()


def speaks(language: str | None) -> bool:
    """Whether the words of ``language`` (a tag such as ``zh-CN``) are known."""
    return _base(language) in _WORDS


def bank_words(language: str | None) -> BankWords:
    """The words of a bank written in ``language``; English when it is unknown."""
    return _WORDS.get(_base(language), _WORDS["en"])
