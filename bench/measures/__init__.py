"""The benchmark's measures, one module each (``bench/run.py`` runs them in order):

1. ``cycle``: the answer cycle in process, against Anki's own backend.
2. ``http``: the HTTP review cycle under gunicorn and ``wrk``, against a bare Flask app.
3. ``next_card``: ``next_card`` latency and its query plans, against the bare indexed read.
4. ``stats``: ``GET /stats``, against reading the same rows with the bare driver.
5. ``bank``: importing and exporting a generated bank, against Anki doing the same.
6. ``page``: the review page's bytes on first load and per card, against the targets.

``common`` holds what they share, ``database`` the database they measure, ``floor`` what
the database alone costs measure 1's answers (on SQLite), and ``profiles`` where the time
goes (``--profile DIR``).
"""
