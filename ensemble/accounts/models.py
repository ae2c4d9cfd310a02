"""People who log in: office staff and partners' people. The e-mail is the login."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import Office

from .roles import MANAGER_ROLE, Role, role_has, role_requires_mfa


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Language(models.TextChoices):
        FR = "fr", "Français"
        EN = "en", "English"
        NL = "nl", "Nederlands"

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150, blank=True, default="")
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, default=Language.FR)
    is_staff = models.BooleanField(
        _("accès à l'administration technique"),
        default=False,
        help_text=_("Accès à l'admin Django ; le back office dépend de l'appartenance à un office."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")

    def __str__(self) -> str:
        return self.full_name or self.email


class StaffMembership(models.Model):
    """A person working for an office, in one of its pôles, with a role that decides what they may
    do in that office's back office (accounts.roles). A deactivated membership grants nothing and
    is kept: it is who did what in the audit log."""

    class Pole(models.TextChoices):
        RECEPTION = "accueil", _("Accueil")
        SALES = "commercialisation", _("Commercialisation")
        PROMOTION = "promotion", _("Promotion / communication")
        PARTNERS = "partenaires", _("Relations partenaires")
        ADMINISTRATION = "administration", _("Administration")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_memberships")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="staff")
    pole = models.CharField(_("pôle"), max_length=20, choices=Pole.choices)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.READ_ONLY)
    is_active = models.BooleanField(_("actif"), default=True)
    deactivated_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre de l'équipe")
        constraints = [models.UniqueConstraint(fields=["user", "office"], name="staff_one_row_per_office")]

    def __str__(self) -> str:
        return f"{self.user} — {self.office} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role == MANAGER_ROLE

    def has_permission(self, permission: str) -> bool:
        return self.is_active and role_has(self.role, permission)

    def requires_mfa(self) -> bool:
        return role_requires_mfa(self.role) or self.office.require_staff_mfa
