"""Error reports without personal data or secrets (security.md "Audit": no secrets or personal
identity numbers in audit diffs, logs or error emails).

Django's default filter hides settings whose names look secret and the POST parameters of views
marked ``sensitive_post_parameters``. This filter also masks, in every report, the POST
parameters that carry passwords, one-time codes, ID numbers, phone numbers and reporters' identities,
and the settings holding the field encryption key — whatever view the error came from."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter

PERSONAL_PARAMETER = re.compile(r"password|passwd|otp|token|id_number|idcard|phone|mobile|reporter|secret", re.I)


class MaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|ENCRYPTION|DATABASE_URL|REDIS_URL", flags=re.I
    )

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if request is None or not params:
            return params
        cleansed = params.copy()
        for key in list(cleansed.keys()):
            if PERSONAL_PARAMETER.search(key):
                cleansed[key] = self.cleansed_substitute
        return cleansed
