"""Issue 12, A11: any file given to the bank-statement import gets a clear French message, never a
server error (plain text, one column, an empty file, binary junk, another encoding)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from ensemble.billing import bank_import
from ensemble.billing.errors import BillingError
from ensemble.billing.payments import Payment

pytestmark = pytest.mark.django_db

NOT_A_STATEMENT = (
    "Ce fichier n'est pas un relevé bancaire au format CSV : il faut un fichier texte de trois "
    "colonnes (date, montant, libellé) séparées par « ; », « , » ou une tabulation."
)
EMPTY = "Le fichier est vide : exportez le relevé de votre banque au format CSV."
NO_LINES = "Aucune ligne de relevé dans ce fichier (date, montant, libellé)."

JUNK = bytes(range(256)) * 8  # every byte, NULs and 0x81 (undefined in Windows-1252) included
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"

FILES = [
    ("plain text", "Bonjour,\nvoici le compte rendu de la réunion.\n".encode(), None),
    ("prose without separator", b"Compte rendu de la reunion du conseil\nRien a signaler\n", NOT_A_STATEMENT),
    ("one column", b"27/12/2022\n28/12/2022\n29/12/2022\n", NOT_A_STATEMENT),
    ("empty", b"", EMPTY),
    ("blank lines", b"\r\n  \n\n", EMPTY),
    ("binary junk", JUNK, NOT_A_STATEMENT),
    ("an image", PNG, NOT_A_STATEMENT),
    ("UTF-16", "Date;Montant;Libellé\n27/12/2022;90,00;VIR\n".encode("utf-16"), NOT_A_STATEMENT),
    ("a header only", "Date;Montant;Libellé\n".encode(), NO_LINES),
    ("an unclosed quote", b'27/12/2022;90,00;"VIR\n' + b"x" * 200_000, None),
    ("an amount beyond any invoice", b"Date;Montant;Libelle\n27/12/2022;99999999999,00;VIR\n", None),
]


@pytest.mark.parametrize(("name", "content", "message"), FILES, ids=[f[0] for f in FILES])
def test_parse_statement_refuses_any_non_statement_with_a_message(name, content, message):
    with pytest.raises(BillingError) as info:
        bank_import.parse_statement(content)
    if message is not None:
        assert info.value.message == message
    assert info.value.message  # in French, for the person who uploaded it


def test_latin1_statements_are_still_read():
    content = "Date;Montant;Libellé\n27/12/2022;90,00;VIR SEPA CAFÉ\n".encode("cp1252")
    [line] = bank_import.parse_statement(content)
    assert line.label == "VIR SEPA CAFÉ"


@pytest.mark.parametrize(("name", "content", "message"), FILES, ids=[f[0] for f in FILES])
def test_the_upload_page_answers_400_with_the_message(client, staff_user, office, name, content, message):
    client.force_login(staff_user)
    url = f"/{office.slug}/gestion/factures/rapprochement/"
    upload = SimpleUploadedFile("releve.csv", content, content_type="text/csv")
    response = client.post(url, {"statement": upload})
    assert response.status_code == 400
    page = response.content.decode()
    if name == "empty":  # the form's own check comes first
        message = "Le fichier soumis est vide."
    if message is not None:
        assert escape(message) in page
    assert not Payment.objects.exists()
