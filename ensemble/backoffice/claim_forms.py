"""Back-office forms for partners' requests and the image bank: the shape of the input only;
the claims services apply the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ensemble.claims.models import CLAIMABLE_KINDS, Claim
from ensemble.claims.selectors import OPEN
from ensemble.claims.services import MAX_GIFT_CODES, MESSAGE_MAX
from ensemble.core.forms import PlainTextField
from ensemble.memberships.models import EntitlementKind

from .forms import BackofficeForm, DateInput

ALL = "all"
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class ClaimFilterForm(BackofficeForm):
    """The GET form above the queue. Bad values are ignored, never an error page."""

    kind = forms.ChoiceField(label=_("Prestation"), required=False)
    status = forms.ChoiceField(label=_("Statut"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Toutes"))] + [
            (kind, EntitlementKind(kind).label) for kind in CLAIMABLE_KINDS
        ]
        self.fields["status"].choices = [(OPEN, _("À traiter")), *Claim.Status.choices, (ALL, _("Toutes"))]

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or OPEN
        return {"kind": data.get("kind") or None, "status": None if status == ALL else status}


def _answer(label=None) -> forms.CharField:
    return PlainTextField(
        label=label or _("Message au partenaire (facultatif)"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Joint à l'e-mail envoyé au partenaire et visible dans son espace pro."),
    )


class ClaimAnswerForm(BackofficeForm):
    """Accept or complete a request, with an optional message."""

    answer = _answer()


class ClaimRefuseForm(BackofficeForm):
    reason = PlainTextField(
        label=_("Motif du refus"),
        required=False,  # the service says it is mandatory, with its own message
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Envoyé au partenaire par e-mail (CGV, article 4.11)."),
    )


class BannerApproveForm(BackofficeForm):
    starts_on = forms.DateField(
        label=_("Début de la diffusion"),
        required=False,
        widget=DateInput(),
        help_text=_("Aujourd'hui si vide ; la durée de diffusion est celle du droit."),
    )
    answer = _answer()

    def __init__(self, *args, claim: Claim, **kwargs):
        today = timezone.localdate()
        preferred = claim.preferred_date
        kwargs.setdefault("initial", {"starts_on": max(today, preferred) if preferred else today})
        super().__init__(*args, **kwargs)


class ImageBankAnswerForm(BackofficeForm):
    images = forms.ModelMultipleChoiceField(
        label=_("Images à transmettre"),
        queryset=None,
        required=False,  # the service says at least one, with its own message
        widget=forms.CheckboxSelectMultiple,
    )
    answer = _answer()

    def __init__(self, *args, images, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].queryset = images


class GiftCodesForm(BackofficeForm):
    count = forms.IntegerField(
        label=_("Nombre de codes à émettre"),
        min_value=1,
        max_value=MAX_GIFT_CODES,
        help_text=_("Codes à usage unique, valables jusqu'à la fin de l'adhésion."),
    )
    answer = _answer()

    def __init__(self, *args, claim: Claim, **kwargs):
        kwargs.setdefault("initial", {"count": claim.quantity_wished or 10})
        super().__init__(*args, **kwargs)


class MediaImageForm(BackofficeForm):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("JPEG, PNG ou WebP, 20 Mo au plus, au moins 1200 × 600 pixels."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    title = PlainTextField(label=_("Titre"), max_length=200)
    credit = PlainTextField(
        label=_("Crédit photo"),
        max_length=150,
        help_text=_("Affiché au partenaire à côté de l'image, qu'il doit citer."),
    )
    tags = PlainTextField(
        label=_("Mots-clés"), max_length=250, required=False, help_text=_("Séparés par des virgules.")
    )
