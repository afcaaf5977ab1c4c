"""What ``bench/seed.py`` builds a benchmark database from: ``trajectories`` (review
histories drawn from FSRS), ``learners`` (the generated banks, the learners and which of
their cards are studied) and ``writers`` (the bulk loaders for SQLite and PostgreSQL)."""
