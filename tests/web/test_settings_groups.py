"""The settings page in groups: each saved by its own button and confirmed beside it; the
optimiser held back until there are reviews enough; the account name for password managers."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from models import User, db
from tests.support import csrf_token


def _group(page: str, name: str) -> str:
    return re.search(
        rf'<section class="settings-group" id="{name}".*?</section>', page, re.S
    ).group(0)


def test_the_page_has_a_group_each_with_its_heading_and_its_one_save(
    signed_in: FlaskClient,
) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    for name, heading in [
        ("study", "Study"),
        ("schedule", "Schedule"),
        ("appearance", "Appearance"),
    ]:
        group = _group(page, name)
        assert f'<h2 id="{name}-title">{heading}</h2>' in group
        assert group.count('type="submit"') >= 1
        assert f'name="group" value="{name}"' in group
        assert f'href="#{name}"' in page
    assert 'href="#account"' in page


def test_saving_one_group_changes_only_its_settings_and_says_saved_beside_it(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "group": "study", "new_per_day": "7",
            "reviews_per_day": "70", "learning_steps": "2m", "relearning_steps": "5m"}  # fmt: skip
    response = signed_in.post("/settings", data=data)
    assert response.location.endswith("/settings?saved=study#study-saved")
    page = signed_in.get(response.location).get_data(as_text=True)
    assert '<p class="saved" id="study-saved" role="status">✓ Saved</p>' in _group(page, "study")
    assert "Saved" not in _group(page, "schedule")
    with app.app_context():
        user = db.session.get_one(User, learner)
        assert (user.new_per_day, user.reviews_per_day) == (7, 70)
        assert (user.learning_steps, user.relearning_steps) == ([120], [300])
        assert user.desired_retention == 0.9  # the schedule's group was not sent, nor changed


def test_a_group_with_a_mistake_is_shown_again_with_it_and_nothing_is_kept(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "group": "schedule", "desired_retention": "0.5",
            "maximum_interval": "100", "timezone": "UTC", "rollover_hour": "4"}  # fmt: skip
    response = signed_in.post("/settings", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="error"' in _group(page, "schedule")
    assert 'value="20"' in _group(page, "study")  # the other groups as stored
    with app.app_context():
        assert db.session.get_one(User, learner).maximum_interval != 100


def test_the_appearance_group_keeps_the_theme_and_confirms(signed_in: FlaskClient) -> None:
    data = {"csrf_token": csrf_token(signed_in), "group": "appearance", "locale": "",
            "theme": "dark"}  # fmt: skip
    response = signed_in.post("/settings", data=data)
    assert "wengu_theme=dark" in response.headers["Set-Cookie"]
    page = signed_in.get(response.location).get_data(as_text=True)
    assert 'data-theme="dark"' in page
    assert "✓ Saved" in _group(page, "appearance")


def test_an_unknown_group_is_refused(signed_in: FlaskClient) -> None:
    data = {"csrf_token": csrf_token(signed_in), "group": "colours"}
    response = signed_in.post("/settings", data=data)
    assert response.status_code == 400
    assert "There is no group of settings &#39;colours&#39;." in response.get_data(as_text=True)


def test_optimize_is_disabled_below_the_reviews_it_needs_and_says_how_many(
    signed_in: FlaskClient,
) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    button = re.search(r"<button[^>]*>Optimize now</button>", page).group(0)
    assert "disabled" in button
    assert "0 of 400 reviews" in page


def test_the_password_form_names_the_account_for_password_managers(
    signed_in: FlaskClient,
) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="password".*?</form>', page, re.S).group(0)
    assert re.search(r'<input[^>]*value="ann"[^>]*autocomplete="username"[^>]*readonly', form)
    assert 'autocomplete="current-password"' in form
    assert form.count('autocomplete="new-password"') == 2


def test_a_number_left_empty_is_asked_for_with_its_range(signed_in: FlaskClient) -> None:
    """Not "not a valid integer": a field left empty says what goes in it."""
    data = {"csrf_token": csrf_token(signed_in), "group": "study", "new_per_day": "",
            "reviews_per_day": "70", "learning_steps": "2m", "relearning_steps": "5m"}  # fmt: skip
    page = signed_in.post("/settings", data=data).get_data(as_text=True)
    study = _group(page, "study")
    assert "Enter a whole number from 0 to 9999." in study
    assert "Not a valid integer value." not in study
