"""Deadlines and notifications: create, meet, extend, scan."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.data_versions import bump_on_commit
from xian_enforcement.errors import DomainError

from .choices import DeadlineStatus, NotificationKind
from .models import Deadline, DeadlineExtension, Notification

logger = logging.getLogger(__name__)


@transaction.atomic
def deadline_open(
    *,
    subject,
    kind: str,
    rule_id: str,
    title: str,
    start_date: datetime.date,
    days: int,
    remind_days: list[int],
    department=None,
    assignee=None,
    escalate_roles: list[str] | None = None,
    remind_roles: list[str] | None = None,
    url: str = "",
) -> Deadline:
    """Open (or re-open with new dates) the deadline of ``kind`` on ``subject``; idempotent."""
    ct = ContentType.objects.get_for_model(subject)
    due = start_date + datetime.timedelta(days=days)
    deadline, created = Deadline.objects.select_for_update().get_or_create(
        kind=kind,
        content_type=ct,
        object_id=subject.pk,
        defaults={
            "rule_id": rule_id,
            "title": title,
            "start_date": start_date,
            "due_date": due,
            "remind_days": remind_days,
            "department": department,
            "assignee": assignee,
            "escalate_roles": escalate_roles or [],
            "remind_roles": remind_roles or [],
            "url": url,
        },
    )
    if not created:
        dates_changed = deadline.start_date != start_date or deadline.due_date != due
        deadline.title, deadline.department, deadline.assignee, deadline.url = title, department, assignee, url
        deadline.remind_days, deadline.escalate_roles = remind_days, escalate_roles or []
        deadline.remind_roles = remind_roles or []
        if deadline.status == DeadlineStatus.CANCELLED:
            # The rule applies again (e.g. a reopened case file is closed again): a fresh deadline.
            deadline.status, deadline.met_at = DeadlineStatus.OPEN, None
            deadline.start_date, deadline.due_date, deadline.stage = start_date, due, 0
        elif dates_changed and deadline.status == DeadlineStatus.OPEN:
            deadline.start_date, deadline.due_date, deadline.stage = start_date, due, 0
    deadline.next_action_on = deadline.compute_next_action() if deadline.status == DeadlineStatus.OPEN else None
    deadline.full_clean()
    deadline.save()
    bump_on_commit("notices")
    return deadline


@dataclass(frozen=True)
class DeadlineOpening:
    """One subject's part of ``deadline_open_many``: what varies from subject to subject."""

    subject: Any
    title: str
    start_date: datetime.date
    department: Any = None
    assignee: Any = None
    url: str = ""


# Subjects per query of the set-based functions (SQLite allows 999 parameters per statement).
MANY_BATCH = 500


