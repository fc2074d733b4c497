import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role, User
from core import id_numbers
from filing.models import Filing
from registry.models import Enrollment, Household, Relationship, Resident
from reimbursement.models import ReimbursementCase

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_role_two_stations_and_valid_residents(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    assert {user.role for user in User.objects.all()} == set(Role.values)
    assert Resident.objects.values("station").distinct().count() == 2
    assert Resident.objects.count() >= 300
    for number in Resident.objects.values_list("id_number", flat=True):
        assert id_numbers.validate(number) == number
    for household in Household.objects.all():
        heads = household.members.filter(relationship_to_head=Relationship.HEAD)
        assert heads.count() == 1
    assert Enrollment.objects.filter(completed_at__isnull=False).count() == Resident.objects.count()
    assert ReimbursementCase.objects.exists() and Filing.objects.exists()
    call_command("load_demo", verbosity=0)  # a second run changes nothing
    assert Resident.objects.count() == Resident.history.count()


def test_the_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="生产环境不得载入演示数据"):
        call_command("load_demo")
