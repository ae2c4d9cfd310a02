"""Reception screens and their messages: every change goes through here, and writes one entry of
the audit log (office-level: no organisation)."""

import datetime
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office
from ensemble.core.transactions import lock
from ensemble.listings.fields import plain_text

from .errors import ScreenError
from .models import MESSAGE_MAX, Screen, ScreenMessage, hash_token

audit.register_actions(
    {
        "screen.created": gettext_lazy("Écran « %(target)s » créé"),
        "screen.renamed": gettext_lazy("Écran renommé : %(name)s"),
        "screen.revoked": gettext_lazy("Écran « %(target)s » désactivé"),
        "screen.token_regenerated": gettext_lazy("Nouvelle adresse secrète pour l'écran « %(target)s »"),
        "screen_message.created": gettext_lazy(
            "Message d'écran « %(target)s » créé (%(starts_on)s → %(ends_on)s)"
        ),
        "screen_message.edited": gettext_lazy("Message d'écran « %(target)s » modifié"),
        "screen_message.deleted": gettext_lazy("Message d'écran « %(target)s » supprimé"),
    }
)

NAME_MAX = 120
SEEN_EVERY = datetime.timedelta(minutes=1)
LONGEST_MESSAGE = datetime.timedelta(days=366)


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _clean_name(name: str) -> str:
    name = " ".join(plain_text(name).split())
    if not name:
        raise ScreenError(_("Le nom de l'écran est obligatoire."), field="name")
    if len(name) > NAME_MAX:
        raise ScreenError(
            _("Le nom dépasse %(max)s caractères : raccourcissez-le.") % {"max": NAME_MAX}, field="name"
        )
    return name


@transaction.atomic
def create_screen(office: Office, *, name: str, actor: User) -> tuple[Screen, str]:
    """A new screen and its secret token (the only time it is known: show its URL once)."""
    name = _clean_name(name)
    token, token_hash = _new_token()
    screen = Screen.objects.create(office=office, name=name, token_hash=token_hash, created_by=actor)
    audit.record("screen.created", actor=actor, office=office, target=screen, data={"name": name})
    return screen, token


@transaction.atomic
def rename_screen(screen: Screen, *, name: str, actor: User) -> Screen:
    name = _clean_name(name)
    screen = lock(screen)
    before = screen.name
    screen.name = name
    screen.save(update_fields=["name", "updated_at"])
    audit.record(
        "screen.renamed",
        actor=actor,
        office=screen.office,
        target=screen,
        data=audit.changes({"name": before}, {"name": name}),
    )
    return screen


@transaction.atomic
def revoke_screen(screen: Screen, *, actor: User) -> Screen:
    """The screen's URL answers 404 from the next request on."""
    screen = lock(screen)
    if screen.revoked_at is not None:
        raise ScreenError(_("Cet écran est déjà désactivé."), code="revoked")
    screen.revoked_at = timezone.now()
    screen.save(update_fields=["revoked_at", "updated_at"])
    audit.record("screen.revoked", actor=actor, office=screen.office, target=screen)
    return screen


@transaction.atomic
def regenerate_screen_token(screen: Screen, *, actor: User) -> tuple[Screen, str]:
    """A new secret URL for the screen (the old one answers 404 at once); a revoked screen is
    active again with the new URL."""
    screen = lock(screen)
    was_revoked = screen.revoked_at is not None
    token, screen.token_hash = _new_token()
    screen.revoked_at = None
    screen.save(update_fields=["token_hash", "revoked_at", "updated_at"])
    # Nothing of the token itself: only that the address changed.
    audit.record(
        "screen.token_regenerated",
        actor=actor,
        office=screen.office,
        target=screen,
        data={"reactivated": was_revoked},
    )
    return screen, token


