"""Periodic task of the audit trail: the daily anchor of the chain head (``anchor.py``)."""

from celery import shared_task

from .anchor import audit_anchor_write


@shared_task(name="audit.anchor_chain_head", acks_late=True)
def audit_anchor_task() -> str:
    return audit_anchor_write().line
