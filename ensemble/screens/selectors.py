"""Reads of the reception screens: staff lists (scoped to the office) and what a screen shows
(approved partner banners in their window, today's and the week's events, office messages)."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ensemble.claims.models import Claim
from ensemble.claims.selectors import active_banners
from ensemble.core.models import Office
from ensemble.events.models import Event
from ensemble.publishing.selectors import AgendaFilters, agenda

from .models import Screen, ScreenMessage, hash_token

WEEK = datetime.timedelta(days=6)  # today and the six days after it
MAX_EVENTS = 30
TOKEN_MAX = 100


# ---- staff ---------------------------------------------------------------------------------


def screens(office: Office) -> QuerySet[Screen]:
    return Screen.objects.filter(office=office).select_related("created_by").order_by("name", "pk")


def screen_of(office: Office, screen_id: int) -> Screen:
    """One of the office's screens; 404 otherwise."""
    return get_object_or_404(screens(office), pk=screen_id)


def screen_messages(office: Office, *, current: bool = True) -> QuerySet[ScreenMessage]:
    """Current and coming messages (by start), or past ones (latest first), with their screens."""
    today = timezone.localdate()
    queryset = ScreenMessage.objects.filter(office=office).prefetch_related(
        Prefetch("screens", queryset=Screen.objects.order_by("name", "pk"))
    )
    if current:
        return queryset.filter(ends_on__gte=today).order_by("starts_on", "pk")
    return queryset.filter(ends_on__lt=today).order_by("-ends_on", "-pk")


def screen_message_of(office: Office, message_id: int) -> ScreenMessage:
    return get_object_or_404(
        ScreenMessage.objects.filter(office=office).prefetch_related("screens"), pk=message_id
    )


# ---- what a screen shows -------------------------------------------------------------------


def active_screen(office: Office, token: str) -> Screen | None:
    """The office's screen opened by this secret token, unless it was revoked."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return (
        Screen.objects.select_related("office")
        .filter(office=office, token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )


def messages_for(screen: Screen, *, on: datetime.date) -> list[ScreenMessage]:
    """Messages shown on `on`: those for every screen (none chosen) and those for this one."""
    through = ScreenMessage.screens.through
    chosen = through.objects.filter(screenmessage_id=OuterRef("pk"))
    return list(
        ScreenMessage.objects.filter(office_id=screen.office_id, starts_on__lte=on, ends_on__gte=on)
        .filter(~Exists(chosen) | Exists(chosen.filter(screen_id=screen.pk)))
        .order_by("starts_on", "pk")
    )


@dataclass
class ScreenContent:
    on: datetime.date
    banners: list[Claim]
    today: list[Event]
    week: list[Event]
    messages: list[ScreenMessage]


def screen_content(screen: Screen, *, on: datetime.date | None = None) -> ScreenContent:
    """Everything the screen loops through on `on` (today); four queries."""
    on = on or timezone.localdate()
    events = list(agenda(screen.office, AgendaFilters(start=on, end=on + WEEK))[:MAX_EVENTS])
    return ScreenContent(
        on=on,
        banners=list(active_banners(screen.office, on=on)),
        today=[event for event in events if timezone.localdate(event.starts_at) <= on],
        week=[event for event in events if timezone.localdate(event.starts_at) > on],
        messages=messages_for(screen, on=on),
    )


def banner_for_screen(screen: Screen, banner_id: int, *, on: datetime.date | None = None) -> Claim | None:
    """A banner's image may be served to a screen only while the banner is on its office's
    screens (approved, inside its window) and has an image."""
    banner = active_banners(screen.office, on=on or timezone.localdate()).filter(pk=banner_id).first()
    if banner is None or not banner.image:
        return None
    return banner
