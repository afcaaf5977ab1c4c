"""A corpus of hostile banks: each a set of files and the problem a reader must report.

Each case names the file, line and column of the first problem expected and a part of its
message, relative to the bank's folder, so that the command line (``/tmp/x/case/bank.yaml``)
and the upload (``case.zip:bank.yaml``, ``case.yaml``) can each be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CORPUS", "GOOD_BANK", "HostileBank"]

GOOD_BANK = b"id: x\ntitle: X\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
_HEAD = "id: x\ntitle: X\nquestions:\n"
_QUESTION = "  - {id: q, type: basic, prompt: p, answer: a}\n"
_SVG = "http://www.w3.org/2000/svg"


def _bank(*questions: str) -> bytes:
    return (_HEAD + "".join(f"  - {q}\n" for q in questions)).encode()


def _explained(reference: str) -> bytes:
    return _bank(f"{{id: q, type: basic, prompt: p, answer: a, explanation: '![d]({reference})'}}")


def _with_diagram(svg: str) -> dict[str, bytes]:
    return {
        "bank.yaml": _explained("diagrams/d.svg"),
        "diagrams/d.svg": svg.encode(),
    }


@dataclass(frozen=True)
class HostileBank:
    """A bad bank and the first problem it must be refused with."""

    name: str
    kind: str  # syntax, types, tags, aliases, huge, binary, nesting, paths, diagrams, keys
    files: dict[str, bytes]
    file: str  # the file at fault, relative to the bank
    line: int
    column: int
    message: str  # a part of the message

    @property
    def single_file(self) -> bool:
        """Whether the bank can be uploaded as one .yaml too: one file, with no diagrams."""
        return list(self.files) == ["bank.yaml"] and self.kind != "paths"


_BILLION_LAUGHS = (
    _HEAD
    + '  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"  - &{b} [*{a},*{a},*{a},*{a},*{a},*{a},*{a},*{a},*{a}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
).encode()


# Fence attributes Python-Markdown would hand to Pygments, each of which failed when a card
# was shown or changed what was written; and attributes that are no option at all.
FENCE_OPTIONS = (
    "linenostep=0", "linenostart=abc", "tagsfile=/etc/passwd", "filters=raiseonerror",
    "pygments_style=nope", "pygments_formatter=img", "full=true", "cssfile=/tmp/x.css",
    "hl_lines=x", "hl_lines=99999999999999999999", "linenums=true", "noclasses=true",
    "use_pygments=false", "lang_prefix=x", "css_class=overlay", "style=monokai",
    "encoding=rot13", "stripnl=false", "tabsize=-1", "wrapcode=true", "#top", ".overlay",
)  # fmt: skip


def _fenced(option: str) -> HostileBank:
    key = "id" if option.startswith("#") else option.split("=")[0]
    prompt = f'"```{{.python {option}}}\\nx = 1\\n```"'
    return HostileBank(f"fence-{key.lstrip('.')}-{len(option)}", "rendering",
                       {"bank.yaml": _bank(f"{{id: q, type: basic, prompt: {prompt}, answer: a}}")},
                       "bank.yaml", 4, 34, f"'prompt' code block option '{key}' is not allowed")  # fmt: skip


_HUGE = "9" * 5000

CORPUS: list[HostileBank] = [
    # -- syntax
    HostileBank("unclosed-flow", "syntax", {"bank.yaml": b"id: x\ntitle: [unclosed\nquestions: []\n"},
                "bank.yaml", 3, 10, "did not find expected ',' or ']'"),
    HostileBank("tab-indent", "syntax", {"bank.yaml": b"id: x\ntitle: X\nquestions:\n\t- {id: q}\n"},
                "bank.yaml", 4, 1, "found character that cannot start any token"),
    HostileBank("colon-in-value", "syntax", {"bank.yaml": b"id: x\ntitle: a: b\n"},
                "bank.yaml", 2, 9, "mapping values are not allowed"),
    HostileBank("two-documents", "syntax", {"bank.yaml": _bank("{id: q, type: basic, prompt: p, answer: a}") + b"---\nid: y\n"},
                "bank.yaml", 5, 1, "only one YAML document is allowed"),
    HostileBank("empty-file", "syntax", {"bank.yaml": b""},
                "bank.yaml", 1, 1, "expected a mapping with the bank's keys"),
    HostileBank("top-level-list", "syntax", {"bank.yaml": b"- id: x\n- title: X\n"},
                "bank.yaml", 1, 1, "expected a mapping with the bank's keys"),
    # -- types
    HostileBank("title-is-a-list", "types", {"bank.yaml": GOOD_BANK.replace(b"title: X", b"title: [a, b]")},
                "bank.yaml", 2, 8, "'title' must be text, not a list or mapping"),
    HostileBank("questions-is-text", "types", {"bank.yaml": b"id: x\ntitle: X\nquestions: lots\n"},
                "bank.yaml", 3, 12, "'questions' must be a list"),
    HostileBank("question-is-text", "types", {"bank.yaml": _bank("just a string")},
                "bank.yaml", 4, 5, "must be a mapping"),
    HostileBank("truefalse-yes", "types", {"bank.yaml": _bank("{id: q, type: truefalse, prompt: p, correct: 'yes'}")},
                "bank.yaml", 4, 50, "'correct' must be true or false"),
    HostileBank("choice-out-of-range", "types", {"bank.yaml": _bank("{id: q, type: choice, prompt: p, choices: [a, b], correct: 5}")},
                "bank.yaml", 4, 64, "'correct' index 5 is out of range"),
    HostileBank("choice-huge-int", "types", {"bank.yaml": _bank("{id: q, type: choice, prompt: p, choices: [a, b], correct: 99999999999999999999999999}")},
                "bank.yaml", 4, 64, "is out of range"),
    HostileBank("choice-negative", "types", {"bank.yaml": _bank("{id: q, type: choice, prompt: p, choices: [a, b], correct: -1}")},
                "bank.yaml", 4, 64, "'correct' index -1 is out of range"),
    HostileBank("choice-infinity", "types", {"bank.yaml": _bank("{id: q, type: choice, prompt: p, choices: [a, b], correct: .inf}")},
                "bank.yaml", 4, 64, "'correct' must be a 0-based index"),
    HostileBank("prompt-is-a-mapping", "types", {"bank.yaml": _bank("{id: q, type: basic, prompt: {a: 1}, answer: a}")},
                "bank.yaml", 4, 34, "'prompt' must be text, not a list or mapping"),
    HostileBank("answer-is-null", "types", {"bank.yaml": _bank("{id: q, type: basic, prompt: p, answer: ~}")},
                "bank.yaml", 4, 45, "'answer' is empty"),
    HostileBank("tags-is-text", "types", {"bank.yaml": _bank("{id: q, type: basic, prompt: p, answer: a, tags: x}")},
                "bank.yaml", 4, 54, "'tags' must be a list"),
    HostileBank("unknown-type", "types", {"bank.yaml": _bank("{id: q, type: essay, prompt: p, answer: a}")},
                "bank.yaml", 4, 19, "'type' 'essay' is not one of"),
    HostileBank("empty-cloze", "types", {"bank.yaml": _bank("{id: q, type: cloze, text: 'x {{c1:: }}'}")},
                "bank.yaml", 4, 32, "cloze c1 has an empty answer"),
    # -- keys and ids
    HostileBank("repeated-key", "keys", {"bank.yaml": _bank("{id: q, type: basic, prompt: p, prompt: p2, answer: a}")},
                "bank.yaml", 4, 37, "repeated key 'prompt'"),
    HostileBank("unknown-key", "keys", {"bank.yaml": _bank("{id: q, type: basic, prompt: p, answer: a, anwser: b}")},
                "bank.yaml", 4, 48, "unknown key 'anwser' (did you mean 'answer'?)"),
    HostileBank("merge-key", "keys", {"bank.yaml": _bank("{id: q, type: basic, prompt: p, answer: a, <<: {x: 1}}")},
                "bank.yaml", 4, 48, "unknown key '<<'"),
    HostileBank("bank-id-path", "keys", {"bank.yaml": GOOD_BANK.replace(b"id: x", b"id: ../../etc", 1)},
                "bank.yaml", 1, 5, "'id' '../../etc' must be lowercase letters"),
    HostileBank("question-id-twice", "keys", {"bank.yaml": _bank(_QUESTION.strip()[2:], _QUESTION.strip()[2:])},
                "bank.yaml", 5, 10, "'id' is used twice"),
    # -- tags
    HostileBank("python-object", "tags", {"bank.yaml": _bank("{id: q, type: basic, prompt: !!python/object/apply:os.system ['touch pwned'], answer: a}")},
                "bank.yaml", 4, 34, "tag '!!python/object/apply:os.system' is not allowed"),
    HostileBank("python-name", "tags", {"bank.yaml": _bank("{id: q, type: basic, prompt: !!python/name:os.system '', answer: a}")},
                "bank.yaml", 4, 34, "tag '!!python/name:os.system' is not allowed"),
    HostileBank("binary-tag", "tags", {"bank.yaml": _bank("{id: q, type: basic, prompt: !!binary aGk=, answer: a}")},
                "bank.yaml", 4, 34, "tag '!!binary' is not allowed"),
    HostileBank("set-tag", "tags", {"bank.yaml": _bank("{id: q, type: basic, prompt: !!set {a}, answer: a}")},
                "bank.yaml", 4, 34, "tag '!!set' is not allowed"),
    HostileBank("local-tag", "tags", {"bank.yaml": _bank("{id: q, type: basic, prompt: !evil x, answer: a}")},
                "bank.yaml", 4, 34, "tag '!evil' is not allowed"),
    # -- aliases
    HostileBank("anchor-and-alias", "aliases", {"bank.yaml": _bank("&a {id: q, type: basic, prompt: p, answer: a}", "*a")},
                "bank.yaml", 4, 5, "anchor '&a': anchors and aliases are not allowed"),
    HostileBank("billion-laughs", "aliases", {"bank.yaml": _BILLION_LAUGHS},
                "bank.yaml", 4, 5, "anchor '&a': anchors and aliases are not allowed"),
    # -- huge
    HostileBank("over-5-mb", "huge", {"bank.yaml": GOOD_BANK + b"#" + b"x" * (5 * 1024 * 1024) + b"\n"},
                "bank.yaml", 1, 1, "bytes; the limit is 5,242,880 bytes"),
    HostileBank("diagram-over-5-mb", "huge", {"bank.yaml": _explained("diagrams/d.png"), "diagrams/d.png": b"\x89PNG" + b"\0" * (5 * 1024 * 1024)},
                "diagrams/d.png", 1, 1, "bytes; the limit is 5,242,880 bytes"),
    # -- binary
    HostileBank("latin-1", "binary", {"bank.yaml": GOOD_BANK + b"# caf\xe9\n"},
                "bank.yaml", 5, 6, "not UTF-8 text (byte 0xe9)"),
    HostileBank("utf-16", "binary", {"bank.yaml": GOOD_BANK.decode().encode("utf-16")},
                "bank.yaml", 1, 1, "not UTF-8 text (byte 0xff)"),
    HostileBank("nul-byte", "binary", {"bank.yaml": GOOD_BANK + b"# \x00\n"},
                "bank.yaml", 5, 3, "character U+0000 is not allowed in YAML"),
    HostileBank("escape-character", "binary", {"bank.yaml": GOOD_BANK.replace(b"prompt: p", b"prompt: \x1b[31mp")},
                "bank.yaml", 4, 34, "character U+001B is not allowed in YAML"),
    HostileBank("every-byte", "binary", {"bank.yaml": bytes(range(256)) * 4},
                "bank.yaml", 2, 118, "not UTF-8 text (byte 0x80)"),
    HostileBank("png-as-yaml", "binary", {"bank.yaml": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"},
                "bank.yaml", 1, 1, "not UTF-8 text (byte 0x89)"),
    # -- characters no database column can keep, written with YAML's escapes
    HostileBank("nul-in-title", "unstorable", {"bank.yaml": GOOD_BANK.replace(b"title: X", b'title: "n\\0ul"')},
                "bank.yaml", 2, 8, "key 'title': character U+0000 cannot be stored in a bank"),
    HostileBank("nul-in-prompt", "unstorable", {"bank.yaml": _bank('{id: q, type: basic, prompt: "p\\0", answer: a}')},
                "bank.yaml", 4, 34, "key 'prompt': character U+0000 cannot be stored"),
    HostileBank("nul-in-choice", "unstorable", {"bank.yaml": _bank('{id: q, type: choice, prompt: p, choices: [a, "b\\x00"], correct: 0}')},
                "bank.yaml", 4, 51, "key 'choices': character U+0000 cannot be stored"),
    HostileBank("nul-in-tag", "unstorable", {"bank.yaml": _bank('{id: q, type: basic, prompt: p, answer: a, tags: [x, "y\\0"]}')},
                "bank.yaml", 4, 58, "key 'tags': character U+0000 cannot be stored"),
    HostileBank("nul-in-section-title", "unstorable", {"bank.yaml": b'id: x\ntitle: X\nsections:\n  - {id: s, title: "s\\0"}\n' + GOOD_BANK[GOOD_BANK.index(b"questions"):]},
                "bank.yaml", 4, 20, "key 'title': character U+0000 cannot be stored"),
    HostileBank("nul-in-a-key", "unstorable", {"bank.yaml": _bank('{id: q, type: basic, prompt: p, answer: a, "x\\0": 1}')},
                "bank.yaml", 4, 48, "a key: character U+0000 cannot be stored"),
    # -- nesting
    HostileBank("deep-lists", "nesting", {"bank.yaml": b"id: x\ntitle: X\nquestions: " + b"[" * 5000 + b"]" * 5000 + b"\n"},
                "bank.yaml", 3, 43, "nesting deeper than 32 levels"),
    HostileBank("deep-mappings", "nesting", {"bank.yaml": b"id: x\ntitle: X\nquestions: " + b"{a: " * 3000 + b"1" + b"}" * 3000 + b"\n"},
                "bank.yaml", 3, 136, "nesting deeper than 32 levels"),
    # -- paths
    HostileBank("dot-dot", "paths", {"bank.yaml": _explained("../outside.svg")},
                "bank.yaml", 4, 61, "diagram '../outside.svg' leaves the bank's folder"),
    HostileBank("dot-dot-inside", "paths", {"bank.yaml": _explained("diagrams/../../outside.svg")},
                "bank.yaml", 4, 61, "leaves the bank's folder"),
    HostileBank("url-encoded-dot-dot", "paths", {"bank.yaml": _explained("diagrams/%2e%2e/%2e%2e/outside.svg")},
                "bank.yaml", 4, 61, "leaves the bank's folder"),
    HostileBank("absolute-path", "paths", {"bank.yaml": _explained("/etc/passwd.svg")},
                "bank.yaml", 4, 61, "must be a path relative to the bank's folder"),
    HostileBank("file-url", "paths", {"bank.yaml": _explained("file:///etc/passwd")},
                "bank.yaml", 4, 61, "must be a path relative to the bank's folder"),
    HostileBank("remote-url", "paths", {"bank.yaml": _explained("https://evil.example/d.svg")},
                "bank.yaml", 4, 61, "must be a path relative to the bank's folder"),
    HostileBank("backslashes", "paths", {"bank.yaml": _explained("diagrams\\\\..\\\\..\\\\outside.svg")},
                "bank.yaml", 4, 61, "must use '/' between folders"),
    HostileBank("not-an-image", "paths", {"bank.yaml": _explained("bank.yaml")},
                "bank.yaml", 4, 61, "diagram 'bank.yaml' is not an image"),
    HostileBank("missing-diagram", "paths", {"bank.yaml": _explained("diagrams/gone.svg")},
                "bank.yaml", 4, 61, "diagram 'diagrams/gone.svg' not found in"),
    # -- diagrams
    HostileBank("svg-script", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}">\n<script>alert(1)</script></svg>'),
                "diagrams/d.svg", 2, 1, "SVG diagrams may not carry script: <script> element"),
    HostileBank("svg-script-namespaced", "diagrams", _with_diagram(f'<s:svg xmlns:s="{_SVG}"><s:SCRIPT>alert(1)</s:SCRIPT></s:svg>'),
                "diagrams/d.svg", 1, 45, "<script> element"),
    HostileBank("svg-onload", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}" onload="alert(1)"/>'),
                "diagrams/d.svg", 1, 1, "'onload' handler"),
    HostileBank("svg-javascript-href", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><a href="jav&#x09;ascript:alert(1)"><text>x</text></a></svg>'),
                "diagrams/d.svg", 1, 41, "'href' URL"),
    HostileBank("svg-foreign-object", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><foreignObject><img src="x" onerror="alert(1)"/></foreignObject></svg>'),
                "diagrams/d.svg", 1, 41, "<foreignobject> element"),
    HostileBank("svg-outside-image", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><image href="https://evil.example/x.png"/></svg>'),
                "diagrams/d.svg", 1, 41, "may not refer outside themselves"),
    HostileBank("svg-external-entity", "diagrams", _with_diagram(f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<svg xmlns="{_SVG}"><text>&x;</text></svg>'),
                "diagrams/d.svg", 1, 15, "may not have a DOCTYPE: '<!DOCTYPE svg'"),
    HostileBank("svg-entity-bomb", "diagrams", _with_diagram(f'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<svg xmlns="{_SVG}"><text>&b;</text></svg>'),
                "diagrams/d.svg", 1, 15, "may not have a DOCTYPE: '<!DOCTYPE svg'"),
    HostileBank("svg-not-xml", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><g></svg>'),
                "diagrams/d.svg", 1, 46, "not a well-formed SVG: mismatched tag"),
    # -- numbers without bound
    HostileBank("cloze-over-2-63", "numbers", {"bank.yaml": _bank("{id: q, type: cloze, text: 'x {{c99999999999999999999::y}}'}")},
                "bank.yaml", 4, 32, "cloze number c999999999999… is over c999"),
    HostileBank("cloze-1000", "numbers", {"bank.yaml": _bank("{id: q, type: cloze, text: 'x {{c1000::y}}'}")},
                "bank.yaml", 4, 32, "cloze number c1000 is over c999"),
    HostileBank("cloze-5000-digits", "numbers", {"bank.yaml": _bank(f"{{id: q, type: cloze, text: 'x {{{{c{_HUGE}::y}}}}'}}")},
                "bank.yaml", 4, 32, "is over c999, the highest"),
    HostileBank("correct-5000-digits", "numbers", {"bank.yaml": _bank(f"{{id: q, type: choice, prompt: p, choices: [a, b], correct: {_HUGE}}}")},
                "bank.yaml", 4, 64, "'correct' index 99999999999999999999… is out of range"),
    HostileBank("correct-list-5000-digits", "numbers", {"bank.yaml": _bank(f"{{id: q, type: choice, prompt: p, choices: [a, b], correct: [0, -{_HUGE}]}}")},
                "bank.yaml", 4, 68, "is out of range"),
    HostileBank("correct-hex-huge", "numbers", {"bank.yaml": _bank("{id: q, type: choice, prompt: p, choices: [a, b], correct: 0x" + "f" * 4000 + "}")},
                "bank.yaml", 4, 64, "is out of range"),
    HostileBank("correct-sexagesimal", "numbers", {"bank.yaml": _bank("{id: q, type: choice, prompt: p, choices: [a, b], correct: " + ":".join(["59"] * 2000) + "}")},
                "bank.yaml", 4, 64, "is out of range"),
    # -- text that passes the format but would fail when a card is shown
    *(_fenced(option) for option in FENCE_OPTIONS),
    HostileBank("fence-in-a-choice", "rendering", {"bank.yaml": _bank('{id: q, type: choice, prompt: p, choices: [a, "```{.sh filters=raiseonerror}\\nx\\n```"], correct: 0}')},
                "bank.yaml", 4, 51, "'choices[1]' code block option 'filters' is not allowed"),
    HostileBank("fence-in-an-explanation", "rendering", {"bank.yaml": _bank('{id: q, type: basic, prompt: p, answer: a, explanation: "```{.sh linenostart=abc}\\nx\\n```"}')},
                "bank.yaml", 4, 61, "'explanation' code block option 'linenostart'"),
    HostileBank("fence-in-a-cloze", "rendering", {"bank.yaml": _bank('{id: q, type: cloze, text: "{{c1::x}}\\n\\n```{.sh tagsfile=/etc/passwd}\\nx\\n```"}')},
                "bank.yaml", 4, 32, "'text' code block option 'tagsfile'"),
    # -- diagrams that animate, or load or link from outside
    HostileBank("svg-set-href", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><a><set attributeName="href" to="https://evil.example"/><text>x</text></a></svg>'),
                "diagrams/d.svg", 1, 44, "may not be animated: <set> element"),
    HostileBank("svg-set-xlink-href", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><a><set attributeName="xlink:href" to="https://evil.example"/></a></svg>'),
                "diagrams/d.svg", 1, 44, "may not be animated: <set> element"),
    HostileBank("svg-animate-href", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><a><animate attributeName="href" values="https://evil.example"/></a></svg>'),
                "diagrams/d.svg", 1, 44, "may not be animated: <animate> element"),
    HostileBank("svg-animate-onclick", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><rect><animate attributeName="onclick" values="alert(1)"/></rect></svg>'),
                "diagrams/d.svg", 1, 47, "may not be animated: <animate> element"),
    HostileBank("svg-animate-transform", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><animateTransform attributeName="transform" type="scale" to="99"/></svg>'),
                "diagrams/d.svg", 1, 41, "may not be animated: <animatetransform> element"),
    HostileBank("svg-animate-motion", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><animateMotion path="M0 0"/></svg>'),
                "diagrams/d.svg", 1, 41, "may not be animated: <animatemotion> element"),
    HostileBank("svg-a-external", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="https://evil.example"><text>x</text></a></svg>'),
                "diagrams/d.svg", 1, 80, "may not refer outside themselves: 'href'"),
    HostileBank("svg-use-external", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><use href="https://evil.example/s.svg#x"/></svg>'),
                "diagrams/d.svg", 1, 41, "may not refer outside themselves: 'href'"),
    HostileBank("svg-image-data", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><image href="data:image/svg+xml,&lt;svg/&gt;"/></svg>'),
                "diagrams/d.svg", 1, 41, "may not refer outside themselves: 'href'"),
    HostileBank("svg-style-url", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><style>rect {{ fill: URL( "https://evil.example/p" ) }}</style></svg>'),
                "diagrams/d.svg", 1, 94, "may not load from outside: 'url(https://evil.example/p)'"),
    HostileBank("svg-style-import", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><style>@import "https://evil.example/a.css";</style></svg>'),
                "diagrams/d.svg", 1, 85, "may not load from outside: '@import' is not allowed"),
    HostileBank("svg-style-escaped-url", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><style>rect {{ fill: u\\72l(https://evil.example) }}</style></svg>'),
                "diagrams/d.svg", 1, 90, "CSS escapes"),
    HostileBank("svg-style-attribute-url", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><rect style="background: url(//evil.example/p)"/></svg>'),
                "diagrams/d.svg", 1, 41, "'url(//evil.example/p)' refers outside"),
    HostileBank("svg-fill-url", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><rect fill="url(https://evil.example/g.svg#g)"/></svg>'),
                "diagrams/d.svg", 1, 41, "refers outside the diagram"),
    HostileBank("svg-cursor-url", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><rect cursor="url(https://evil.example/c.png), auto"/></svg>'),
                "diagrams/d.svg", 1, 41, "refers outside the diagram"),
    HostileBank("svg-image-set", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}"><rect style="background: image-set(&quot;https://evil.example/p&quot; 1x)"/></svg>'),
                "diagrams/d.svg", 1, 41, "'image-set()' may load from outside"),
    HostileBank("svg-xml-stylesheet", "diagrams", _with_diagram(f'<?xml-stylesheet href="https://evil.example/a.css"?>\n<svg xmlns="{_SVG}"/>'),
                "diagrams/d.svg", 1, 1, "may not carry processing instructions"),
    HostileBank("svg-xml-base", "diagrams", _with_diagram(f'<svg xmlns="{_SVG}" xml:base="https://evil.example/"><use href="#x"/></svg>'),
                "diagrams/d.svg", 1, 1, "may not set 'xml:base'"),
]  # fmt: skip
