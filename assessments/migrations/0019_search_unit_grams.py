"""Search asks the user's units first, with an index for terms of every length (issue 17).

The bigram index of migration 0011 was over the whole table and had nothing for a
one-character term: a term common in other units but rare in the user's was found 1,000
times elsewhere before the user's own rows were looked at, and a one-character term was
checked row by row. Its replacement is one GIN index over `zhoucun_search_keys(owner_unit_id,
status, search_text)`: every one- and two-character piece of the search text (never
whitespace), plus `u:<unit id>` on every row and `i:<unit id>` on an issued one. A search
asks for the rows holding the pieces of its terms *and* one of the keys of the units the
user sees (`u:` where they work, `i:` where they oversee: issued reports only), so the index
itself restricts the search to those units; GIN skips through the unit's long list of entries
guided by the rarest piece. Keys are at least three characters long and pieces at most two,
so a key can never be mistaken for a piece. The unit keys are in the same index, not in a
btree_gin column beside it, on purpose: a condition on `owner_unit_id` would let the planner
walk the unit's btree index instead, and its estimates for a term that is common elsewhere
are those of the whole table (see `assessments/lists/search.py`).

A second index holds the list's newest-first order with the search text beside it, so that
the sample of the user's newest rows that decides between the GIN index and the ordered walk,
and the walk itself, read the index alone and never the 1.3 kB rows.

`zhoucun_search_keys` must stay IMMUTABLE and unchanged while the index exists: changing
what it returns needs a REINDEX. PostgreSQL only; on SQLite search has no index (and no
`search_text` column) and this migration does nothing.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE FUNCTION zhoucun_search_keys(unit bigint, status text, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
        || ('u:' || unit)
        || CASE WHEN status = 'issued' THEN ARRAY['i:' || unit] ELSE '{}' END
    FROM (SELECT substr(t, i, n) AS g
          FROM generate_series(1, char_length(t)) AS i, (VALUES (1), (2)) AS l(n)
          WHERE i + n - 1 <= char_length(t)) AS s
    WHERE g !~ '\s'
$$;

CREATE INDEX assessment_search_keys ON assessments_assessment
USING gin (zhoucun_search_keys(owner_unit_id, status, search_text));

-- The list's newest-first order with the text beside it: the sample and the walk of a common
-- term read the index alone (an index-only scan), never the 1.3 kB rows. Not the status:
-- with it, the index would hold every argument of zhoucun_search_keys, and the planner could
-- compute the keys of the whole table from it rather than ask the GIN index.
CREATE INDEX assessment_unit_updated_text ON assessments_assessment
(owner_unit_id, updated_at, id) INCLUDE (search_text);

DROP INDEX assessment_search_bigrams;
DROP FUNCTION zhoucun_bigrams(text);
"""

# Migration 0011's function and index, as they were.
PG_BACKWARD = r"""
CREATE FUNCTION zhoucun_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(t, i, 2) AS g FROM generate_series(1, char_length(t) - 1) AS i) AS s
    WHERE g !~ '\s'
$$;

CREATE INDEX assessment_search_bigrams ON assessments_assessment
USING gin (zhoucun_bigrams(search_text));

DROP INDEX assessment_unit_updated_text;
DROP INDEX assessment_search_keys;
DROP FUNCTION zhoucun_search_keys(bigint, text, text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'", params=None)
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0018_report_number_at_approval"),
    ]

    operations = [migrations.RunPython(forward, backward)]
