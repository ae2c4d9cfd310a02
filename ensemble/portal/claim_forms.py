"""Espace pro forms for requests on the pack: they check the shape of the input; the claims
services apply the rules (and give the messages of bad images, used-up entitlements…)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.claims.services import BANNER_TEXT_MAX, MAX_GIFT_CODES, MESSAGE_MAX
from ensemble.core.forms import PlainTextField, ServiceErrorFormMixin
from ensemble.memberships.models import EntitlementKind

K = EntitlementKind
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PortalForm(ServiceErrorFormMixin, forms.Form):
    """Ties help texts and errors to their field for assistive technologies, and takes a
    service's error on its field (or above the form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()

    def _describe(self) -> None:
        errors = self._errors or {}
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if name in errors:
                described.append(f"{bound.auto_id}_error")
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def full_clean(self):
        super().full_clean()
        self._describe()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._describe()


def _message(label, *, required: bool = False, help_text="") -> forms.CharField:
    return PlainTextField(
        label=label,
        required=required,
        max_length=MESSAGE_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


class ClaimRequestForm(PortalForm):
    """The request for one kind of entitlement; its fields depend on the kind."""

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)
        self._build()
        self._describe()

    def _build(self) -> None:
        if self.kind == K.SCREEN_BANNER:
            self.fields["image"] = forms.FileField(
                label=_("Image du bandeau"),
                required=False,
                help_text=_(
                    "JPEG, PNG ou WebP, 8 Mo au plus, au moins 800 × 200 pixels. "
                    "Ou bien saisissez un texte ci-dessous."
                ),
                widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
            )
            self.fields["text"] = PlainTextField(
                label=_("Texte du bandeau"),
                required=False,
                max_length=BANNER_TEXT_MAX,
                help_text=_("%(max)s caractères au plus.") % {"max": BANNER_TEXT_MAX},
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields["preferred_date"] = _date(_("Date de début souhaitée"))
            self.fields["message"] = _message(_("Message pour l'Office (facultatif)"))
        elif self.kind == K.IMAGE_BANK:
            self.fields["message"] = _message(
                _("Votre demande écrite"),
                help_text=_("Les sujets, lieux ou saisons souhaités, et l'usage prévu (site, brochure…)."),
            )
        elif self.kind == K.WELCOME_GIFT:
            self.fields["quantity_wished"] = forms.IntegerField(
                label=_("Nombre de codes souhaités"),
                required=False,
                min_value=1,
                max_value=MAX_GIFT_CODES,
                help_text=_("Un code par client ; chaque code ne sert qu'une fois."),
            )
            self.fields["message"] = _message(_("Message pour l'Office (facultatif)"))
        else:
            self.fields["message"] = _message(_("Message pour l'Office (facultatif)"))
            self.fields["preferred_date"] = _date(_("Date souhaitée (facultatif)"))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "message": data.get("message", ""),
            "preferred_date": data.get("preferred_date"),
            "image": data.get("image"),
            "text": data.get("text", ""),
            "quantity_wished": data.get("quantity_wished"),
        }


class ExtraRequestForm(PortalForm):
    """A request beyond what the pack includes: the office answers with a quote."""

    message = _message(_("Précisez votre besoin (facultatif)"))
    preferred_date = _date(_("Date souhaitée (facultatif)"))


class CancelForm(forms.Form):
    """No field: the CSRF token is the whole form."""
