"""The guided form (the "input" layer): its steps (`steps`, `standard`) and the step lists
of each mode with the moves between them (`flow`)."""
