import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import pytest  # noqa: E402

from fake_main import FakeMain  # noqa: E402


@pytest.fixture
def main():
    """A fake main process, closed after the test."""
    fake = FakeMain()
    yield fake
    fake.close()
