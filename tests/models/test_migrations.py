"""Data migrations: role groups to memberships per unit (0005), prose to records (0008),
home units and names in their one form (0013)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assessments", "0004_audit_time_label")]
AFTER = [("assessments", "0005_memberships")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_members_groups_become_their_roles_in_their_own_units_only():
    old = migrate(BEFORE)
    Unit, Group = old.get_model("assessments", "Unit"), old.get_model("auth", "Group")
    User = old.get_model("auth", "User")
    groups = {
        name: Group.objects.get_or_create(name=name)[0]
        for name in ["评估人员", "审核人员", "文书", "管理员"]
    }
    zhoucun = Unit.objects.create(name="周村区大数据局", code="zc")
    zhangdian = Unit.objects.create(name="张店区大数据局", code="zd")
    alice = User.objects.create(username="alice")
    alice.groups.set([groups["评估人员"], groups["审核人员"]])
    zhoucun.members.add(alice)
    bob = User.objects.create(username="bob")
    bob.groups.set([groups["文书"]])
    zhoucun.members.add(bob)
    zhangdian.members.add(bob)
    carol = User.objects.create(username="carol")
    carol.groups.set([groups["管理员"]])
    zhangdian.members.add(carol)
    User.objects.create(username="nobody").groups.set([groups["评估人员"]])  # in no unit

    new = migrate(AFTER)

    Membership = new.get_model("assessments", "Membership")
    held = set(Membership.objects.values_list("user__username", "unit__code", "role"))
    assert held == {
        ("alice", "zc", "assessor"),
        ("alice", "zc", "reviewer"),
        ("bob", "zc", "clerk"),
        ("bob", "zd", "clerk"),
        ("carol", "zd", "unit_admin"),
    }
    # Nothing may find a role by a group's name any more.
    assert not new.get_model("auth", "Group").objects.filter(name__in=groups).exists()
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())  # back to today's schema for the next tests


@pytest.mark.django_db(transaction=True)
def test_the_prose_basis_and_emergency_plan_become_records():
    old = migrate([("assessments", "0006_refuse_truncate")])
    Unit, User = old.get_model("assessments", "Unit"), old.get_model("auth", "User")
    Assessment = old.get_model("assessments", "Assessment")
    unit = Unit.objects.create(name="周村区大数据局", code="zc")
    author = User.objects.create(username="alice")
    fields = {"owner_unit": unit, "author": author, "title": "t", "project_name": "p"}
    with_prose = Assessment.objects.create(
        **fields,
        basis_documents="《重大行政决策程序暂行条例》\n\n发改投资〔2012〕2492号",
        emergency_plan="立即启动应急响应。",
    )
    without = Assessment.objects.create(**fields)

    new = migrate([("assessments", "0008_standard_records")])

    BasisDocument = new.get_model("assessments", "BasisDocument")
    StandardRecord = new.get_model("assessments", "StandardRecord")
    titles = list(
        BasisDocument.objects.filter(assessment_id=with_prose.pk)
        .order_by("order")
        .values_list("title", flat=True)
    )
    assert titles == ["《重大行政决策程序暂行条例》", "发改投资〔2012〕2492号"]
    assert StandardRecord.objects.get(assessment_id=with_prose.pk).emergency_measures == (
        "立即启动应急响应。"
    )
    assert not BasisDocument.objects.filter(assessment_id=without.pk).exists()
    assert not StandardRecord.objects.filter(assessment_id=without.pk).exists()
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_accounts_get_a_home_unit_and_names_their_one_form():
    """Migration 0013: the home unit is the unit of the earliest role; a look-alike prefix
    that collides once normalised is cleared, a look-alike name gets its number."""
    old = migrate([("assessments", "0012_text_limits_everywhere")])
    Unit, User = old.get_model("assessments", "Unit"), old.get_model("auth", "User")
    Membership = old.get_model("assessments", "Membership")
    first = Unit.objects.create(name="甲区大数据局", code="a", report_prefix="甲稳评")
    twin = Unit.objects.create(name="甲区大数据局\u200b", code="b", report_prefix="甲稳评\u200b")
    Unit.objects.create(name="乙区", code="c", report_prefix="ＺＢ稳评")
    alice = User.objects.create(username="alice")
    early = Membership.objects.create(user=alice, unit=twin, role="assessor")
    later = Membership.objects.create(user=alice, unit=first, role="reviewer")
    Membership.objects.filter(pk=early.pk).update(created_at=later.created_at.replace(year=2020))
    User.objects.create(username="\u0430lice")  # Cyrillic а: the same key, so none

    new = migrate([("assessments", "0013_home_unit_and_identifiers")])

    units = {
        u.code: (u.name, u.report_prefix)
        for u in new.get_model("assessments", "Unit").objects.all()
    }
    assert units == {
        "a": ("甲区大数据局", "甲稳评"),
        "b": (f"甲区大数据局 ({twin.pk})", ""),
        "c": ("乙区", "ZB稳评"),
    }
    Profile = new.get_model("assessments", "Profile")
    profiles = {p.user.username: (p.home_unit_id, p.username_key) for p in Profile.objects.all()}
    assert profiles == {"alice": (twin.pk, "alice"), "\u0430lice": (None, None)}
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
