"""Background jobs of billing."""

from django_tasks import task


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
