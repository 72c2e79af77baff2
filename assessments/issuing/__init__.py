"""Issuing (the "orchestration" layer): approve, then number, render, sign and store the
report in a worker, and say where that stands.

- `tasks`: the issuing task, its retries, and `approve_and_issue`;
- `progress`: the issuing panel of an approved assessment's page.
"""

# Tasks queued before the issuing task moved into `tasks` name it by its old path; the
# worker finds it there through this name.
from .tasks import issue_report_task  # noqa: F401
