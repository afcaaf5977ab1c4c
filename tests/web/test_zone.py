"""A new account's time zone is the one its form sends (the browser's, confirmed); a learner
still on the server's default is offered the browser's on the home page."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import BankProgress, Group, SiteSetting, User, db
from services.answers import answer
from services.context import Study
from services.groups import create_group, create_invite
from services.queue import next_card
from srs.scheduler import Rating
from srs.study import TIME_ZONES, study_day
from tests.support import PASSWORD, csrf_token, first_run_code
from views.zones import zone_choices

BAD_ZONE = "Mars/Olympus_Mons"
UNKNOWN = "is not a time zone Wengu knows"


def account(client: FlaskClient, **fields: str) -> dict[str, str]:
    data = {"name": "mei", "password": PASSWORD, "confirm": PASSWORD}
    return data | fields | {"csrf_token": csrf_token(client)}


def zone_of(app: Flask, name: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.timezone).where(User.name == name))


def invite(app: Flask, owner: int) -> str:
    with app.app_context():
        user = db.session.get(User, owner)
        group = create_group(db.session, user, "Readers", [])
        code = create_invite(
            db.session, group, user, datetime.now(timezone.utc), days=7, max_uses=None
        ).code
        db.session.commit()
        return code


@pytest.fixture
def open_registration(app: Flask, learner: int) -> None:
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()


def test_setup_page_shows_the_zone_for_the_browser_to_choose(client: FlaskClient) -> None:
    page = client.get("/setup").get_data(as_text=True)
    assert '<select aria-describedby="timezone-hint" data-browser-zone id="timezone"' in page
    assert '<option selected value="UTC">UTC</option>' in page  # without JavaScript
    assert '<optgroup label="Asia"><option value="Asia/Aden">Aden (UTC+03:00)</option>' in page
    assert '<option value="Asia/Shanghai">Shanghai (UTC+08:00)</option>' in page
    assert 'src="/static/js/zone.js"' in page


def test_in_chinese_the_cities_have_their_chinese_names_in_order_of_offset(
    client: FlaskClient,
) -> None:
    page = client.get("/setup", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<option value="Asia/Shanghai">上海 (UTC+08:00)</option>' in page
    assert '<option value="Europe/Berlin">柏林 (UTC+01:00)</option>' in page
    # A city the CLDR has no Chinese name for keeps its English one.
    assert '<option value="Asia/Kolkata">Kolkata (UTC+05:30)</option>' in page
    asia = re.search(r'<optgroup label="亚洲">(.*?)</optgroup>', page, re.S)
    assert asia is not None
    offsets = re.findall(r"\(UTC([+−])(\d\d):(\d\d)\)</option>", asia[1])
    minutes = [(1 if sign == "+" else -1) * (int(h) * 60 + int(m)) for sign, h, m in offsets]
    assert len(minutes) > 50 and minutes == sorted(minutes)
    # English keeps its alphabetical order, for a select's type-ahead.
    english = client.get("/setup", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<optgroup label="Asia"><option value="Asia/Aden">Aden (UTC+03:00)</option>' in english


def test_setup_keeps_the_zone_sent(app: Flask, client: FlaskClient) -> None:
    response = client.post("/setup", data=account(client, code=first_run_code(app),
                                                  timezone="Asia/Shanghai"))  # fmt: skip
    assert response.status_code == 302
    assert zone_of(app, "mei") == "Asia/Shanghai"


def test_setup_without_a_zone_takes_the_servers_default(
    make_app, app_config: dict[str, object]
) -> None:
    app = make_app(app_config | {"WENGU_DEFAULT_TIMEZONE": "Europe/Berlin"})
    client = app.test_client()
    assert client.post("/setup", data=account(client, code=first_run_code(app))).status_code == 302
    assert zone_of(app, "mei") == "Europe/Berlin"


def test_setup_refuses_an_unknown_zone_beside_the_field(app: Flask, client: FlaskClient) -> None:
    response = client.post("/setup", data=account(client, code=first_run_code(app),
                                                  timezone=BAD_ZONE))  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="timezone-error">&#39;{BAD_ZONE}&#39; {UNKNOWN}' in page
    assert "data-browser-zone" not in page  # the learner's own choice is not replaced
    assert zone_of(app, "mei") is None


def test_register_keeps_the_zone_sent_and_refuses_an_unknown_one(
    app: Flask, client: FlaskClient, open_registration: None
) -> None:
    page = client.post("/register", data=account(client, timezone=BAD_ZONE)).get_data(as_text=True)
    assert UNKNOWN in page and zone_of(app, "mei") is None
    assert client.post("/register", data=account(client, timezone="Asia/Tokyo")).status_code == 302
    assert zone_of(app, "mei") == "Asia/Tokyo"


def test_join_keeps_the_zone_sent_and_refuses_an_unknown_one(
    app: Flask, client: FlaskClient, learner: int
) -> None:
    code = invite(app, learner)
    assert "data-browser-zone" in client.get(f"/join/{code}").get_data(as_text=True)
    page = client.post(f"/join/{code}", data=account(client, timezone=BAD_ZONE)).get_data(
        as_text=True
    )
    assert UNKNOWN in page and zone_of(app, "mei") is None
    response = client.post(f"/join/{code}", data=account(client, timezone="Asia/Shanghai"))
    assert response.status_code == 302
    assert zone_of(app, "mei") == "Asia/Shanghai"
    with app.app_context():
        assert db.session.scalar(select(Group.name)) == "Readers"


def test_home_page_offers_the_browsers_zone_only_on_the_default(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    page = signed_in.get("/").get_data(as_text=True)
    assert 'data-zone-offer data-zone="UTC"' in page and 'src="/static/js/zone.js"' in page
    with app.app_context():
        db.session.get(User, learner).timezone = "Asia/Shanghai"
        db.session.commit()
    page = signed_in.get("/").get_data(as_text=True)
    assert "data-zone-offer" not in page and "zone.js" not in page


def test_taking_the_offer_sets_the_zone_and_recounts_today(
    app: Flask, runner: FlaskCliRunner, write_bank, signed_in: FlaskClient, learner: int
) -> None:
    bank = "id: z\ntitle: Z\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    runner.invoke(args=["bank", "import", str(write_bank("z", {"bank.yaml": bank}))])
    with app.app_context():
        user = db.session.get(User, learner)
        now = datetime.now(timezone.utc)
        answer(
            Study.at(db.session, user, now),
            next_card(Study.at(db.session, user, now), ["z"])[0],
            Rating.GOOD,
        )
        kept = db.session.get_one(BankProgress, (learner, "z"))
        kept.new_done = 7  # not what a recount finds: shows that one was made
        db.session.commit()
    response = signed_in.post("/settings/timezone", data={"timezone": "Pacific/Kiritimati",
                                                          "csrf_token": csrf_token(signed_in)})  # fmt: skip
    assert response.status_code == 302 and response.location == "/"
    assert "now follow the time zone Pacific/Kiritimati" in signed_in.get("/").get_data(
        as_text=True
    )
    with app.app_context():
        kept = db.session.get_one(BankProgress, (learner, "z"))
        day = study_day(datetime.now(timezone.utc), "Pacific/Kiritimati", 4)
        assert (kept.day, kept.new_done) == (day.date, 1)
        assert db.session.get(User, learner).timezone == "Pacific/Kiritimati"


def test_the_offer_refuses_an_unknown_zone(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    response = signed_in.post("/settings/timezone", data={"timezone": BAD_ZONE,
                                                          "csrf_token": csrf_token(signed_in)})  # fmt: skip
    assert response.status_code == 302
    assert UNKNOWN in signed_in.get("/").get_data(as_text=True)
    assert zone_of(app, "ann") == "UTC"


TOO_LONG = "A time zone&#39;s name is at most 64 characters."


@pytest.mark.parametrize("page", ["setup", "register", "join"])
def test_a_zone_name_of_any_length_is_refused_and_not_sent_back(
    app: Flask, client: FlaskClient, learner: int, page: str
) -> None:
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()
    long_zone = "Asia/" + "x" * 20_000
    if page == "setup":
        with app.app_context():  # a fresh site, for the first-run form
            db.session.delete(db.session.get(User, learner))
            db.session.commit()
        url, fields = "/setup", {"code": first_run_code(app)}
    else:
        url, fields = ("/register" if page == "register" else f"/join/{invite(app, learner)}"), {}
    response = client.post(url, data=account(client, timezone=long_zone, **fields))
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and TOO_LONG in text
    assert "x" * 65 not in text and zone_of(app, "mei") is None
    assert (
        client.post(url, data=account(client, timezone="Asia/Tokyo", **fields)).status_code == 302
    )
    assert zone_of(app, "mei") == "Asia/Tokyo"


def test_the_settings_zone_offer_refuses_a_long_name(signed_in: FlaskClient) -> None:
    response = signed_in.post("/settings/timezone", data={
        "csrf_token": csrf_token(signed_in), "timezone": "Asia/" + "x" * 20_000,
    }, follow_redirects=True)  # fmt: skip
    text = response.get_data(as_text=True)
    assert TOO_LONG in text and "x" * 65 not in text


def test_zones_come_by_region_with_their_offset_now_and_every_older_name_last() -> None:
    winter = zone_choices(datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc))
    summer = zone_choices(datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc))
    groups = [str(label) for label in winter]
    assert groups[0] == "UTC" and groups[-1] == "Other names"
    assert {"Asia", "Europe", "Americas", "Pacific Ocean"} <= set(groups)
    europe = dict(winter[next(label for label in winter if str(label) == "Europe")])
    assert europe["Europe/London"] == "London (UTC+00:00)"
    assert (
        dict(summer[next(label for label in summer if str(label) == "Europe")])["Europe/London"]
        == "London (UTC+01:00)"
    )
    americas = dict(winter[next(label for label in winter if str(label) == "Americas")])
    assert americas["America/Argentina/Buenos_Aires"] == "Argentina / Buenos Aires (UTC−03:00)"
    assert americas["America/St_Johns"] == "St Johns (UTC−03:30)"
    # Every zone the server takes, once; the older names (a browser may send one) last.
    offered = [zone for choices in winter.values() for zone, _ in choices]
    assert sorted(offered) == sorted(TIME_ZONES)
    assert ("Asia/Calcutta", "Asia/Calcutta (UTC+05:30)") in winter[list(winter)[-1]]
    cities = [text for _, text in europe.items()]
    assert cities == sorted(cities, key=str.casefold)
