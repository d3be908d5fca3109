"""Partial indexes on the case table for the review queue (performance.md target 1, chosen from
EXPLAIN ANALYZE at county scale). Each serves one list of ``reviews:index`` in its sort order,
so a page is an ordered index scan that stops after 50 rows and the paginator's COUNT(*) reads
only the matching entries:

- awaiting self-review (REV-5/REV-6): transferred, not excluded by REV-12, by transfer date;
- awaiting transfer (REV-5): closed, not transferred, not excluded, by closing date;
- excluded from review (REV-12): closed, under reconsideration or litigation, by closing date.

The case table belongs to ``cases``; these indexes are the review room's, so they are plain SQL
here (valid on PostgreSQL and SQLite) with no model state. Their predicates must stay the
selectors' filters (``reviews.selectors.NOT_EXCLUDED`` / ``EXCLUDED``)."""

from django.db import migrations

INDEXES = {
    "reviews_case_await_review_idx": (
        "(department_id, transferred_for_review_on, id) WHERE transferred_for_review_on IS NOT NULL "
        "AND reconsideration = 'none' AND litigation = 'none'"
    ),
    "reviews_case_await_transfer_idx": (
        "(department_id, closed_on, id) WHERE closed_on IS NOT NULL AND transferred_for_review_on IS NULL "
        "AND reconsideration = 'none' AND litigation = 'none'"
    ),
    "reviews_case_excluded_idx": (
        "(department_id, closed_on, id) WHERE closed_on IS NOT NULL "
        "AND NOT (reconsideration = 'none' AND litigation = 'none')"
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_list_sort_indexes"),
        ("reviews", "0005_inspectionrefusal"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON cases_casefile {spec}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, spec in INDEXES.items()
    ]
