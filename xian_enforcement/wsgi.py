"""WSGI entry point (gunicorn xian_enforcement.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xian_enforcement.settings")
application = get_wsgi_application()

from xian_enforcement.warmup import warm_up  # noqa: E402  (after Django is set up)

warm_up()
