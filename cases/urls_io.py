"""Ledger (台账) import and power-list (权力清单) pages."""

urlpatterns: list = []
