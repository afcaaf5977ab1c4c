"""Groups: invites and registration, the board's numbers, and who may do what."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import PROJECT_ROOT
from models import Card, Group, Invite, Membership, Question, SiteSetting, User, db
from models.user import LeftBank
from services.answers import answer
from services.context import Study
from services.group_board import board
from services.groups import (
    InviteUsedUpError,
    create_group,
    create_invite,
    group_bank_ids,
    join_group,
    leave_group,
    remove_member,
)
from services.progress import recount_learner
from services.queue import bank_counts_many
from services.stats import learner_stats, streak
from srs.scheduler import REVIEW, Rating
from tests.support import PASSWORD, Auth, csrf_token, make_user

BANK = (
    """
id: net
title: Networks
sections:
  - {id: bridge, title: bridge}
  - {id: dns, title: DNS}
questions:
"""
    + "".join(
        f"  - {{id: b{i}, type: basic, section: bridge, prompt: p{i}, answer: a{i}}}\n"
        for i in range(6)
    )
    + "".join(
        f"  - {{id: d{i}, type: basic, section: dns, prompt: q{i}, answer: b{i}}}\n"
        for i in range(6)
    )
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("net", {"bank.yaml": BANK}))])


@pytest.fixture
def group_id(app: Flask, bank: None, learner: int) -> int:
    """A group 'Readers' owned by ann, studying 'net'."""
    with app.app_context():
        group = create_group(db.session, db.session.get(User, learner), "Readers", ["net"])
        db.session.commit()
        return group.id


def invite_code(app: Flask, group_id: int, **options: object) -> str:
    with app.app_context():
        group = db.session.get(Group, group_id)
        owner = db.session.scalar(select(User).where(User.name == "ann"))
        invite = create_invite(db.session, group, owner, datetime.now(timezone.utc),
                               days=options.get("days", 7), max_uses=options.get("max_uses"))  # fmt: skip
        db.session.commit()
        return invite.code


# -- invites and registration ------------------------------------------------------------


def test_invite_lets_a_new_person_register_and_join(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    code = invite_code(app, group_id)
    page = client.get(f"/join/{code}").get_data(as_text=True)
    assert "Join Readers" in page and "Make my account and join" in page
    response = client.post(f"/join/{code}", data={"name": "mei", "password": PASSWORD,
                                                  "confirm": PASSWORD, "csrf_token": csrf_token(client)})  # fmt: skip
    assert response.status_code == 302 and response.location == f"/groups/{group_id}"
    assert "Readers" in client.get(f"/groups/{group_id}").get_data(as_text=True)
    with app.app_context():
        mei = db.session.scalar(select(User).where(User.name == "mei"))
        member = db.session.get(Membership, (group_id, mei.id))
        assert (member.role, member.shares_progress) == ("member", False)
        assert db.session.scalar(select(Invite.uses)) == 1


def test_signed_in_person_joins_with_one_click(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    code = invite_code(app, group_id)
    make_user(app, "bob")
    Auth(client).login("bob")
    assert "Join the group" in client.get(f"/join/{code.lower().replace('-', '')}").get_data(
        as_text=True
    )
    response = client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)})
    assert response.location == f"/groups/{group_id}"
    assert "You joined Readers." in client.get(response.location).get_data(as_text=True)
    # The invite opened again: no Join button, no second "You joined", no use taken.
    again = client.get(f"/join/{code}", follow_redirects=True).get_data(as_text=True)
    assert "You are already in Readers." in again and "Join the group" not in again
    assert "You joined" not in again
    twice = client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)})
    assert twice.location == f"/groups/{group_id}"
    with app.app_context():
        assert db.session.scalar(select(Invite.uses)) == 1


@pytest.mark.parametrize("state", ["expired", "revoked", "used up", "unknown"])
def test_dead_invites_are_refused(
    app: Flask, client: FlaskClient, group_id: int, state: str
) -> None:
    code = invite_code(app, group_id, max_uses=1)
    with app.app_context():
        invite = db.session.scalar(select(Invite))
        if state == "expired":
            invite.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        elif state == "revoked":
            invite.revoked_at = datetime.now(timezone.utc)
        elif state == "used up":
            invite.uses = 1
        db.session.commit()
    response = client.get(f"/join/{'AAAAA-BBBBB' if state == 'unknown' else code}")
    assert response.status_code == 404
    assert "This invite has expired, was revoked, or does not exist." in response.get_data(
        as_text=True
    )


def test_owner_makes_and_revokes_invites_in_the_page(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    Auth(client).login()
    made = client.post(f"/groups/{group_id}/invites",
                       data={"invite-days": "3", "invite-max_uses": "2", "csrf_token": csrf_token(client)})  # fmt: skip
    # Back to the page at its invites, where the new one is to copy.
    assert made.headers["Location"] == f"/groups/{group_id}#invites-title"
    with app.app_context():
        invite = db.session.scalar(select(Invite))
        assert (invite.max_uses, (invite.expires_at - invite.created_at).days) == (2, 3)
    assert invite.code in client.get(f"/groups/{group_id}").get_data(as_text=True)
    client.post(
        f"/groups/{group_id}/invites/{invite.id}/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert client.get(f"/join/{invite.code}").status_code == 404


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", r"until [^<]+ \(in 1 week\)"), ("zh_Hans", r"有效至 [^<]+（1周后）")],
)
def test_an_invite_says_until_when_it_lasts_in_the_pages_language(
    app: Flask, client: FlaskClient, group_id: int, language: str, said: str
) -> None:
    invite_code(app, group_id, days=7)
    with app.app_context():
        db.session.scalar(select(User).where(User.name == "ann")).locale = language
        db.session.commit()
    Auth(client).login()
    assert re.search(said, client.get(f"/groups/{group_id}").get_data(as_text=True))


def test_registration_is_closed_unless_opened(
    app: Flask, client: FlaskClient, learner: int
) -> None:
    assert client.get("/register").status_code == 404
    assert "Ask a study group for an invite link." in client.get("/login").get_data(as_text=True)
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()
    response = client.post("/register", data={"name": "lin", "password": PASSWORD, "confirm": PASSWORD,
                                              "csrf_token": csrf_token(client)})  # fmt: skip
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_creating_a_group_makes_its_creator_the_owner(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    response = signed_in.post("/groups", data={"new-name": "Night owls", "new-banks": ["net"],
                                               "csrf_token": csrf_token(signed_in)})  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalar(select(Group))
        member = db.session.scalar(select(Membership))
        assert (group.name, member.role, member.shares_progress) == ("Night owls", "owner", False)
    # No invite is made yet: the page opens at the form that makes one, and says so.
    assert response.location == f"/groups/{group.id}#invites-title"
    page = signed_in.get(response.location).get_data(as_text=True)
    assert "Make an invite below to ask people to join." in page and "Make an invite" in page


def test_the_new_group_form_ticks_every_bank_the_server_shows(
    signed_in: FlaskClient, bank: None
) -> None:
    page = signed_in.get("/groups").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="new-banks" value="net" checked>', page)


def test_the_weakest_sections_wait_for_someone_to_share(signed_in: FlaskClient, bank: None) -> None:
    """Judged from the members who share: while nobody does, the section says so rather than
    that there were too few reviews; a group with no bank has no such section."""
    token = csrf_token(signed_in)
    signed_in.post("/groups", data={"new-name": "Banked", "new-banks": "net", "csrf_token": token})
    page = signed_in.get("/groups/1").get_data(as_text=True)
    assert "Where the group is weakest" in page
    assert "members who share their progress, once one does" in page
    assert "Not enough reviews in the last 30 days" not in page
    signed_in.post("/groups/1/share", data={"share": "1", "csrf_token": csrf_token(signed_in)})
    page = signed_in.get("/groups/1").get_data(as_text=True)
    assert "Not enough reviews in the last 30 days" in page  # shared, but nothing reviewed
    assert "once one does" not in page
    signed_in.post("/groups", data={"new-name": "Empty", "csrf_token": csrf_token(signed_in)})
    assert "Where the group is weakest" not in signed_in.get("/groups/2").get_data(as_text=True)


def test_a_group_with_no_bank_says_so_and_sharing_does_not_claim_the_board(
    signed_in: FlaskClient, bank: None
) -> None:
    signed_in.post("/groups", data={"new-name": "Empty", "csrf_token": csrf_token(signed_in)})
    page = signed_in.get("/groups/1").get_data(as_text=True)
    assert "This group has no bank yet" in page and "Choose its banks under Banks below." in page
    assert "Nobody shares their progress yet" not in page
    shared = signed_in.post("/groups/1/share", data={"share": "1", "csrf_token": csrf_token(signed_in)},
                            follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert (
        "Your progress is on the board." not in shared
        and "Your numbers are on the board." not in shared
    )
    assert "it shows on the board once the group has a bank" in shared


def add_member(app: Flask, group_id: int, name: str) -> int:
    """A new user ``name``, made a member of the group; their id."""
    make_user(app, name)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        db.session.add(Membership(group_id=group_id, user_id=user.id))
        db.session.commit()
        return user.id


def test_last_owner_cannot_leave_a_group_with_members(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    bob_id = add_member(app, group_id, "bob")
    Auth(client).login()
    # Said in place of the button, before anything is tried.
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert f'action="/groups/{group_id}/leave"' not in page
    assert re.search(
        r"<p [^>]*data-cannot-leave>Make another member an owner before you leave.</p>", page
    )
    client.post(f"/groups/{group_id}/leave", data={"csrf_token": csrf_token(client)})
    assert "Make another member an owner before you leave." in client.get(
        f"/groups/{group_id}"
    ).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 2
    # Once bob is an owner too, Ann may leave: the button is back, and asks first.
    client.post(
        f"/groups/{group_id}/members/{bob_id}/promote", data={"csrf_token": csrf_token(client)}
    )
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "data-cannot-leave" not in page
    assert re.search(rf'action="/groups/{group_id}/leave" [^>]*data-ask-danger', page)


@pytest.mark.parametrize(
    ("action", "said"),
    [("promote", "bob is now an owner of Readers."), ("remove", "bob was removed from Readers.")],
)
def test_making_an_owner_or_removing_a_member_says_so(
    app: Flask, client: FlaskClient, group_id: int, action: str, said: str
) -> None:
    bob_id = add_member(app, group_id, "bob")
    Auth(client).login()
    response = client.post(
        f"/groups/{group_id}/members/{bob_id}/{action}", data={"csrf_token": csrf_token(client)}
    )
    assert response.location == f"/groups/{group_id}"
    assert said in client.get(f"/groups/{group_id}").get_data(as_text=True)
    with app.app_context():
        member = db.session.get(Membership, (group_id, bob_id))
        assert (member.role if member else None) == ("owner" if action == "promote" else None)


# -- the board ---------------------------------------------------------------------------


@pytest.fixture
def session(app: Flask, bank: None) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def review_at(
    session: Session, user: User, key: str, when: datetime, rating: Rating, *, review: bool
) -> None:
    """One answer to question ``key`` at ``when``; ``review`` makes it a review-state answer."""
    question = session.scalar(select(Question).where(Question.key == key))
    card = session.scalar(
        select(Card).where(Card.user_id == user.id, Card.question_id == question.id)
    )
    if card is None:
        card = Card(user_id=user.id, question_id=question.id, bank_id="net", due=when)
        session.add(card)
        session.flush()
    if review:
        card.state, card.stability, card.difficulty = REVIEW, 10.0, 5.0
        card.last_review = when - timedelta(days=10)
        session.flush()
        recount_learner(session, user, when)  # the card was put in review outside the app's ways
    answer(Study.at(session, user, when), card, rating)


def test_board_numbers_on_a_seeded_group(session: Session) -> None:
    ann = User(name="ann", password_hash="x")
    bob = User(name="bob", password_hash="x")
    cai = User(name="cai", password_hash="x")  # keeps progress private
    session.add_all([ann, bob, cai])
    session.flush()
    group = create_group(session, ann, "Readers", ["net"])
    session.get(Membership, (group.id, ann.id)).shares_progress = True
    for user, shares in ((bob, True), (cai, False)):
        session.add(Membership(group_id=group.id, user_id=user.id, shares_progress=shares))
    # ann: one review a day for the last 3 days (streak 3), all review-state:
    # bridge twice wrong, once right; earlier, 8 days ago, one more (outside 7 days).
    review_at(session, ann, "b0", NOW - timedelta(days=2), Rating.AGAIN, review=True)
    review_at(session, ann, "b1", NOW - timedelta(days=1), Rating.AGAIN, review=True)
    review_at(session, ann, "b2", NOW - timedelta(hours=1), Rating.GOOD, review=True)
    review_at(session, ann, "d0", NOW - timedelta(days=8), Rating.GOOD, review=True)
    # bob: DNS right four times today, bridge wrong twice (not review-state, so no retention).
    for i in range(4):
        review_at(
            session, bob, f"d{i + 1}", NOW - timedelta(minutes=10 + i), Rating.GOOD, review=True
        )
    for i in range(2):
        review_at(
            session, bob, f"b{i + 3}", NOW - timedelta(minutes=30 + i), Rating.AGAIN, review=False
        )
    # cai's answers count nowhere: they do not share.
    for i in range(5):
        review_at(session, cai, f"b{i}", NOW - timedelta(minutes=40 + i), Rating.AGAIN, review=True)

    result = board(session, group, ann, NOW)
    rows = {row.name: row for row in result.members}
    assert set(rows) == {"ann", "bob"} and result.hidden == 1
    assert (rows["ann"].reviews_7_days, rows["ann"].streak) == (3, 3)
    assert rows["ann"].retention_30_days == pytest.approx(2 / 4)
    assert (rows["bob"].reviews_7_days, rows["bob"].streak, rows["bob"].retention_30_days) == (
        6,
        1,
        1.0,
    )
    assert rows["ann"].is_you and not rows["bob"].is_you
    # due today: 12 questions, 20 new a day: ann has 8 unseen + learning/relearning due today.
    assert rows["ann"].left_today == 8 + 2
    # bridge: ann 1/3 right, bob 0/2 right -> 1/5; DNS: 5/5 right (d0, 8 days ago, counts
    # too), judged but not weak: a section recalled every time is no one's weakest.
    assert [(s.title, s.reviews, s.retention) for s in result.weakest] == [
        ("bridge", 5, pytest.approx(1 / 5)),
    ]
    assert result.sections_judged == 2


def test_streak_waits_for_today_and_breaks_on_a_missed_day(session: Session) -> None:
    ann = User(name="ann", password_hash="x")
    session.add(ann)
    session.flush()
    for days in (1, 2, 4):
        review_at(session, ann, f"b{days}", NOW - timedelta(days=days), Rating.GOOD, review=False)
    assert (
        streak(Study.at(session, ann, NOW), ["net"]) == 2
    )  # today not yet, yesterday and the day before
    review_at(session, ann, "d1", NOW, Rating.GOOD, review=False)
    assert streak(Study.at(session, ann, NOW), ["net"]) == 3


def test_sharing_is_off_until_chosen_for_the_creator_and_members_alike(
    session: Session,
) -> None:
    ann = User(name="ann", password_hash="x")
    bob = User(name="bob", password_hash="x")
    session.add_all([ann, bob])
    session.flush()
    group = create_group(session, ann, "Readers", ["net"])
    invite = create_invite(session, group, ann, NOW, days=7, max_uses=None)
    join_group(session, bob, invite, NOW)
    review_at(session, ann, "b0", NOW - timedelta(hours=1), Rating.GOOD, review=False)
    shown = board(session, group, ann, NOW)
    assert (shown.members, shown.hidden) == ([], 2)
    session.get(Membership, (group.id, ann.id)).shares_progress = True
    assert [row.name for row in board(session, group, ann, NOW).members] == ["ann"]


def test_the_readme_says_what_sharing_defaults_to(session: Session) -> None:
    readme = " ".join((PROJECT_ROOT / "README.md").read_text("utf-8").split())
    assert (
        "sharing is off until a member chooses it, for everyone, the group's creator included"
        in readme
    )
    ann = User(name="ann", password_hash="x")
    session.add(ann)
    session.flush()
    group = create_group(session, ann, "Readers", ["net"])
    assert session.get(Membership, (group.id, ann.id)).shares_progress is False


def test_board_figures_are_the_members_statistics_over_the_groups_banks(
    session: Session,
) -> None:
    ann = User(name="ann", password_hash="x")
    session.add(ann)
    session.flush()
    group = create_group(session, ann, "Readers", ["net"])
    session.get(Membership, (group.id, ann.id)).shares_progress = True
    # Answers over 40 days, with a gap: the week, the month's retention and the streak of
    # the board must be those of the statistics page.
    for days, rating in ((0, Rating.GOOD), (1, Rating.AGAIN), (2, Rating.GOOD), (6, Rating.GOOD),
                         (8, Rating.HARD), (29, Rating.AGAIN), (35, Rating.GOOD)):  # fmt: skip
        review_at(session, ann, f"b{days % 6}", NOW - timedelta(days=days), rating, review=True)
    review_at(session, ann, "d0", NOW - timedelta(days=3), Rating.GOOD, review=False)
    (row,) = board(session, group, ann, NOW).members
    study = Study.at(session, ann, NOW)
    stats = learner_stats(study, ["net"])
    week = sum(count for _, count, _ in stats.reviews_per_day[-7:])
    assert (row.reviews_7_days, row.streak, row.retention_30_days) == (
        week,
        stats.streak,
        stats.retention["month"]["total"].rate,
    )
    assert (row.reviews_7_days, row.streak, row.retention_30_days) == (5, 4, pytest.approx(4 / 6))
    assert streak(study, ["net"]) == 4
    # Left today is what their Today page shows: a bank left owes nothing, its history stays.
    assert row.left_today == sum(c.total for c in bank_counts_many(study, ["net"]).values()) > 0
    session.add(LeftBank(user_id=ann.id, bank_id="net"))
    session.flush()
    (left,) = board(session, group, ann, NOW).members
    assert (left.left_today, left.reviews_7_days, left.streak) == (0, 5, 4)


def board_page(
    app: Flask, client: FlaskClient, group_id: int, learner: int, keys: list[str], *, review: bool
) -> str:
    """The group's page as ann sees it, sharing, once she answered ``keys`` Good minutes ago
    (``review``: as review-state answers)."""
    now = datetime.now(timezone.utc)
    with app.app_context():
        ann = db.session.get_one(User, learner)
        db.session.get_one(Membership, (group_id, ann.id)).shares_progress = True
        for n, key in enumerate(keys):
            review_at(db.session, ann, key, now - timedelta(minutes=5 + n), Rating.GOOD, review=review)  # fmt: skip
        db.session.commit()
    Auth(client).login()
    return client.get(f"/groups/{group_id}").get_data(as_text=True)


def test_the_board_says_what_its_week_and_its_retention_count(
    app: Flask, client: FlaskClient, group_id: int, learner: int
) -> None:
    """New cards answered this week are reviews of the week but no retention yet: the board
    says so, rather than "Reviews, 7 days: 3" beside "Retention: no reviews yet"."""
    page = board_page(app, client, group_id, learner, ["b0", "b1", "b2"], review=False)
    row = re.search(r'<tr class="is-you">.*?</tr>', page, re.S).group(0)
    cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S))
    assert cells["Reviews, 7 days"] == "3"
    assert cells["Retention, 30 days"] == (
        '<span class="meta">no answers to learnt cards yet</span>'
    )
    assert "no reviews yet" not in page
    assert (
        "reviews are every answer; retention is the share of answers to learnt cards"
        " (past their first steps) that were not Again" in page
    )
    # What is left today is the sum of what her Today page shows.
    today = client.get("/").get_data(as_text=True)
    counts = re.findall(r'<div class="count count-\w+"><dt>[^<]+</dt><dd>(\d+)</dd>', today)
    assert len(counts) == 3
    assert cells["Left today"] == str(sum(map(int, counts)))
    assert "Left today is the new, learning and review cards they still have today" in page


def test_a_group_that_recalls_every_section_well_is_told_so_not_shown_a_weakest(
    app: Flask, client: FlaskClient, group_id: int, learner: int
) -> None:
    page = board_page(app, client, group_id, learner, [f"b{n}" for n in range(5)], review=True)
    assert '<ol class="weakest">' not in page
    assert (
        "Every section with enough reviews in the last 30 days was recalled at least 90%"
        " of the time." in page
    )


def test_a_member_studies_the_groups_banks_from_its_page(
    app: Flask, client: FlaskClient, group_id: int, learner: int
) -> None:
    Auth(client).login()
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    study = re.search(r'<div class="bank-actions">(.*?)</div>', page, re.S)
    assert study and 'href="/review/net"' in study.group(1) and "Study" in study.group(1)
    client.post("/banks/net/leave", data={"csrf_token": csrf_token(client)})
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert 'href="/review/net"' not in page  # left: nothing to study here


def test_a_group_its_last_member_left_takes_in_no_one_but_by_an_admins_invite(
    session: Session,
) -> None:
    ann, bob, cai = (User(name=name, password_hash="x") for name in ("ann", "bob", "cai"))
    root = User(name="root", password_hash="x", is_admin=True)
    session.add_all([ann, bob, cai, root])
    session.flush()
    group = create_group(session, ann, "Readers", ["net"])
    invite = create_invite(session, group, ann, NOW, days=7, max_uses=None)
    leave_group(session, group, ann, NOW)  # the last member: the group is left empty
    # Its old invite would make whoever holds it the owner of a group no one runs.
    with pytest.raises(InviteUsedUpError):
        join_group(session, bob, invite, NOW)
    session.refresh(invite)
    assert invite.revoked_at == NOW
    # An admin invites into it: the first to join owns it.
    again = create_invite(session, group, root, NOW, days=7, max_uses=None)
    assert join_group(session, bob, again, NOW).role == "owner"
    assert join_group(session, cai, again, NOW).role == "member"


def test_an_admin_outside_a_group_removes_its_members_as_its_owners_do(
    session: Session,
) -> None:
    ann, bob = User(name="ann", password_hash="x"), User(name="bob", password_hash="x")
    root = User(name="root", password_hash="x", is_admin=True)
    session.add_all([ann, bob, root])
    session.flush()
    group = create_group(session, ann, "Readers", ["net"])
    session.add(Membership(group_id=group.id, user_id=bob.id))
    session.flush()
    remove_member(session, group, root, bob.id, NOW)
    assert session.get(Membership, (group.id, bob.id)) is None


def test_joining_brings_back_the_groups_banks(session: Session) -> None:
    from models import LeftBank

    ann = User(name="ann", password_hash="x")
    bob = User(name="bob", password_hash="x")
    session.add_all([ann, bob])
    session.flush()
    session.add(LeftBank(user_id=bob.id, bank_id="net"))
    group = create_group(session, ann, "Readers", ["net"])
    invite = create_invite(session, group, ann, NOW, days=1, max_uses=None)
    join_group(session, bob, invite, NOW)
    assert session.get(LeftBank, (bob.id, "net")) is None


# -- who sees what -----------------------------------------------------------------------


@pytest.fixture
def people(app: Flask, group_id: int) -> dict[str, str]:
    """ann owns the group; bob is a member; eve is in another group; root is an admin."""
    for name in ("bob", "eve"):
        make_user(app, name)
    make_user(app, "root", admin=True)
    with app.app_context():
        users = {u.name: u for u in db.session.scalars(select(User))}
        db.session.add(Membership(group_id=group_id, user_id=users["bob"].id))
        create_group(db.session, users["eve"], "Elsewhere", [])
        db.session.commit()
    return {"anonymous": "", "owner": "ann", "member": "bob", "other": "eve", "admin": "root"}


MATRIX = [
    # method, path, anonymous, owner, member, other group's member, admin
    ("GET", "/groups", 302, 200, 200, 200, 200),
    ("GET", "/groups/{g}", 302, 200, 200, 404, 200),
    ("POST", "/groups/{g}/invites", 302, 302, 403, 404, 302),
    ("POST", "/groups/{g}/banks", 302, 302, 403, 404, 302),
    ("POST", "/groups/{g}/members/{bob}/promote", 302, 302, 403, 404, 302),
    ("POST", "/groups/{g}/share", 302, 302, 302, 404, 404),
    ("GET", "/admin", 302, 403, 403, 403, 200),
    ("GET", "/", 302, 200, 200, 200, 200),
    ("GET", "/settings", 302, 200, 200, 200, 200),
    ("GET", "/banks/net", 302, 200, 200, 200, 200),
    ("GET", "/review/net", 302, 200, 200, 200, 200),
    ("GET", "/api/v1/review/next", 401, 200, 200, 200, 200),
    ("GET", "/api/v1/reviews", 401, 200, 200, 200, 200),
]


@pytest.mark.parametrize("role", ["anonymous", "owner", "member", "other", "admin"])
def test_who_may_do_what(
    app: Flask, client: FlaskClient, people: dict[str, str], group_id: int, role: str
) -> None:
    if people[role]:
        Auth(client).login(people[role])
    with app.app_context():
        bob = db.session.scalar(select(User.id).where(User.name == "bob"))
    column = ["anonymous", "owner", "member", "other", "admin"].index(role)
    token = csrf_token(client)
    got, want = [], []
    for method, path, *expected in MATRIX:
        url = path.format(g=group_id, bob=bob)
        response = client.open(url, method=method, data={"csrf_token": token, "invite-days": "7"})
        got.append((method, url, response.status_code))
        want.append((method, url, expected[column]))
    assert got == want


def test_an_empty_group_name_is_said_by_the_page_in_its_language(
    app: Flask, client: FlaskClient, bank: None, learner: int
) -> None:
    with app.app_context():
        db.session.get_one(User, learner).locale = "zh_Hans"
        db.session.commit()
    Auth(client).login()
    page = client.get("/groups").get_data(as_text=True)
    assert page.count(" novalidate>") == 2  # joining by code, starting a group
    response = client.post("/groups", data={"new-name": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 400 and "该字段是必填字段。" in response.get_data(as_text=True)


def test_the_board_names_you_and_the_banks_as_chinese_writes_them(
    app: Flask, signed_in: FlaskClient, group_id: int
) -> None:
    """In Chinese no space stands before a full-width bracket or after a full-width colon;
    a name put into a translated sentence stays text, whatever it holds."""
    with app.app_context():
        db.session.scalar(select(User)).name = "ann<b>&"
        db.session.commit()
    signed_in.post(
        f"/groups/{group_id}/share", data={"share": "1", "csrf_token": csrf_token(signed_in)}
    )
    english = signed_in.get(f"/groups/{group_id}").get_data(as_text=True)
    assert 'ann&lt;b&gt;&amp; <span class="meta">(you)</span>' in english
    assert re.search(r'Studies: <a href="/banks/net">Networks</a>', english)
    with app.app_context():
        db.session.scalar(select(User)).locale = "zh_Hans"
        db.session.commit()
    chinese = signed_in.get(f"/groups/{group_id}").get_data(as_text=True)
    assert 'ann&lt;b&gt;&amp;<span class="meta">（你）</span>' in chinese
    assert re.search(r'学习题库：<a href="/banks/net">Networks</a>', chinese)


def test_a_bank_not_offered_is_named_and_nothing_is_made_or_saved(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    """A group started or changed with a bank the server does not offer (unknown, hidden)
    says which, beside the banks; the page still lists the learner's own groups."""
    Auth(client).login()
    token = csrf_token(client)
    started = client.post("/groups", data={"new-name": "Night", "new-banks": ["net", "nope"],
                                          "csrf_token": token})  # fmt: skip
    page = started.get_data(as_text=True)
    assert started.status_code == 400
    assert "&#39;nope&#39; is not a valid choice" in page
    assert "Readers" in page and "You are in no group yet" not in page
    changed = client.post(f"/groups/{group_id}/banks",
                          data={"banks-banks": ["nope"], "csrf_token": token})  # fmt: skip
    assert "is not a valid choice" in client.get(changed.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 1
        assert group_bank_ids(db.session, group_id) == ["net"]


def test_a_member_action_that_is_none_is_not_found_without_blaming_the_member(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    bob_id = add_member(app, group_id, "bob")
    Auth(client).login()
    response = client.post(f"/groups/{group_id}/members/{bob_id}/delete",
                           data={"csrf_token": csrf_token(client)})  # fmt: skip
    assert response.status_code == 404
    assert "no such member" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, (group_id, bob_id)) is not None


def test_a_typed_code_leads_to_its_invite_written_as_invites_are(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    code = invite_code(app, group_id)
    Auth(client).login()
    typed = f"  {code.lower().replace('-', ' ')} "
    response = client.post("/groups/join", data={"csrf_token": csrf_token(client), "code": typed})
    assert response.location == f"/join/{code}"


def test_an_invites_uses_read_alike_with_a_limit_or_without(
    app: Flask, client: FlaskClient, group_id: int
) -> None:
    invite_code(app, group_id, max_uses=3)
    invite_code(app, group_id)
    Auth(client).login()
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "0 of 3 uses taken" in page
    assert "0 uses taken, no limit" in page
    # Past the form's limits the page says what they are.
    client.post(
        f"/groups/{group_id}/invites",
        data={"csrf_token": csrf_token(client), "invite-days": "7", "invite-max_uses": "1001"},
    )
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "An invite lasts 1 to 90 days, for 1 to 1,000 uses (empty: any number)." in page
