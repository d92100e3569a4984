"""The batch tests' scratch folder, for the kept process's own tests."""

from tests.batch.conftest import workspace  # noqa: F401
