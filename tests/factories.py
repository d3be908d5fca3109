"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cases.models import CaseCategory, CaseFile, PowerItem
from xian_enforcement.org.choices import CertificateStatus, DepartmentKind, UnitKind
from xian_enforcement.org.models import Certificate, Department, Officer, OrgUnit, Region

PASSWORD = "Test-Passw0rd!"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "141031"
    name = "隰县"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    region = factory.SubFactory(RegionFactory)
    kind = DepartmentKind.COUNTY_DEPARTMENT
    name = factory.Sequence(lambda n: f"测试局{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    code = factory.Sequence(lambda n: f"D{n:04d}")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    department = factory.SubFactory(DepartmentFactory)
    kind = UnitKind.ENFORCEMENT
    name = factory.Sequence(lambda n: f"执法大队{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=r)[0] for r in extracted])
        if create:
            self.save()


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    region = factory.LazyAttribute(lambda o: o.department.region if o.department else RegionFactory())
    name = factory.Sequence(lambda n: f"执法员{n}")
    post = "科员"
    phone = "13800000000"
    id_number = factory.Sequence(lambda n: f"14103119800101{n:04d}")


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    officer = factory.SubFactory(OfficerFactory)
    number = factory.Sequence(lambda n: f"14103100{n:06d}")
    issuing_organ = "隰县人民政府"
    valid_from = datetime.date(2020, 1, 1)
    valid_to = datetime.date(2035, 12, 31)
    status = CertificateStatus.ACTIVE


def certified_officer(department: Department, roles: list[str] | None = None, **kwargs) -> Officer:
    """An officer of ``department`` with a valid certificate and the given roles."""
    user = UserFactory(roles=roles or ["handler"])
    officer = OfficerFactory(user=user, department=department, region=department.region, **kwargs)
    CertificateFactory(officer=officer)
    return officer


def category(code: str = "punishment") -> CaseCategory:
    return CaseCategory.objects.get(code=code)


class PowerItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PowerItem

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"XZCF-{n:04d}")
    name = factory.Sequence(lambda n: f"对违法行为{n}的处罚")
    category = factory.LazyFunction(lambda: CaseCategory.objects.get(code="punishment"))
    legal_basis = "《中华人民共和国行政处罚法》"
    responsible_post = "执法股"
    liability_form = "责令改正；情节严重的依法追责"


class CaseFileFactory(factory.django.DjangoModelFactory):
    """A case file saved directly (bypassing services) for read-side tests. Write-side tests go
    through ``cases.services`` so every rule applies."""

    class Meta:
        model = CaseFile
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    year = 2026
    number = factory.Sequence(lambda n: f"隰测罚〔2026〕{n}号")
    category = factory.LazyFunction(lambda: CaseCategory.objects.get(code="punishment"))
    title = factory.Sequence(lambda n: f"未按规定经营案{n}")
    party_name = factory.Sequence(lambda n: f"某商户{n}")
    main_handler = factory.LazyAttribute(lambda o: certified_officer(o.department))
    filed_on = datetime.date(2026, 3, 2)
    fine_amount = Decimal("500.00")

    @factory.post_generation
    def co_handlers(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [certified_officer(self.department)]
        self.co_handlers.set(extracted)
