"""The views (the "web" layer's entry points): each parses the request, asks
`assessments.permissions`, calls one service and redirects with a message; templates get
flags and decide nothing.

- `access`: the lookups that refuse (404 for another unit's objects, 403, audited);
- `lists`: home, the list and its exports, the review queue;
- `editing`: new assessment, the wizard's steps, submit, detail, draft PDF;
- `review`: the review page, approve and return;
- `reports`: download of the signed report, issuing status and retry; `verify`: the public
  verification page;
- `tracking`: tracking records and post-evaluations after the decision;
- `attachments`: evidence files; `units`: unit administration; `accounts`: one's password.
"""
