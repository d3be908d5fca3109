"""security.md "Privacy (PIPL)": personal-data fields are marked in the model; identities that
must be protected are encrypted at rest (a raw SQL read shows ciphertext)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from tests.factories import certified_officer
from xian_enforcement.org.crypto import EncryptedCharField

# Fields holding personal data, by name, wherever they appear.
PERSONAL_NAMES = {"phone", "id_number", "party_name", "reporter_name", "reporter_contact"}


def _project_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.split(".")[0] in {"xian_enforcement", "cases", "reviews", "stats", "tolerance"}
    ]


def test_personal_data_fields_are_marked_in_the_model():
    unmarked = []
    for model in _project_models():
        for field in model._meta.concrete_fields:
            personal = field.name in PERSONAL_NAMES or isinstance(field, EncryptedCharField)
            if personal and "个人信息" not in str(field.help_text):
                unmarked.append(f"{model._meta.label}.{field.name}")
    assert not unmarked, f"mark personal data with help_text '个人信息…': {unmarked}"


def test_identity_fields_are_encrypted_at_rest():
    """The officer's ID number and the reporter's identity are EncryptedCharFields."""
    from tolerance.models import Complaint
    from xian_enforcement.org.models import Officer

    for model, name in ((Officer, "id_number"), (Complaint, "reporter_name"), (Complaint, "reporter_contact")):
        assert isinstance(model._meta.get_field(name), EncryptedCharField), f"{model.__name__}.{name}"


@pytest.mark.django_db
def test_raw_sql_read_of_an_id_number_shows_ciphertext(dept):
    officer = certified_officer(dept, id_number="141031198001011234")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM org_officer WHERE id = %s", [officer.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc:") and "141031198001011234" not in raw
