"""County-wide administrative law-enforcement supervision platform (县域行政执法监督平台)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
