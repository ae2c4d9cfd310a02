"""Staff roles per office: each role is a set of permissions, and every back-office view and action
declares the one permission it needs (`StaffRequiredMixin.permission`).

The roles follow how an office works (its pôles): the direction runs everything, partner relations
run the club, the desk answers visitors and partners, accounting owns the money, promotion owns
what is published. The matrix is documented in docs/security.md and tested over every URL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Permission(models.TextChoices):
    VIEW = "view", _("Consulter le back office")
    PARTNERS = "partners", _("Gérer les partenaires et les adhésions")
    MODERATE = "moderate", _("Modérer les fiches et les événements")
    COMMUNICATION = "communication", _("Gérer la promotion (écrans, guide imprimé, banque d'images, agenda)")
    INVOICE = "invoice", _("Émettre des factures et des devis, enregistrer des paiements")
    REFUND = "refund", _("Avoirs, annulations de paiement et remboursements")
    EXPORT = "export", _("Exporter des données")
    IMPORT = "import", _("Importer des données")
    SETTINGS = "settings", _("Paramètres de l'office et coordonnées bancaires")
    STAFF = "staff", _("Gérer l'équipe")


class Role(models.TextChoices):
    DIRECTION = "direction", _("Direction")
    PARTNERS = "partenaires", _("Relations partenaires")
    RECEPTION = "accueil", _("Accueil")
    ACCOUNTING = "comptabilite", _("Comptabilité")
    PROMOTION = "promotion", _("Promotion / communication")
    READ_ONLY = "lecture", _("Lecture seule")


P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DIRECTION: frozenset(P.values),
    Role.PARTNERS: frozenset({P.VIEW, P.PARTNERS, P.MODERATE, P.COMMUNICATION, P.EXPORT, P.IMPORT}),
    Role.RECEPTION: frozenset({P.VIEW, P.MODERATE}),
    Role.ACCOUNTING: frozenset({P.VIEW, P.INVOICE, P.REFUND, P.EXPORT, P.IMPORT}),
    Role.PROMOTION: frozenset({P.VIEW, P.MODERATE, P.COMMUNICATION}),
    Role.READ_ONLY: frozenset({P.VIEW}),
}

# Roles that touch money, exports, settings or staff must meet a second factor (TOTP).
SENSITIVE_PERMISSIONS = frozenset({P.INVOICE, P.REFUND, P.EXPORT, P.SETTINGS, P.STAFF})
# The role that may manage staff: an office always keeps at least one active member with it.
MANAGER_ROLE = Role.DIRECTION


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def role_has(role: str, permission: str) -> bool:
    return permission in role_permissions(role)


def role_requires_mfa(role: str) -> bool:
    return bool(role_permissions(role) & SENSITIVE_PERMISSIONS)
