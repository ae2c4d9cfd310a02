"""Creating logins and letting a person set their password (which verifies their e-mail)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy

from ensemble.core import audit
from ensemble.core.errors import EnsembleError
from ensemble.core.models import Office

from .models import User


class AccountError(EnsembleError):
    pass


audit.register_actions(
    {"account.password_set": gettext_lazy("%(target)s a choisi son mot de passe (adresse e-mail vérifiée)")}
)


def get_or_create_login(email: str, *, full_name: str = "", language: str = "fr") -> User:
    """The login for `email`, created without a password if it does not exist yet.

    Writes no audit entry: it is a step of the services that invite a person (join request,
    team invitation, staff invitation), whose one entry says who was invited by whom."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, full_name=full_name, language=language)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def activation_token(user: User) -> tuple[str, str]:
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def user_from_activation_token(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


@transaction.atomic
def set_initial_password(user: User, *, password: str, office: Office | None = None) -> User:
    """The person chose a password from the link we e-mailed: that proves the address. `office`:
    the office whose site the link was opened on, for its log (a login may serve several)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), field="password1") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    # The person acts on their own login; nothing of the password reaches the log.
    audit.record("account.password_set", actor=user, office=office, target=user)
    return user
