from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ensemble.billing"
    label = "billing"
    verbose_name = "Facturation"

    def ready(self) -> None:
        """The invoice PDF an e-mail carries is given by billing when the e-mail is sent."""
        from ensemble.core import attachments

        from .services.documents import invoice_pdf_attachment
        from .services.invoice_mail import ATTACHMENT_KIND

        attachments.register_provider(ATTACHMENT_KIND, invoice_pdf_attachment)
