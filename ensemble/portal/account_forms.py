"""Forms of the espace pro's account pages: the team, renewal and termination."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField, ServiceErrorFormMixin


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de votre collègue"),
        max_length=254,
        help_text=_(
            "Nous lui envoyons une invitation avec le lien pour choisir son mot de passe. "
            "Il ou elle pourra agir pour l'organisation dans l'espace pro."
        ),
        error_messages={
            "required": _("Indiquez l'adresse e-mail de la personne à inviter."),
            "invalid": _("Cette adresse e-mail n'est pas valide."),
        },
    )


class RenewalForm(ServiceErrorFormMixin, forms.Form):
    """The two documents of next season to accept. The boxes are not required here: the
    service says what is missing, in one place for every interface."""

    accept_charter = forms.BooleanField(required=False)
    accept_cgv = forms.BooleanField(required=False)
    charter_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    cgv_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_charter"].label = _(
            "J'ai lu la charte du « Club Partenaire » %(year)s et je m'engage à la respecter."
        ) % {"year": year}
        self.fields["accept_cgv"].label = _(
            "J'ai lu et j'accepte les conditions générales de vente %(year)s."
        ) % {"year": year}

    def accepted_terms(self) -> list[int]:
        data = self.cleaned_data
        return [
            data[id_field]
            for box, id_field in (("accept_charter", "charter_id"), ("accept_cgv", "cgv_id"))
            if data.get(box) and data.get(id_field)
        ]


class NoticeForm(ServiceErrorFormMixin, forms.Form):
    reason = PlainTextField(
        label=_("Motif de la résiliation (facultatif)"),
        required=False,
        max_length=2000,
        help_text=_("Il est transmis à l'Office avec votre résiliation. 2000 caractères au maximum."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("2000 caractères au maximum.")},
    )
