"""Signals of the case room, for rooms above it (``cases`` imports none of them)."""

from django.dispatch import Signal

# REV-7: a frozen case file was amended (更正). Sent inside the amendment's transaction with
# ``case_file``, ``amendment`` and ``by``; the review room marks the self-review record
# "案卷在评查后被更正" so that the legal office reviews the file again.
case_file_amended = Signal()

# Case files written in bulk (the ledger import: ``bulk_create`` / ``bulk_update`` send no
# ``post_save``). Sent inside the write's transaction with ``created`` (the new files) and
# ``updated`` (pairs of the file before and after); the statistics room applies the difference
# to its maintained summaries.
case_files_bulk_written = Signal()
