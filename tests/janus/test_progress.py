"""Progress bars of long commands: shown on a terminal, hidden elsewhere."""

import io

import pytest
from django.core.management import call_command

SMALL = {"users": 1, "images": 3, "analyses": 0, "logs": 0, "analytics": 0}


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as an interactive stderr."""

    def isatty(self):
        return True


@pytest.mark.django_db
class TestProgress:
    def test_seed_draws_a_bar_on_a_terminal(self):
        stderr = Terminal()

        call_command("seed", security_events=0, stderr=stderr, **SMALL)

        # tqdm redraws at most ten times a second, so the count shown may be
        # any of 0/3 to 3/3; the label and total are always there.
        assert "images:" in stderr.getvalue()
        assert "/3 [" in stderr.getvalue()

    def test_seed_draws_no_bar_when_stderr_is_not_a_terminal(self):
        stderr = io.StringIO()

        call_command("seed", security_events=0, stderr=stderr, **SMALL)

        assert stderr.getvalue() == ""

    def test_seed_draws_no_bar_at_verbosity_0(self):
        stderr = Terminal()

        call_command("seed", security_events=0, stderr=stderr, verbosity=0, **SMALL)

        assert stderr.getvalue() == ""
