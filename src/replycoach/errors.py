"""The one exception type the library raises; the CLI turns it into a message and exit code 2."""
from __future__ import annotations


class ReplycoachError(Exception):
    """Base class for every error replycoach raises on purpose.

    The message always names the thing that is wrong and how to fix it.
    """


class InputError(ReplycoachError, TypeError):
    """The caller passed something that is not usable text."""


class RuleFileError(ReplycoachError):
    """A rule file (built-in or user-supplied) is malformed."""


class ModelError(ReplycoachError):
    """The model directory is missing, corrupt or does not match its checksum."""
