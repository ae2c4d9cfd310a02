from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from ensemble.core.models import Office

from .models import StaffMembership, User


def staff_offices(user: User) -> QuerySet[Office]:
    if not user.is_authenticated:
        return Office.objects.none()
    return Office.objects.filter(staff__user=user, staff__is_active=True).order_by("name")


def active_staff_membership(user: User, office: Office) -> StaffMembership | None:
    """The person's active place in the office's team (with its office), or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        StaffMembership.objects.select_related("office")
        .filter(user=user, office=office, is_active=True)
        .first()
    )


def is_office_staff(user: User, office: Office) -> bool:
    return active_staff_membership(user, office) is not None


def office_team(office: Office) -> QuerySet[StaffMembership]:
    """Everyone who works or worked for the office, active first, by name."""
    return (
        StaffMembership.objects.filter(office=office)
        .select_related("user")
        .order_by("-is_active", "user__full_name", "user__email")
    )


def totp_authenticator(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