def _chunks(items: list, size: int = MANY_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def deadline_open_many(
    *,
    kind: str,
    rule_id: str,
    days: int,
    remind_days: list[int],
    openings: list[DeadlineOpening],
    escalate_roles: list[str] | None = None,
    remind_roles: list[str] | None = None,
) -> int:
    """``deadline_open`` for many subjects of one model at once (a ledger import closing
    thousands of files): the same result row by row — one deadline per (subject, kind), a
    cancelled one re-opened with fresh dates, an open one whose dates changed restarted at
    stage 0, a met one left met, the reminder schedule (``next_action_on``) of each open one —
    in a few queries per 500 subjects (a locked read, one ``bulk_create``, one ``bulk_update``).
    Like ``deadline_open`` it writes no audit row (deadlines are derived from the audited
    subject). A subject listed twice counts once, its last entry wins (as two calls in turn).
    The caller holds the subjects (new in its transaction, or locked): a deadline inserted
    concurrently for the same subject fails the unique constraint and rolls the caller back.
    Returns the number of subjects."""
    by_id = {o.subject.pk: o for o in openings}
    if not by_id:
        return 0
    ct = ContentType.objects.get_for_model(next(iter(by_id.values())).subject)
    due_after = datetime.timedelta(days=days)
    escalate, remind = escalate_roles or [], remind_roles or []
    fields = [
        "rule_id",
        "title",
        "department",
        "assignee",
        "url",
        "remind_days",
        "escalate_roles",
        "remind_roles",
        "status",
        "met_at",
        "start_date",
        "due_date",
        "stage",
        "next_action_on",
    ]
    for batch in _chunks(list(by_id)):
        stored = {
            d.object_id: d
            for d in Deadline.objects.select_for_update()
            .filter(kind=kind, content_type=ct, object_id__in=batch)
            .order_by("object_id")
        }
        new, changed = [], []
        for object_id in batch:
            o = by_id[object_id]
            due = o.start_date + due_after
            deadline = stored.get(object_id)
            if deadline is None:
                deadline = Deadline(
                    kind=kind,
                    content_type=ct,
                    object_id=object_id,
                    rule_id=rule_id,
                    start_date=o.start_date,
                    due_date=due,
                )
                new.append(deadline)
            else:
                changed.append(deadline)
                if deadline.status == DeadlineStatus.CANCELLED:
                    deadline.status, deadline.met_at = DeadlineStatus.OPEN, None
                    deadline.start_date, deadline.due_date, deadline.stage = o.start_date, due, 0
                elif deadline.status == DeadlineStatus.OPEN and (
                    deadline.start_date != o.start_date or deadline.due_date != due
                ):
                    deadline.start_date, deadline.due_date, deadline.stage = o.start_date, due, 0
            deadline.title, deadline.department, deadline.assignee, deadline.url = (
                o.title,
                o.department,
                o.assignee,
                o.url,
            )
            deadline.remind_days, deadline.escalate_roles, deadline.remind_roles = remind_days, escalate, remind
            deadline.next_action_on = deadline.compute_next_action() if deadline.status == DeadlineStatus.OPEN else None
            # ``full_clean`` without its per-row uniqueness queries: the lookup above is the check.
            deadline.clean_fields(exclude=["content_type", "department", "assignee"])
            deadline.clean()
        Deadline.objects.bulk_create(new)
        Deadline.objects.bulk_update(changed, fields)
    bump_on_commit("notices")
    return len(by_id)


def _open_of(subjects: list, kind: str):
    ids = list({s.pk for s in subjects})
    if not ids:
        return None, []
    ct = ContentType.objects.get_for_model(subjects[0])
    return Deadline.objects.filter(kind=kind, content_type=ct, status=DeadlineStatus.OPEN), ids


def deadline_meet_many(*, subjects: list, kind: str) -> int:
    """``deadline_meet`` for many subjects of one model: one update per 500 subjects."""
    query, ids = _open_of(subjects, kind)
    if query is None:
        return 0
    bump_on_commit("notices")
    now = timezone.now()
    return sum(
        query.filter(object_id__in=batch).update(status=DeadlineStatus.MET, met_at=now, next_action_on=None)
        for batch in _chunks(ids)
    )


def deadline_cancel_many(*, subjects: list, kind: str) -> int:
    """``deadline_cancel`` for many subjects of one model: one update per 500 subjects."""
    query, ids = _open_of(subjects, kind)
    if query is None:
        return 0
    bump_on_commit("notices")
    return sum(
        query.filter(object_id__in=batch).update(status=DeadlineStatus.CANCELLED, next_action_on=None)
        for batch in _chunks(ids)
    )


def deadline_meet(*, subject, kind: str) -> int:
    """Mark the open deadline of ``kind`` on ``subject`` met. Returns rows changed (0 or 1)."""
    bump_on_commit("notices")
    ct = ContentType.objects.get_for_model(subject)
    return Deadline.objects.filter(kind=kind, content_type=ct, object_id=subject.pk, status=DeadlineStatus.OPEN).update(
        status=DeadlineStatus.MET, met_at=timezone.now(), next_action_on=None
    )


def deadline_cancel(*, subject, kind: str) -> int:
    bump_on_commit("notices")
    ct = ContentType.objects.get_for_model(subject)
    return Deadline.objects.filter(kind=kind, content_type=ct, object_id=subject.pk, status=DeadlineStatus.OPEN).update(
        status=DeadlineStatus.CANCELLED, next_action_on=None
    )


@transaction.atomic
def deadline_reopen(*, subject, kind: str) -> Deadline | None:
    """The met deadline of ``kind`` on ``subject`` is owed again (STA-2: a report returned after
    submission must be resubmitted by the same due date). Returns it, or None when none was met."""
    ct = ContentType.objects.get_for_model(subject)
    deadline = (
        Deadline.objects.select_for_update()
        .filter(kind=kind, content_type=ct, object_id=subject.pk, status=DeadlineStatus.MET)
        .first()
    )
    if deadline is None:
        return None
    deadline.status, deadline.met_at = DeadlineStatus.OPEN, None
    deadline.next_action_on = deadline.compute_next_action()
    deadline.save()
    bump_on_commit("notices")
    return deadline


def deadlines_delete(*, model, object_ids, kind: str) -> int:
    """Delete the deadlines of ``kind`` on the ``model`` rows ``object_ids`` (a list or a values("pk")
    query), e.g. when a room's demo data is removed. Returns rows deleted."""
    bump_on_commit("notices")
    ct = ContentType.objects.get_for_model(model)
    return Deadline.objects.filter(kind=kind, content_type=ct, object_id__in=object_ids).delete()[0]


@transaction.atomic
def deadline_extend(
    *, deadline: Deadline, new_due_date: datetime.date, reason: str, granted_by, remind_days: list[int] | None = None
) -> Deadline:
    """Move a deadline later, keeping the old date in history.

    With ``remind_days`` (offsets from the start date that the caller recomputed for the new
    date, e.g. TOL-17's "3 days before the deadline") every step is pending again: the
    scan sends the latest reminder that has come due, then the overdue notice after the new
    date (dedupe keys carry the due date, so these are new notices)."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status != DeadlineStatus.OPEN:
        raise DomainError(_("只能延长进行中的期限。"))
    if new_due_date <= deadline.due_date:
        raise DomainError(_("新的截止日必须晚于原截止日。"))
    if not reason.strip():
        raise DomainError(_("延长期限必须说明原因。"))
    DeadlineExtension.objects.create(
        deadline=deadline,
        old_due_date=deadline.due_date,
        new_due_date=new_due_date,
        reason=reason,
        granted_by=granted_by,
    )
    deadline.due_date = new_due_date
    if remind_days is not None:
        deadline.remind_days, deadline.stage = remind_days, 0
    else:
        # Steps already taken stay taken, except an overdue notice that the extension undoes.
        deadline.stage = min(deadline.stage, len(deadline.steps()) - 1)
    deadline.next_action_on = deadline.compute_next_action()
    deadline.save()
    bump_on_commit("notices")
    return deadline


EMAIL_ATTEMPTS = 3  # an e-mail that failed this many times stays in the inbox only


def notify(
    *,
    recipient,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = NotificationKind.INFO,
    rule_id: str = "",
    deadline: Deadline | None = None,
    dedupe_key: str,
    email: bool = True,
    deliver: bool = True,
) -> Notification | None:
    """Store a notification once per ``dedupe_key`` and e-mail it. Returns None if it existed.

    ``deliver=False`` only stores it with its e-mail pending: the deadline scan stores inside
    the transaction that claims the step and sends afterwards (``notification_emails_deliver``)."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                title=title,
                body=body,
                url=url,
                kind=kind,
                rule_id=rule_id,
                deadline=deadline,
                dedupe_key=dedupe_key,
                email_pending=bool(email and recipient.email),
            )
    except IntegrityError:
        return None
    if deliver and notification.email_pending:
        _email_deliver(notification.pk)
    return notification