def record_screen_seen(screen: Screen, *, now: datetime.datetime | None = None) -> bool:
    """Note that the screen asked for its content: at most one UPDATE a minute per screen, and
    none when the loaded row says it was seen less than a minute ago. The UPDATE is
    conditional, so two requests in the same minute write once."""
    now = now or timezone.now()
    if screen.last_seen_at is not None and now - screen.last_seen_at < SEEN_EVERY:
        return False
    updated = (
        Screen.objects.filter(pk=screen.pk)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lte=now - SEEN_EVERY))
        .update(last_seen_at=now)
    )
    screen.last_seen_at = now
    return bool(updated)


# ---- messages -----------------------------------------------------------------------------


def _check_message(
    office: Office,
    *,
    text: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    screens: Iterable[Screen],
) -> tuple[str, list[Screen]]:
    text = plain_text(text)
    if not text:
        raise ScreenError(_("Le message est obligatoire."), field="text")
    if len(text) > MESSAGE_MAX:
        raise ScreenError(
            _("Le message dépasse %(max)s caractères (%(length)s) : raccourcissez-le.")
            % {"max": MESSAGE_MAX, "length": len(text)},
            field="text",
        )
    if starts_on is None:
        raise ScreenError(_("La date de début est obligatoire."), field="starts_on")
    if ends_on is None:
        raise ScreenError(_("La date de fin est obligatoire."), field="ends_on")
    if ends_on < starts_on:
        raise ScreenError(_("La date de fin précède la date de début."), field="ends_on")
    if ends_on < timezone.localdate():
        raise ScreenError(
            _("Cette date de fin est passée : le message ne serait jamais affiché."), field="ends_on"
        )
    if ends_on - starts_on > LONGEST_MESSAGE:
        raise ScreenError(
            _("Un message s'affiche au plus un an : raccourcissez la période."), field="ends_on"
        )
    screens = list(screens)
    if any(screen.office_id != office.pk for screen in screens):
        raise ScreenError(_("Écran inconnu."), field="screens")
    return text, screens


@transaction.atomic
def create_screen_message(
    office: Office,
    *,
    text: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    screens: Iterable[Screen] = (),
    actor: User,
) -> ScreenMessage:
    """A message for the chosen screens (none chosen: all the office's screens)."""
    text, screens = _check_message(office, text=text, starts_on=starts_on, ends_on=ends_on, screens=screens)
    message = ScreenMessage.objects.create(
        office=office, text=text, starts_on=starts_on, ends_on=ends_on, created_by=actor
    )
    message.screens.set(screens)
    audit.record(
        "screen_message.created",
        actor=actor,
        office=office,
        target=message,
        data={"starts_on": starts_on, "ends_on": ends_on, "screens": sorted(s.pk for s in screens)},
    )
    return message


@transaction.atomic
def edit_screen_message(
    message: ScreenMessage,
    *,
    text: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    screens: Iterable[Screen] = (),
    actor: User,
) -> ScreenMessage:
    text, screens = _check_message(
        message.office, text=text, starts_on=starts_on, ends_on=ends_on, screens=screens
    )
    message = lock(message)
    before = {
        "text": message.text,
        "starts_on": message.starts_on,
        "ends_on": message.ends_on,
        "screens": sorted(message.screens.values_list("pk", flat=True)),
    }
    message.text, message.starts_on, message.ends_on = text, starts_on, ends_on
    message.save(update_fields=["text", "starts_on", "ends_on", "updated_at"])
    message.screens.set(screens)
    after = {
        "text": text,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "screens": sorted(s.pk for s in screens),
    }
    audit.record(
        "screen_message.edited",
        actor=actor,
        office=message.office,
        target=message,
        data={"changes": audit.changes(before, after)},
    )
    return message


@transaction.atomic
def delete_screen_message(message: ScreenMessage, *, actor: User) -> None:
    message = lock(message)  # the entry describes the message as stored, not the caller's copy
    # Written before the delete, while the message (its id and label) still exists.
    audit.record(
        "screen_message.deleted",
        actor=actor,
        office=message.office,
        target=message,
        data={"starts_on": message.starts_on, "ends_on": message.ends_on},
    )
    message.delete()
