"""Exceptions raised by the analytics app."""

from janus.exceptions import JanusError


class RecordsRejected(JanusError, ValueError):
    """Signal that a file of analytics records cannot be imported.

    ``errors`` holds one sentence per problem, each naming the record it is
    about ("Record 3: ..."), so a person can fix them all in one go.
    """

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class UnknownReport(JanusError, ValueError):
    """Signal that a report topic is not one Janus computes."""


class ReportsFailed(JanusError, RuntimeError):
    """Signal that one or more reports could not be computed.

    Each failure has been logged with its traceback; ``names`` lists them.
    """

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)
        super().__init__(f"reports failed: {', '.join(self.names)}")
