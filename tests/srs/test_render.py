"""Markdown rendering: what authors may write comes out; script never does."""

from __future__ import annotations

import random

import markdown
import pytest

from srs import render
from srs.cloze import render_cloze
from srs.render import highlight_css, image_sources, render_markdown


def served(path: str) -> str | None:
    return f"/banks/b/diagrams/{path}" if path == "diagrams/engine.svg" else None


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        '<svg onload="alert(1)"></svg>',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java&#09;script:alert(1))",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        '<p title="x" onmouseover="alert(1)">hover</p>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<form action="javascript:alert(1)"><button>go</button></form>',
    ],
)
def test_hostile_markup_never_survives(hostile: str) -> None:
    html = render_markdown(f"Before\n\n{hostile}\n\nAfter", served).lower()
    for needle in ("<script", "onerror", "onload", "onmouseover", "javascript:", "data:",
                   "<iframe", "style=", "<form", "<svg"):  # fmt: skip
        assert needle not in html, (needle, html)
    assert "before" in html


def test_known_diagram_resolves_to_its_route() -> None:
    html = render_markdown("![Docker engine](diagrams/engine.svg)", served)
    assert html == (
        '<p><img alt="Docker engine" decoding="async" loading="lazy" '
        'src="/banks/b/diagrams/diagrams/engine.svg"></p>'
    )


def test_unknown_diagram_becomes_its_alt_text() -> None:
    html = render_markdown("![lost figure](../../etc/passwd.svg)", served)
    assert html == '<p><span class="missing-diagram">lost figure</span></p>'


def test_raw_img_to_elsewhere_loses_its_source() -> None:
    html = render_markdown('<img src="https://tracker.example/p.png" alt="t">', served)
    assert "tracker" not in html


def test_links_get_safe_rel() -> None:
    html = render_markdown("[docs](https://docs.docker.com/)")
    assert html == (
        '<p><a href="https://docs.docker.com/" rel="noopener noreferrer nofollow">docs</a></p>'
    )


def test_fenced_code_is_highlighted() -> None:
    html = render_markdown("```bash\ndocker run -p 80:80 nginx\n```")
    assert html.startswith('<div class="codehilite"><pre tabindex="0">')
    assert '<span class="w"> </span>' in html


def test_a_code_block_is_reachable_by_keyboard_to_scroll_it() -> None:
    for text in ("    indented code", "```\nfenced\n```", '<pre tabindex="-1">raw</pre>'):
        assert '<pre tabindex="0">' in render_markdown(text), text
    assert '<pre tabindex="0">' in render_markdown("```\nx\n```\n![d](d.svg)", lambda p: "/d")


def test_tables_render_with_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<td align="left">1</td>' in html and '<td align="right">2</td>' in html


def test_image_sources_lists_markdown_images_only() -> None:
    text = '![a](diagrams/a.svg) text ![b](b.png "title") <img src="raw.svg">'
    assert image_sources(text) == ["diagrams/a.svg", "b.png"]


def test_cloze_front_hides_only_its_own_deletion() -> None:
    text = "{{c1::containerd}} 指挥 {{c2::runc::运行时}}"
    assert render_markdown(render_cloze(text, 2, reveal=False)) == (
        '<p>containerd 指挥 <span class="cloze cloze-blank">[运行时]</span></p>'
    )
    assert render_markdown(render_cloze(text, 1, reveal=False)) == (
        '<p><span class="cloze cloze-blank">[...]</span> 指挥 runc</p>'
    )


def test_cloze_back_marks_the_answer() -> None:
    assert render_markdown(render_cloze("{{c1::runc}} 退出", 1, reveal=True)) == (
        '<p><span class="cloze cloze-answer">runc</span> 退出</p>'
    )


def test_a_cloze_deletion_inside_code_shows_as_a_blank_in_the_code() -> None:
    """Not as its own span's HTML written out as code text."""
    text = "`docker {{c1::save}} -o a_b*.tar` 和 `docker {{c2::load}} -i <x>`"
    assert render_markdown(render_cloze(text, 1, reveal=False)) == (
        '<p><code>docker <span class="cloze cloze-blank">[...]</span> -o a_b*.tar</code>'
        " 和 <code>docker load -i &lt;x&gt;</code></p>"
    )
    assert render_markdown(render_cloze(text, 2, reveal=True)) == (
        "<p><code>docker save -o a_b*.tar</code> 和 <code>docker"
        ' <span class="cloze cloze-answer">load</span> -i &lt;x&gt;</code></p>'
    )
    # A deletion's own code, and code beside a deletion, are Markdown's as before.
    assert render_markdown(render_cloze("{{c1::`-a`}} `x`", 1, reveal=True)) == (
        '<p><span class="cloze cloze-answer"><code>-a</code></span> <code>x</code></p>'
    )


