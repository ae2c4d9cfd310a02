from django.db.models import QuerySet

from ensemble.core.models import Office

from .models import StaffMembership, User


def staff_offices(user: User) -> QuerySet[Office]:
    if not user.is_authenticated:
        return Office.objects.none()
    return Office.objects.filter(staff__user=user).order_by("name")


def is_office_staff(user: User, office: Office) -> bool:
    return (
        user.is_authenticated
        and StaffMembership.objects.filter(user=user, office=office, user__is_active=True).exists()
    )
