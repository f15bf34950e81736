"""replycoach: coach customer-service replies before they are sent.

    from replycoach import Coach
    report = Coach().check("I cannot help you from here.", customer="My refund never arrived!")
"""
from .coach import Coach, __version__
from .errors import InputError, ModelError, ReplycoachError, RuleFileError
from .policy import Policy
from .report import Finding, Readability, Report, Rewrite, Scores, Versions, report_json_schema

__all__ = [
    "Coach", "Policy", "Report", "Finding", "Scores", "Readability", "Rewrite", "Versions",
    "ReplycoachError", "InputError", "RuleFileError", "ModelError", "report_json_schema", "__version__",
]