def test_cloze_hint_is_escaped() -> None:
    assert "<b>" not in render_cloze("{{c1::a::<b>hint</b>}}", 1, reveal=False)


def test_cloze_answer_with_markup_is_still_sanitised() -> None:
    html = render_markdown(render_cloze("{{c1::<img src=x onerror=alert(1)>}}", 1, reveal=True))
    assert "onerror" not in html


def test_highlight_css_has_a_dark_variant_for_each_way_to_dark() -> None:
    css = highlight_css()
    assert ".codehilite .k {" in css
    assert ':root[data-theme="dark"] .codehilite .k {' in css
    system = css[css.index("@media (prefers-color-scheme: dark)") :]
    assert ':root[data-theme="auto"] .codehilite .k {' in system


_CODE_BLOCKS = [
    "```sh\ndocker run --rm -it alpine sh\n```",
    '```{.python hl_lines="2"}\nx = 1\ny = 2\n```',
    '```{.python hl_lines="1 2"}\nx = 1\ny = 2\n```',
    "```python\nx = 1\ny = 2\n```",
    "```\nno language\n```",
    "```nosuchlanguage\nx\n```",
    "Text first.\n\n    an indented\n    code block",
    "```sh\necho one\n```\n\n```sh\necho two\n```",
]


def test_code_highlights_as_codehilite_alone_would() -> None:
    """One formatter per set of options serves every block, with the bytes of a new one."""
    stock = markdown.Markdown(
        extensions=["fenced_code", "codehilite"],
        extension_configs={"codehilite": {"guess_lang": False, "css_class": "codehilite"}},
        output_format="html",
    )
    for text in _CODE_BLOCKS + _CODE_BLOCKS[::-1]:
        assert render._convert(text, lambda path: None) == stock.reset().convert(text), text


def test_highlighted_lines_stay_with_their_block() -> None:
    marked = '```{.python hl_lines="1"}\nx = 1\n```'
    plain = "```python\nx = 1\n```"
    for _ in range(2):
        assert '<span class="hll">' in render_markdown(marked)
        assert '<span class="hll">' not in render_markdown(plain)


def _texts(rng: random.Random) -> list[str]:
    """Short lines of letters, digits and punctuation, half of them with one of Markdown's
    own characters (or a space, a break or a character the sanitiser escapes) inside."""
    common = list("aZé中文，？：（）0123456789 .,;:?'\"()%/@$^+=")
    rare = list("_-*#&<>`[]!|~\\\t\n\u00a0\u3000")
    texts = []
    for _ in range(3000):
        chars = [rng.choice(common) for _ in range(rng.randrange(0, 24))]
        if rng.random() < 0.5:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(rare))
        texts.append(rng.choice("abcXYZéß中文容器") + "".join(chars))
    return texts


def test_plain_lines_render_as_the_parser_renders_them() -> None:
    """The shortcut for plain lines gives exactly what Markdown and the sanitiser give."""
    texts = _texts(random.Random(20261127))
    texts += ['Tom\'s "quote" (here)', "A. first", "x = y + z; 50% off", "用户/组：容器？"]
    plain = [text for text in texts if render._is_plain(text)]
    assert len(plain) > 1000
    for text in plain:
        assert render_markdown(text) == render._sanitise(render._convert(text, lambda p: None))
    for text in ("1. one", "a_b", "a  b", "a ", "a & b", "a <b>", "a\nb", "a\u00a0b", "a\u3000"):
        assert not render._is_plain(text), text


def test_text_without_images_renders_alike_for_every_resolver() -> None:
    text = 'See `docker ps` and <img src="diagrams/engine.svg">.'
    assert render_markdown(text, served) == render_markdown(text) == render_markdown(text, None)
    assert "src=" not in render_markdown(text, served)
