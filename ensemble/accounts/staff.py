"""The office's team: managers invite staff by e-mail, change their roles and deactivate them.

An office always keeps one active member with the manager's role (« direction »): the last one can
be neither demoted nor deactivated. Every change is locked on the office's managers (in primary-key
order, so two managers demoting each other at once cannot both succeed) and written to the audit
log.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.core import audit
from ensemble.core.mail import queue_email
from ensemble.core.models import Office

from .models import StaffMembership, User
from .roles import MANAGER_ROLE, Permission, Role
from .services import AccountError, activation_token, get_or_create_login

audit.register_actions(
    {
        "staff.invited": gettext_lazy("%(target)s invité(e) dans l'équipe, rôle %(role)s"),
        "staff.role_changed": gettext_lazy("Rôle de %(target)s changé : %(previous_role)s → %(role)s"),
        "staff.deactivated": gettext_lazy("Accès de %(target)s à l'équipe désactivé"),
        "staff.reactivated": gettext_lazy("Accès de %(target)s à l'équipe réactivé"),
        "access.denied": gettext_lazy("Accès refusé : %(permission)s nécessaire pour %(path)s"),
    }
)


def _require(office: Office, actor: User, permission: str = Permission.STAFF) -> StaffMembership:
    staff = StaffMembership.objects.filter(office=office, user=actor, is_active=True).first()
    if staff is None or not staff.has_permission(permission):
        raise AccountError(_("Seule la direction de l'office peut gérer l'équipe."), code="forbidden")
    return staff


def _lock_managers(office: Office) -> list[StaffMembership]:
    return list(
        StaffMembership.objects.select_for_update()
        .filter(office=office, role=MANAGER_ROLE, is_active=True, user__is_active=True)
        .order_by("pk")
    )


def _keep_a_manager(office: Office, staff: StaffMembership) -> None:
    """Refuse a change that would leave the office without an active manager."""
    managers = _lock_managers(office)
    if [m.pk for m in managers] == [staff.pk]:
        raise AccountError(
            _("L'office doit garder au moins une personne avec le rôle Direction."),
            field="role",
            code="last_manager",
        )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise AccountError(_("Choisissez un rôle dans la liste."), field="role", code="role")


@transaction.atomic
def invite_staff(office: Office, *, email: str, role: str, pole: str, actor: User) -> StaffMembership:
    """Give a person the office's back office with `role`; the e-mail carries the link to choose a
    password (or to log in, for a person who already has a login)."""
    _require(office, actor)
    _check_role(role)
    if pole not in StaffMembership.Pole.values:
        raise AccountError(_("Choisissez un pôle dans la liste."), field="pole", code="pole")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(_("Cette adresse e-mail n'est pas valide."), field="email") from None
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and StaffMembership.objects.filter(office=office, user=existing).exists():
        raise AccountError(
            _("Cette personne fait déjà partie de l'équipe : changez son rôle ou réactivez-la."),
            field="email",
            code="already_staff",
        )
    if existing is not None and not existing.is_active:
        raise AccountError(_("Ce compte est désactivé."), field="email", code="inactive")
    user = existing or get_or_create_login(email, language=actor.language)
    staff = StaffMembership.objects.create(user=user, office=office, role=role, pole=pole)
    uid, token = (None, None) if user.has_usable_password() else activation_token(user)
    queue_email(
        office,
        to=user.email,
        language=user.language,
        template="staff_invitation",
        context={"inviter": actor, "staff": staff, "activation_uid": uid, "activation_token": token},
    )
    audit.record("staff.invited", actor=actor, office=office, target=user, data={"role": role, "pole": pole})
    return staff


@transaction.atomic
def change_staff_role(staff: StaffMembership, *, role: str, actor: User) -> StaffMembership:
    _require(staff.office, actor)
    _check_role(role)
    staff = StaffMembership.objects.select_for_update().get(pk=staff.pk)
    if staff.role == role:
        return staff
    if staff.role == MANAGER_ROLE:
        _keep_a_manager(staff.office, staff)
    before = staff.role
    staff.role = role
    staff.save(update_fields=["role"])
    audit.record(
        "staff.role_changed",
        actor=actor,
        office=staff.office,
        target=staff.user,
        data={"role": role, "previous_role": before},
    )
    return staff


@transaction.atomic
def deactivate_staff(staff: StaffMembership, *, actor: User) -> StaffMembership:
    """Take the back office away from a person; the row stays (who did what), the login too (the
    person may also be a partner)."""
    _require(staff.office, actor)
    staff = StaffMembership.objects.select_for_update().get(pk=staff.pk)
    if not staff.is_active:
        raise AccountError(_("Cet accès est déjà désactivé."), code="inactive")
    if staff.role == MANAGER_ROLE:
        _keep_a_manager(staff.office, staff)
    staff.is_active = False
    staff.deactivated_at = timezone.now()
    staff.save(update_fields=["is_active", "deactivated_at"])
    audit.record("staff.deactivated", actor=actor, office=staff.office, target=staff.user)
    return staff


@transaction.atomic
def reactivate_staff(staff: StaffMembership, *, actor: User) -> StaffMembership:
    _require(staff.office, actor)
    staff = StaffMembership.objects.select_for_update().get(pk=staff.pk)
    if staff.is_active:
        raise AccountError(_("Cet accès est déjà actif."), code="active")
    staff.is_active = True
    staff.deactivated_at = None
    staff.save(update_fields=["is_active", "deactivated_at"])
    audit.record("staff.reactivated", actor=actor, office=staff.office, target=staff.user)
    return staff
