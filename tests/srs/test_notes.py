"""The headings of a notes file: front matter skipped, code fences read, GitHub's anchors,
heading paths and passages; and a ``source`` resolved to one of them."""

from __future__ import annotations

from srs.notes import Notes, Passage, anchor_of, front_matter, headings_of, resolve

NOTES = """\
---
title: Docker 笔记
tags: [docker]
---
# 镜像

镜像是只读的模板。

## 镜像命名规则

registry/repo:tag

## 镜像摘要

```sh
# 这一行在代码块里，不是标题
docker images --digests
```

### 容器→网桥→容器

## Docker engine
## Docker engine
"""


def test_anchors_follow_githubs_rule() -> None:
    assert anchor_of("Docker engine") == "docker-engine"
    assert anchor_of("镜像命名规则") == "镜像命名规则"
    assert anchor_of("容器→网桥→容器") == "容器网桥容器"
    assert anchor_of("-p IP::port") == "-p-ipport"
    assert anchor_of("The `--hostname` flag!") == "the---hostname-flag"


def test_front_matter_is_skipped_and_its_lines_still_counted() -> None:
    values, lines = front_matter(NOTES)
    assert values == {"title": "Docker 笔记", "tags": ["docker"]}
    assert lines == 4
    assert [h.line for h in headings_of(NOTES)] == [5, 9, 13, 20, 22, 23]


def test_a_hash_line_inside_a_code_fence_is_no_heading() -> None:
    titles = [h.title for h in headings_of(NOTES)]
    assert titles[:4] == ["镜像", "镜像命名规则", "镜像摘要", "容器→网桥→容器"]
    assert titles[4:] == ["Docker engine", "Docker engine"]


def test_repeated_anchors_are_numbered() -> None:
    anchors = [h.anchor for h in headings_of(NOTES)]
    assert anchors[-2:] == ["docker-engine", "docker-engine-1"]


def test_paths_nest_by_level() -> None:
    paths = [h.path for h in headings_of(NOTES)]
    assert paths[1] == ("镜像", "镜像命名规则")
    assert paths[3] == ("镜像", "镜像摘要", "容器→网桥→容器")
    assert paths[4] == ("镜像", "Docker engine")


def test_a_passage_runs_to_the_next_heading_of_any_level() -> None:
    headings = headings_of(NOTES)
    assert headings[0].text == "镜像是只读的模板。"
    assert headings[2].text.startswith("```sh\n# 这一行")
    assert [h.has_content for h in headings] == [True, True, True, False, False, False]


def test_markup_is_left_out_of_a_title() -> None:
    (heading,) = headings_of("## The `--hostname` *flag* <b>x</b>\n")
    assert heading.title == "The --hostname flag x"


def test_a_source_resolves_by_anchor_path_or_base_name() -> None:
    notes = (Notes("notes/docker.md", NOTES),)
    by_anchor = resolve(notes, "docker.md#镜像摘要")
    assert isinstance(by_anchor, Passage) and by_anchor.heading.line == 13
    by_path = resolve(notes, "notes/docker.md#镜像 > 镜像摘要 > 容器→网桥→容器")
    assert isinstance(by_path, Passage) and by_path.heading.line == 20
    by_last_title = resolve(notes, "docker.md#镜像命名规则")
    assert isinstance(by_last_title, Passage) and by_last_title.file == "notes/docker.md"
    encoded = resolve(notes, "docker.md#%E9%95%9C%E5%83%8F")
    assert isinstance(encoded, Passage) and encoded.heading.title == "镜像"


def test_a_source_that_names_nothing_says_why() -> None:
    notes = (Notes("notes/docker.md", NOTES),)
    assert resolve(notes, "docker.md") == (
        "'docker.md' must be FILE#HEADING, a notes file and a heading's anchor or path"
    )
    assert resolve(notes, "other.md#x") == "file 'other.md' is not one of the bank's notes " + (
        "(notes/docker.md)"
    )
    assert resolve(notes, "docker.md#docker-engin") == (
        "'docker-engin' is no heading of notes/docker.md (did you mean docker-engine, "
        "docker-engine-1?)"
    )
    assert resolve(notes, "docker.md#Docker engine") == (
        "'Docker engine' names 2 headings of docker.md (lines 22, 23): use an anchor"
    )
    assert resolve((), "docker.md#x") == "not usable: the bank lists no notes"
