"""Background jobs of billing."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ensemble.core.task_labels import register_task_label


@task()
def render_invoice_pdf(invoice_id: int) -> str:
    """Render and store an issued invoice's Factur-X PDF (idempotent: same content again)."""
    from .pdf import store_invoice_pdf

    return store_invoice_pdf(invoice_id)


@task()
def expire_quotes_task() -> int:
    """Daily: sent quotes past their validity become expired (idempotent)."""
    from .services.quotes import expire_quotes

    return expire_quotes()


@task()
def send_invoice_reminders_task() -> int:
    """Daily: reminders of overdue invoices at the offsets each office chose."""
    from .services.reminders import send_invoice_reminders

    return send_invoice_reminders()


register_task_label(render_invoice_pdf, _("Génération du PDF d'une facture"))
register_task_label(expire_quotes_task, _("Expiration quotidienne des devis"))
register_task_label(send_invoice_reminders_task, _("Relances quotidiennes des factures impayées"))
