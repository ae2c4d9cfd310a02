"""The office's table of DATAtourisme classes: which category the places of a class go to,
over the defaults shipped with the ontology (ontology.py). Staff edit it in the back office."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office
from ensemble.directory.models import Category

from .. import ontology
from ..errors import DatatourismeError
from ..models import ClassMapping
from ..vocabulary import short_class

CLASS_NAME = re.compile(r"^(schema:)?[A-Z][A-Za-z0-9]{1,80}$")


def _clean_class(value: str) -> str:
    name = short_class(str(value or "").strip())
    if not CLASS_NAME.match(name):
        raise DatatourismeError(
            _("Indiquez une classe DATAtourisme, par exemple WineCellar ou schema:Hotel."),
            field="datatourisme_class",
        )
    if name in ontology.GENERIC or ontology.EVENT_ROOTS & set(ontology.chain(name)):
        raise DatatourismeError(
            _("La classe %(name)s ne désigne pas un type de lieu : choisissez-en une plus précise.")
            % {"name": name},
            field="datatourisme_class",
        )
    return name


@transaction.atomic
def set_class_mapping(
    office: Office, *, datatourisme_class: str, category: Category | None, actor: User
) -> ClassMapping | None:
    """The office's category for a class (None: back to the default). The next imports use it;
    places already imported keep their category until imported again."""
    name = _clean_class(datatourisme_class)
    if category is not None and category.office_id != office.pk:
        raise DatatourismeError(_("Choisissez une catégorie de l'office."), field="category")
    current = ClassMapping.objects.select_for_update().filter(office=office, datatourisme_class=name).first()
    before = current.category.slug if current else None
    if category is None:
        if current is None:
            return None
        current.delete()
        mapping = None
    elif current is None:
        mapping = ClassMapping.objects.create(office=office, datatourisme_class=name, category=category)
    elif current.category_id == category.pk:
        return current
    else:
        current.category = category
        current.save(update_fields=["category", "updated_at"])
        mapping = current
    audit.record(
        "datatourisme.class_mapped",
        actor=actor,
        office=office,
        target=mapping,
        data={
            "class": name,
            "old": before,
            "new": category.slug if category else None,
            "default": ontology.resolve([name]).category or None,
        },
    )
    return mapping
