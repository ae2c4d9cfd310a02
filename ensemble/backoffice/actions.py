"""The actions staff take on a membership: each one a form, a service call and a message.

The membership page shows the actions the membership's status allows; every action posts to its
own URL (`backoffice:membership_<slug>`). The services decide; `is_available` only spares staff
buttons that would be refused.
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.models import User
from ensemble.accounts.roles import Permission
from ensemble.billing import services as billing_services
from ensemble.memberships import services
from ensemble.memberships.models import Membership

from . import forms

S = Membership.Status
PAYABLE = {S.AWAITING_PAYMENT, S.ACTIVE, S.NOTICE_GIVEN, S.SUSPENDED}  # once invoiced
RENEWABLE = {S.ACTIVE, S.SUSPENDED, S.EXPIRED}


@dataclasses.dataclass(frozen=True)
class MembershipAction:
    slug: str  # URL name suffix and form prefix
    segment: str  # URL segment (French, like the rest of the URLs)
    title: Promise  # heading of the action's box
    button: Promise  # the submit button's text (its accessible name)
    form_class: type[forms.MembershipActionForm]
    perform: Callable[[Membership, User, dict], Any]
    success: Callable[[Any], str]
    is_available: Callable[[Membership], bool]
    confirm: Promise | str = ""  # asked by ensemble.js before a destructive action
    danger: bool = False
    permission: str = Permission.PARTNERS  # what the staff member's role must allow

    def make_form(self, membership: Membership, data=None) -> forms.MembershipActionForm:
        return self.form_class(data, prefix=self.slug, membership=membership)

    def url_name(self) -> str:
        return f"membership_{self.slug}"

    @property
    def view_name(self) -> str:
        return f"backoffice:{self.url_name()}"


def _record_payment(membership: Membership, actor: User, data: dict) -> Membership:
    billing_services.record_membership_payment(
        membership,
        actor=actor,
        method=data["method"],
        amount=data["amount"],
        received_on=data["received_on"],
        cheque_number=data["cheque_number"],
        bank=data["bank"],
        transfer_reference=data["transfer_reference"],
        idempotency_key=data.get("key") or None,
    )
    return membership


def _notice_message(membership: Membership) -> str:
    return gettext("Résiliation du partenaire enregistrée : l'adhésion prendra fin le %(date)s.") % {
        "date": date_format(membership.ends_on, "SHORT_DATE_FORMAT")
    }


def _renewal_message(renewal: Membership) -> str:
    return gettext("Demande de renouvellement %(year)s créée.") % {"year": renewal.season.year}


ACTIONS = [
    MembershipAction(
        slug="accept",
        segment="valider",
        title=_("Valider la demande"),
        button=_("Valider la demande"),
        form_class=forms.AcceptForm,
        perform=lambda m, actor, data: billing_services.accept_and_invoice(
            m, actor=actor, cheque=data.get("_cheque")
        )[0],
        success=lambda m: (
            gettext("La demande est validée, sa facture émise et réglée : l'adhésion est active.")
            if m.status == S.ACTIVE
            else gettext("La demande est validée et sa facture émise.")
        ),
        is_available=lambda m: m.can("accept"),
    ),
    MembershipAction(
        slug="bulletin",
        segment="bulletin",
        title=_("Bulletin papier"),
        button=_("Enregistrer le bulletin signé"),
        form_class=forms.BulletinForm,
        perform=lambda m, actor, data: services.record_signed_bulletin(
            m, actor=actor, received_on=data["received_on"]
        ),
        success=lambda m: gettext("Le bulletin signé est enregistré."),
        is_available=lambda m: m.status in (S.REQUESTED, S.AWAITING_PAYMENT),
    ),
    MembershipAction(
        slug="payment",
        segment="reglement",
        title=_("Règlement reçu"),
        button=_("Enregistrer le règlement"),
        form_class=forms.PaymentForm,
        perform=_record_payment,
        success=lambda m: gettext("Le règlement est enregistré."),
        is_available=lambda m: m.status in PAYABLE,
        permission=Permission.INVOICE,
    ),
    MembershipAction(
        slug="refuse",
        segment="refuser",
        title=_("Refuser la demande"),
        button=_("Refuser la demande"),
        form_class=forms.RefuseForm,
        perform=lambda m, actor, data: services.refuse_membership(m, actor=actor, reason=data["reason"]),
        success=lambda m: gettext("La demande est refusée ; le motif est envoyé au partenaire."),
        is_available=lambda m: m.can("refuse"),
        confirm=_("Refuser cette demande d'adhésion ?"),
        danger=True,
    ),
    MembershipAction(
        slug="notice",
        segment="preavis",
        title=_("Résiliation par le partenaire"),
        button=_("Enregistrer la résiliation du partenaire"),
        form_class=forms.NoticeForm,
        perform=lambda m, actor, data: services.give_notice(
            m, actor=actor, received_on=data["received_on"], reason=data["reason"]
        ),
        success=_notice_message,
        is_available=lambda m: m.can("give_notice"),
    ),
    MembershipAction(
        slug="renew",
        segment="renouveler",
        title=_("Renouvellement"),
        button=_("Renouveler pour la saison suivante"),
        form_class=forms.ConfirmForm,
        perform=lambda m, actor, data: services.renew_membership(m, actor=actor),
        success=_renewal_message,
        is_available=lambda m: m.status in RENEWABLE,
    ),
    MembershipAction(
        slug="suspend",
        segment="suspendre",
        title=_("Suspendre l'adhésion"),
        button=_("Suspendre l'adhésion"),
        form_class=forms.SuspendForm,
        perform=lambda m, actor, data: services.suspend_membership(m, actor=actor, reason=data["reason"]),
        success=lambda m: gettext("L'adhésion est suspendue."),
        is_available=lambda m: m.can("suspend"),
        confirm=_("Suspendre cette adhésion ?"),
        danger=True,
    ),
    MembershipAction(
        slug="reinstate",
        segment="retablir",
        title=_("Rétablir l'adhésion"),
        button=_("Rétablir l'adhésion"),
        form_class=forms.ReinstateForm,
        perform=lambda m, actor, data: services.reinstate_membership(m, actor=actor, reason=data["reason"]),
        success=lambda m: gettext("L'adhésion est rétablie."),
        is_available=lambda m: m.can("reinstate"),
    ),
    MembershipAction(
        slug="terminate",
        segment="resilier",
        title=_("Résiliation par l'Office"),
        button=_("Résilier l'adhésion"),
        form_class=forms.TerminateForm,
        perform=lambda m, actor, data: services.terminate_membership(m, actor=actor, reason=data["reason"]),
        success=lambda m: gettext("L'adhésion est résiliée."),
        is_available=lambda m: m.can("terminate"),
        confirm=_("Résilier cette adhésion ? Le partenaire en sera informé."),
        danger=True,
    ),
]

ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS}

# What each entry of a membership's history says (MembershipTransition.action).
HISTORY_LABELS = {
    "submit": _("Demande d'adhésion"),
    "renew": _("Demande de renouvellement"),
    "accept": _("Demande validée"),
    "activate": _("Adhésion effective"),
    "refuse": _("Demande refusée"),
    "suspend": _("Suspension"),
    "reinstate": _("Rétablissement"),
    "terminate": _("Résiliation par l'Office"),
    "give_notice": _("Résiliation notifiée par le partenaire"),
    "end_notice": _("Fin du préavis"),
    "expire": _("Fin de la saison"),
}
