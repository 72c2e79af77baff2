"""The writes (the "writes" layer): every change to the data goes through a service here.

- `editing`: an assessment's content (the wizard's steps), its edit lock and version;
- `workflow`: the only place a status changes (submit, return, approve, issue);
- `evidence`: evidence files attached to an assessment;
- `memberships`: units, their people, roles and settings;
- `lockout`: the login lockout and its early release;
- `audit`: the only code that writes audit rows.

Each service is keyword-only, takes the acting user, checks what it must, runs in one
transaction and writes its audit row in that transaction.
"""
