"""Expected refusals in the server log: one line each, never a traceback.

Django logs every 403 (and 400) from `django.request` / `django.security.*` with the
exception attached, so each refusal printed a full traceback: a thousand refused probes
buried the one real error. A refusal is the product working as designed; it is audited
(assessments.audit) and needs a single line here. Responses of 500 and above keep their
traceback: those are bugs.
"""

import logging


class ExpectedRefusalFilter(logging.Filter):
    """For a record of a response below 500: drop the traceback, keep one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if status_code is None or status_code >= 500 or not record.exc_info:
            return True
        exception = record.exc_info[1]
        message = record.getMessage()
        reason = str(exception) if exception is not None else ""
        if reason and reason not in message:
            message = f"{message} ({reason})"
        # The record is shared by every handler: change it in place, once.
        record.msg = message.replace("\r", " ").replace("\n", " ")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True
