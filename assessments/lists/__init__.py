"""The lists (the "reads" layer): queries for lists, sections and the review queue,
keyset pagination, search, and streamed exports — each costing the same at 1M rows."""
