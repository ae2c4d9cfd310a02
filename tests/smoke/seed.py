"""The smoke test's data: two offices on their own host names, their catalogues and staff, and a
place each office publishes itself. Run inside the deployment, with production settings:

    python manage.py shell -c "from tests.smoke.seed import run; run('so.example', 'aire.example')"

It reuses the demo's building blocks (`ensemble.demo`, through the services) without the demo's
forty partners, whose hundreds of queued e-mails and PDFs would keep the worker busy for a
minute. Prints one JSON line: for each office its slug, host name and the published place's id.
"""

import json

from ensemble.core.models import Office
from ensemble.demo import loader
from ensemble.demo.offices import OFFICES
from ensemble.demo.publishing import load_publishing
from ensemble.listings.models import Listing


def run(*hosts: str) -> None:
    contexts = [loader.ensure_office(spec) for spec in OFFICES]
    for context in contexts:
        loader.install_current_season(context)
    load_publishing(contexts)
    offices = {}
    for context, host in zip(contexts, hosts, strict=True):
        # The office's own host name: what an operator sets in the admin (docs/deployment.md).
        Office.objects.filter(pk=context.office.pk).update(domain=host)
        place = Listing.objects.filter(office=context.office, is_office_place=True).order_by("pk").first()
        offices[context.office.slug] = {"host": host, "place": place.pk if place else None}
    print(json.dumps({"offices": offices}))  # the last line: read by tests/smoke/smoke.py
