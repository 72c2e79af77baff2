"""Test data builders. Everything goes through the real services."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from assessments import services
from assessments.models import Assessment, Role, Unit

_counter = itertools.count(1)
PASSWORD = "Test-pass-2026"


def make_unit(name: str | None = None) -> Unit:
    n = next(_counter)
    return Unit.objects.create(name=name or f"测试单位{n}", code=f"unit-{n}")


def make_user(username: str, *, roles: list[Role], units: list[Unit], **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.set(Group.objects.filter(name__in=roles))
    for unit in units:
        unit.members.add(user)
    return user


def make_assessment(*, unit: Unit, author, **fields) -> Assessment:
    defaults = {
        "title": "测试项目社会稳定风险评估报告",
        "project_name": "测试项目",
        "responsible_entity": "测试责任单位",
        "evaluating_unit": "测试评估单位",
    }
    return services.assessment_create(owner_unit=unit, author=author, **{**defaults, **fields})
