"""Invoice numbers: one chronological, continuous series per office, kind and year.

The counter row is created if needed, then locked (`SELECT … FOR UPDATE`) and incremented inside
the caller's transaction: a concurrent issuer waits for the lock, and a rollback gives the number
back, so the series has neither duplicates nor gaps (CGI annexe II art. 242 nonies A). No MAX()+1
and no database sequence (a sequence leaves a gap on rollback).
"""

from django.db import IntegrityError, transaction

from ensemble.core.models import Office

from ..models import NumberCounter


def next_number(office: Office, *, series: str, year: int) -> str:
    """Reserve the next number of the series; call inside the issuing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the issuing transaction.")
    if not NumberCounter.objects.filter(office=office, series=series, year=year).exists():
        try:
            with transaction.atomic():  # a savepoint: losing the creation race is fine
                NumberCounter.objects.create(office=office, series=series, year=year)
        except IntegrityError:
            pass
    counter = NumberCounter.objects.select_for_update().get(office=office, series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}-{year}-{counter.last_number:05d}"
