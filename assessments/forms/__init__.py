"""Input (the "input" layer): forms parse and validate what a person typed and show errors
beside the field. They decide nothing: `assessments.content` says what is required,
`assessments.services` changes the data.

- `base`: text checks, phone numbers, partial saves, editable rows;
- `steps`, `standard`: the wizard's steps, simple and standard mode;
- `review`: return, approve, submit; `lists`: the list's filters;
- `units`: unit administration and one's own password; `evidence`: evidence uploads.
"""