def _email_deliver(notification_id: int) -> bool:
    """Send the pending e-mail of one notification, under its row lock (``SKIP LOCKED``: a
    concurrent run leaves it alone), and clear the flag in the same transaction. A worker that
    dies between sending and commit may send it once more: at least once, never lost."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, email_pending=True)
            .first()
        )
        if notification is None:
            return False
        address = notification.recipient.email
        try:
            if address:
                send_mail(
                    notification.title,
                    f"{notification.body}\n\n{notification.url}".strip(),
                    None,
                    [address],
                )
        except Exception:  # mail server down: the inbox copy stands; retried by the next run
            logger.exception("e-mail for notification %s failed", notification.pk)
            notification.email_attempts += 1
            notification.email_pending = notification.email_attempts < EMAIL_ATTEMPTS
            notification.save(update_fields=["email_attempts", "email_pending"])
            return False
        notification.email_pending = False
        notification.email_attempts += 1
        notification.emailed_at = timezone.now() if address else None
        notification.save(update_fields=["email_pending", "email_attempts", "emailed_at"])
        return bool(address)


def notification_emails_deliver(*, limit: int = 5000) -> int:
    """Send every stored notification whose e-mail is still pending (the scan's own, and any a
    killed worker left behind). Idempotent. Returns e-mails sent."""
    pending = list(Notification.objects.filter(email_pending=True).order_by("id").values_list("id", flat=True)[:limit])
    return sum(_email_deliver(pk) for pk in pending)


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def _step_roles(deadline: Deadline, overdue: bool) -> list[str]:
    """Roles of the deadline's department that a step reaches: ``remind_roles`` on every step,
    ``escalate_roles`` as well on the overdue notice."""
    return [*deadline.remind_roles, *(deadline.escalate_roles if overdue else [])]


def _recipients(deadline: Deadline, overdue: bool) -> list:
    users = []
    if deadline.assignee_id and deadline.assignee.is_active:
        users.append(deadline.assignee)
    roles = _step_roles(deadline, overdue)
    if roles and deadline.department_id:
        User = get_user_model()
        users += list(
            User.objects.filter(
                is_active=True,
                officer__department_id=deadline.department_id,
                groups__name__in=roles,
            )
            .distinct()
            .order_by("pk")
        )
    seen, unique = set(), []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            unique.append(u)
    return unique


def deadline_scan(*, today: datetime.date | None = None, limit: int = 5000) -> int:
    """Send every reminder and overdue notice that has come due. Safe to run twice, also
    concurrently: each step is claimed with ``UPDATE … WHERE stage = <seen>`` and only the run
    whose update changed the row sends it (healthchecks ``sendalerts``). The claim and the
    step's stored notifications are one transaction; e-mails go out after the commits, and any
    left pending by an earlier (killed) run go out too. Returns steps sent."""
    today = today or timezone.localdate()
    sent = 0
    due_ids = list(
        Deadline.objects.filter(status=DeadlineStatus.OPEN, next_action_on__lte=today)
        .order_by("next_action_on", "id")
        .values_list("id", flat=True)[:limit]
    )
    for deadline_id in due_ids:
        deadline = Deadline.objects.select_related("assignee").filter(pk=deadline_id).first()
        if deadline is None or deadline.status != DeadlineStatus.OPEN:
            continue
        steps = deadline.steps()
        # Skip to the latest step that has come due: a reminder is pointless once overdue.
        step = deadline.stage
        while step + 1 < len(steps) and steps[step + 1] <= today:
            step += 1
        if step >= len(steps) or steps[step] > today:
            continue
        new_stage = step + 1
        next_on = steps[new_stage] if new_stage < len(steps) else None
        # The claim and the stored notifications commit together: a worker killed in between
        # rolls both back, and the next scan takes the step again (nothing claimed and unsent).
        with transaction.atomic():
            claimed = Deadline.objects.filter(pk=deadline.pk, stage=deadline.stage, status=DeadlineStatus.OPEN).update(
                stage=new_stage, next_action_on=next_on
            )
            if claimed != 1:
                continue  # another run took this step
            overdue = new_stage == len(steps)
            _send_step(deadline, step, overdue, today)
        sent += 1
    notification_emails_deliver()
    return sent


def _send_step(deadline: Deadline, step: int, overdue: bool, today: datetime.date) -> None:
    left = (deadline.due_date - today).days
    if overdue:
        title = _("【逾期】%(title)s（%(rule)s，截止 %(due)s）") % {
            "title": deadline.title,
            "rule": deadline.rule_id,
            "due": deadline.due_date.isoformat(),
        }
        kind = NotificationKind.OVERDUE
    else:
        title = _("【提醒】%(title)s：还剩 %(left)s 天（%(rule)s）") % {
            "title": deadline.title,
            "left": left,
            "rule": deadline.rule_id,
        }
        kind = NotificationKind.REMINDER
    body = _("起算日 %(start)s，期限 %(days)s 天，截止日 %(due)s。依据：%(rule)s。") % {
        "start": deadline.start_date.isoformat(),
        "days": (deadline.due_date - deadline.start_date).days,
        "due": deadline.due_date.isoformat(),
        "rule": deadline.rule_id,
    }
    for user in _recipients(deadline, overdue):
        notify(
            recipient=user,
            title=title,
            body=body,
            url=deadline.url,
            kind=kind,
            rule_id=deadline.rule_id,
            deadline=deadline,
            dedupe_key=f"deadline:{deadline.pk}:{deadline.due_date.isoformat()}:{step}:{user.pk}",
            deliver=False,
        )
