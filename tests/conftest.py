# Shared fixtures live in plugin modules under tests/fixtures/; add yours to this list.
pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.kpi",
    "tests.fixtures.drills",
]
