"""Back-office forms for the reception screens and their messages: the shape of the input only;
the screens services apply the rules (with their own French messages)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField
from ensemble.screens.models import MESSAGE_MAX, Screen
from ensemble.screens.services import NAME_MAX

from .forms import BackofficeForm, DateInput


class ScreenForm(BackofficeForm):
    name = PlainTextField(
        label=_("Nom de l'écran"),
        required=False,  # the service says it is mandatory, with its own message
        max_length=NAME_MAX,
        help_text=_(
            "Le bureau d'accueil et l'emplacement, par exemple « Accueil Saint-Omer, place Victor Hugo »."
        ),
    )


class ScreenMessageForm(BackofficeForm):
    text = PlainTextField(
        label=_("Message"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX}),
        help_text=_("Texte simple, 280 caractères au plus, affiché en grand sur les écrans."),
    )
    starts_on = forms.DateField(label=_("Affiché à partir du"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Affiché jusqu'au (inclus)"), required=False, widget=DateInput())
    screens = forms.ModelMultipleChoiceField(
        label=_("Écrans"),
        queryset=Screen.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun écran coché : le message passe sur tous les écrans de l'office."),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["screens"].queryset = Screen.objects.filter(office=office).order_by("name", "pk")
