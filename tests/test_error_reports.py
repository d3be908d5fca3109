"""security.md "Audit": no secrets or personal identity numbers in error e-mails or logs."""

from __future__ import annotations

from django.test import RequestFactory
from django.views.debug import ExceptionReporter


def _report_text(request) -> str:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        reporter = ExceptionReporter(request, type(exc), exc, exc.__traceback__)
        return reporter.get_traceback_text()


def test_error_report_masks_personal_parameters_and_secrets(settings):
    settings.FIELD_ENCRYPTION_KEY = "very-secret-field-key-value"
    request = RequestFactory().post(
        "/org/officers/1/id-number/",
        {
            "id_number": "141031198001011234",
            "reporter_name": "王秘密",
            "password": "Sekret-2026!",
            "phone": "13800138000",
            "reason": "核对",
        },
    )
    text = _report_text(request)
    for secret in ("141031198001011234", "王秘密", "Sekret-2026!", "13800138000", "very-secret-field-key-value"):
        assert secret not in text, secret
    assert "核对" in text  # ordinary parameters stay readable
