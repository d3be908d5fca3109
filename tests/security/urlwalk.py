"""Every URL pattern of the project, classified (security.md "Access control: deny by default").

``endpoints()`` walks ``django.urls.get_resolver()`` recursively (admin and i18n included) and
returns one ``Endpoint`` per pattern. Every URL name must be in exactly one of the lists below;
a new, unclassified URL fails tests/security/test_deny_by_default.py with a message saying where
to add it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xian_enforcement.hardening.policy import PUBLIC_URL_NAMES

from .world import World, url_kwargs

# Pages any signed-in user may open, whatever their roles (personal pages).
SIGNED_IN_URL_NAMES = frozenset(
    {
        "home",
        "logout",
        "password_change",
        "password_change_done",
        "notices:inbox",
        "notices:mark_read",  # changes only the user's own notifications (other ids are ignored)
        "notices:mark_all_read",
        "otp_setup",  # two-factor enrolment of the user's own device
        "otp_verify",  # two-factor check of the user's own session
        "tolerance:index",  # a user without a role sees an empty list (scoped by selectors)
        "tolerance:catalogue",  # the published catalogue of circumstances (rules text, no data)
    }
)

# Pages that need a role (and usually a department scope). Anonymous → sign-in; "nobody" → 403/404.
PROTECTED_URL_NAMES = frozenset(
    {
        "audit:list",
        "audit:export",
        "org:officer_list",
        "org:officer_detail",
        "org:certificate_status",
        "org:officer_unmask",
        *(
            f"manage:{n}"
            for n in [
                "accounts",
                "account_create",
                "account_edit",
                "account_reset_password",
                "grants",
                "grant_edit",
                "lockout_clear",
            ]
        ),
        "jobs:detail",  # export jobs: the owner's only
        "jobs:progress",
        "jobs:download",
        *(
            f"cases:{n}"
            for n in [
                "list",
                "export",
                "create",
                "detail",
                "edit",
                "amend",
                "transfer",
                "attachment_upload",
                "attachment_download",
                "attachment_delete",
                "ledger_template",
                "ledger_import",
                "ledger_job",  # a large ledger's background preview/import: the owner's only
                "ledger_job_progress",
                "power_list",
                "power_export",
                "power_template",
                "power_import",
            ]
        ),
        *(
            f"reviews:{n}"
            for n in [
                "index",
                "coverage",
                "start",
                "detail",
                "edit",
                "preview",
                "sign",
                "recheck",
                "record_pdf",
                "notice",
                "notice_pdf",
                "campaigns",
                "campaign",
                "campaign_draw",
                "campaign_verify",
                "campaign_member_add",
                "campaign_refusal_add",
                "sample_assign",
                "sample_grade",
                "summaries",
                "summary_receive",
                "summary_attachment",
                "assessment",
                "assessment_export",
                "assess",
                "reinstate",
                "library",
            ]
        ),
        *(
            f"tolerance:{n}"
            for n in [
                "application_create",
                "application",
                "application_edit",
                "application_submit",
                "application_withdraw",
                "application_investigate",
                "evidence_upload",
                "decide",
                "notify",
                "publish",
                "application_close",
                "decision_pdf",
                "evidence",
                "notice_ack",
                "correction",
                "correction_issue",
                "extension_create",
                "item_report",
                "extension_decide",
                "risk",
                "complaints",
                "complaint_export",
                "complaint_create",
                "complaint",
                "complaint_conclude",
                "complaint_feedback",
                "complaint_close",
                "clarify",
                "complaint_reporter",
            ]
        ),
        *(
            f"statistics:{n}"
            for n in [
                "index",
                "dashboard",
                "reports",
                "report_start",
                "county_export",
                "report",
                "report_refresh",
                "report_submit",
                "report_accept",
                "report_return",
                "report_export",
                "training",
                "training_create",
                "training_detail",
            ]
        ),
    }
)

# Django admin: every view but the admin sign-in is wrapped in admin_site.admin_view (staff only,
# plus OTP for administrators), so the whole namespace is classified at once.
ADMIN_NAMESPACE = "admin:"
# Signing out of the admin site when not signed in shows the "signed out" page: no data.
HARMLESS_FOR_ANONYMOUS = frozenset({"admin:logout"})
ADMIN_CATCH_ALL = "admin:<catch-all>"


@dataclass(frozen=True)
class Pattern:
    name: str
    kwargs: tuple[str, ...]
    app_labels: tuple[str, ...]
    route: str


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


def patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(resolver, namespace: str, prefix: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                walk(p, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                regex = p.pattern.regex
                kwargs = tuple(regex.groupindex)
                labels = ()
                m = re.search(r"\(\?P<app_label>([^)]*)\)", str(p.pattern))
                if m:
                    labels = tuple(m.group(1).split("|"))
                if p.name:
                    name = f"{namespace}{p.name}"
                elif namespace == ADMIN_NAMESPACE:
                    name = ADMIN_CATCH_ALL
                else:
                    raise AssertionError(f"URL pattern {route!r} has no name: name it and classify it in {__file__}")
                found.append(Pattern(name, kwargs, labels, route))

    walk(get_resolver(), "", "")
    return found


def classify(name: str) -> str:
    if name in PUBLIC_URL_NAMES:
        return "public"
    if name in SIGNED_IN_URL_NAMES:
        return "signed_in"
    if name in PROTECTED_URL_NAMES:
        return "protected"
    if name.startswith(ADMIN_NAMESPACE):
        return "admin"
    raise AssertionError(
        f"URL name {name!r} is not classified: add it to PUBLIC_URL_NAMES "
        "(xian_enforcement/hardening/policy.py), or SIGNED_IN_URL_NAMES / PROTECTED_URL_NAMES in "
        "tests/security/urlwalk.py, and give its path arguments in tests/security/world.py KWARGS; "
        "then run `python manage.py permission_matrix --write` and review the diff"
    )


def endpoints(world: World) -> list[Endpoint]:
    result = []
    for p in patterns():
        if p.name == ADMIN_CATCH_ALL:
            result.append(Endpoint(p.name, "/admin/no-such-model/"))
            continue
        kwargs = url_kwargs(p.name, list(p.kwargs), world, list(p.app_labels))
        result.append(Endpoint(p.name, reverse(p.name, kwargs=kwargs)))
    # The same name may have several patterns (never in this project so far): keep each once.
    seen, unique = set(), []
    for e in result:
        if e not in seen:
            seen.add(e)
            unique.append(e)
    return unique
