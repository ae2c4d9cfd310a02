"""Reception screens and their messages: every change goes through here.

There is no office-level timeline: the services log who did what (as the office settings do).
"""

import datetime
import logging
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.core.transactions import lock
from ensemble.listings.fields import plain_text

from .errors import ScreenError
from .models import MESSAGE_MAX, Screen, ScreenMessage, hash_token

logger = logging.getLogger(__name__)

NAME_MAX = 120
SEEN_EVERY = datetime.timedelta(minutes=1)
LONGEST_MESSAGE = datetime.timedelta(days=366)


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _clean_name(name: str) -> str:
    name = " ".join(plain_text(name).split())
    if not name:
        raise ScreenError("Le nom de l'écran est obligatoire.", field="name")
    if len(name) > NAME_MAX:
        raise ScreenError(f"Le nom dépasse {NAME_MAX} caractères : raccourcissez-le.", field="name")
    return name


@transaction.atomic
def create_screen(office: Office, *, name: str, actor: User) -> tuple[Screen, str]:
    """A new screen and its secret token (the only time it is known: show its URL once)."""
    name = _clean_name(name)
    token, token_hash = _new_token()
    screen = Screen.objects.create(office=office, name=name, token_hash=token_hash, created_by=actor)
    logger.info("Screen %s (%s) created by %s", screen.pk, name, actor)
    return screen, token


@transaction.atomic
def rename_screen(screen: Screen, *, name: str, actor: User) -> Screen:
    name = _clean_name(name)
    screen = lock(screen)
    screen.name = name
    screen.save(update_fields=["name", "updated_at"])
    logger.info("Screen %s renamed %s by %s", screen.pk, name, actor)
    return screen


@transaction.atomic
def revoke_screen(screen: Screen, *, actor: User) -> Screen:
    """The screen's URL answers 404 from the next request on."""
    screen = lock(screen)
    if screen.revoked_at is not None:
        raise ScreenError("Cet écran est déjà désactivé.", code="revoked")
    screen.revoked_at = timezone.now()
    screen.save(update_fields=["revoked_at", "updated_at"])
    logger.info("Screen %s revoked by %s", screen.pk, actor)
    return screen


@transaction.atomic
def regenerate_screen_token(screen: Screen, *, actor: User) -> tuple[Screen, str]:
    """A new secret URL for the screen (the old one answers 404 at once); a revoked screen is
    active again with the new URL."""
    screen = lock(screen)
    token, screen.token_hash = _new_token()
    screen.revoked_at = None
    screen.save(update_fields=["token_hash", "revoked_at", "updated_at"])
    logger.info("Screen %s got a new address from %s", screen.pk, actor)
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
        raise ScreenError("Le message est obligatoire.", field="text")
    if len(text) > MESSAGE_MAX:
        raise ScreenError(
            f"Le message dépasse {MESSAGE_MAX} caractères ({len(text)}) : raccourcissez-le.", field="text"
        )
    if starts_on is None:
        raise ScreenError("La date de début est obligatoire.", field="starts_on")
    if ends_on is None:
        raise ScreenError("La date de fin est obligatoire.", field="ends_on")
    if ends_on < starts_on:
        raise ScreenError("La date de fin précède la date de début.", field="ends_on")
    if ends_on < timezone.localdate():
        raise ScreenError(
            "Cette date de fin est passée : le message ne serait jamais affiché.", field="ends_on"
        )
    if ends_on - starts_on > LONGEST_MESSAGE:
        raise ScreenError("Un message s'affiche au plus un an : raccourcissez la période.", field="ends_on")
    screens = list(screens)
    if any(screen.office_id != office.pk for screen in screens):
        raise ScreenError("Écran inconnu.", field="screens")
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
    logger.info("Screen message %s created by %s", message.pk, actor)
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
    message.text, message.starts_on, message.ends_on = text, starts_on, ends_on
    message.save(update_fields=["text", "starts_on", "ends_on", "updated_at"])
    message.screens.set(screens)
    logger.info("Screen message %s edited by %s", message.pk, actor)
    return message


@transaction.atomic
def delete_screen_message(message: ScreenMessage, *, actor: User) -> None:
    logger.info("Screen message %s (%s) deleted by %s", message.pk, message.text[:40], actor)
    message.delete()
