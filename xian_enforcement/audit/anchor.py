"""The daily anchor of the audit chain outside the database (security.md "Audit").

Once a day the chain head (last row id and hash, row count) is written as a signed line —
``audit-anchor <date> #<id> <hash> rows=<n> hmac=<HMAC-SHA256 of the rest with AUDIT_HMAC_KEY>`` —
to the log (kept by the log collector, outside the database) and to every security
administrator's (安全管理员) inbox, whose e-mail copy also leaves the database. A chain rewritten
or cut at the end after that day no longer contains the anchored row with that hash:
``manage.py verify_audit --anchor "<line>"`` checks one."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role

from .keys import keyed_hexdigest, same
from .models import GENESIS, AuditChainHead, AuditEvent

logger = logging.getLogger("xian.audit.anchor")
LINE = re.compile(r"audit-anchor (\S+) #(\d+) ([0-9a-f]{64}) rows=(\d+) hmac=([0-9a-f]{64})")


def _sign(body: str) -> str:
    return keyed_hexdigest("audit-anchor:" + body)


@dataclass
class Anchor:
    line: str
    last_id: int
    last_hash: str
    notified: int


def audit_anchor_write() -> Anchor:
    """Write today's anchor line to the log and to the security administrators' inboxes (once a
    day each: the notification's dedupe key is the date)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    last_id, last_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    today = timezone.localdate().isoformat()
    body = f"audit-anchor {today} #{last_id} {last_hash} rows={AuditEvent.objects.count()}"
    line = f"{body} hmac={_sign(body)}"
    logger.info("%s", line)
    notified = 0
    for user in get_user_model().objects.filter(is_active=True, groups__name=Role.SECADMIN).distinct():
        sent = notices.notify(
            recipient=user,
            title=_("审计链锚定：%(d)s") % {"d": today},
            body=_("今日审计链头（请保存在数据库之外，用于核对审计记录是否被改写）：\n%(line)s") % {"line": line},
            dedupe_key=f"audit-anchor-{today}-{user.pk}",
        )
        notified += sent is not None
    return Anchor(line, last_id, last_hash, notified)


def audit_anchor_check(line: str) -> str:
    """ "" when the anchored row is still in the chain with the anchored hash (or was purged
    since: then the purge record's anchor decides), else why not."""
    match = LINE.search(line.strip())
    if not match:
        return "not an audit-anchor line"
    body = line.strip()[: line.strip().rindex(" hmac=")]
    if not same(_sign(body), match.group(5)):
        return "the anchor line's signature does not match (not signed with this AUDIT_HMAC_KEY)"
    last_id, last_hash = int(match.group(2)), match.group(3)
    if last_id == 0:
        return ""
    row = AuditEvent.objects.filter(pk=last_id).values_list("row_hash", flat=True).first()
    if row is None:
        first = AuditEvent.objects.order_by("pk").values_list("pk", flat=True).first()
        if first is not None and first > last_id:
            return ""  # purged under retention since; verify_audit checks the purge record
        return f"anchored row #{last_id} is missing from the chain"
    if row != last_hash:
        return f"anchored row #{last_id} has another hash now: the chain was rewritten"
    return ""
