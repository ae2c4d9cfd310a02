"""Accounting exports: the invoices list, the sales journal and the FEC, over a period of issue;
the payments list, over a period of receipt."""

import csv
import datetime
import io
import re
import zoneinfo
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.db.models import QuerySet

from ensemble.billing import accounting, services
from ensemble.billing.accounting import AccountingError
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import Invoice

from .conftest import offer
from .db_guards import guards_lifted
from .factories import OrganisationFactory, make_siret

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEC_1, DEC_31 = datetime.date(2022, 12, 1), datetime.date(2022, 12, 31)
NOV_1, NOV_30 = datetime.date(2022, 11, 1), datetime.date(2022, 11, 30)
D = Decimal


def free_invoice(organisation, staff_user, lines) -> Invoice:
    draft = services.create_draft(organisation, lines=lines, actor=staff_user)
    return services.issue_invoice(draft, actor=staff_user)


@pytest.fixture
def documents(office, other_office, season, submit, staff_user, other_staff_user):
    """In Saint-Omer: a free invoice of 15 November, then on 28 December a membership invoice
    (pack 7061, photos 7062, training 7063), a free invoice at two VAT rates (7068) and a credit
    note giving back the pack. In Aire-sur-la-Lys: one invoice of the same day."""
    office.siret = make_siret()
    office.save()
    with time_machine.travel(datetime.datetime(2022, 11, 15, 10, tzinfo=PARIS)):
        november = free_invoice(
            OrganisationFactory(office=office, name="Brasserie de l'Aa"),
            staff_user,
            [LineInput("Visite VIP", D(1), D(20), unit_price_ht=D("100.00"))],
        )
    membership = submit(
        options={offer(season, "photos-10").pk: 1, offer(season, "formation-anglais").pk: 1}
    ).membership
    membership_invoice = services.accept_and_invoice(membership, actor=staff_user)[1]
    free = free_invoice(
        OrganisationFactory(office=office, name="L’Atelier | Gîte des Marais"),
        staff_user,
        [
            LineInput("Traduction supplémentaire", D(1), D(20), unit_price_ht=D("50.00")),
            LineInput("Topoguide du marais", D(2), D("5.50"), unit_price_ht=D("9.48")),
        ],
    )
    pack = offer(season, "pack-partenaire")
    credit = services.credit_invoice(
        membership_invoice,
        actor=staff_user,
        reason="Pack offert",
        lines=[LineInput("Pack partenaire", D(1), D(20), unit_price_ht=D("75.00"), offer_id=pack.pk)],
    )
    elsewhere = free_invoice(
        OrganisationFactory(office=other_office, name="Camping des Hautes Terres"),
        other_staff_user,
        [LineInput("Pack partenaire", D(1), D(20), unit_price_ht=D("999.00"))],
    )
    return {
        "november": november,
        "membership": membership_invoice,
        "free": free,
        "credit": credit,
        "elsewhere": elsewhere,
    }


def by_entry(lines) -> dict[int, list]:
    entries = defaultdict(list)
    for line in lines:
        entries[line.number].append(line)
    return dict(entries)


def net_by_account(lines) -> dict[str, Decimal]:
    """Credit minus debit per account."""
    net: dict[str, Decimal] = defaultdict(lambda: D("0.00"))
    for line in lines:
        net[line.account] += line.credit - line.debit
    return dict(net)


# --- The documents and their amounts ------------------------------------------------------------


def test_the_documents_are_what_the_exports_expect(documents):
    assert [documents[k].number for k in ("november", "membership", "free", "credit")] == [
        "FA-2022-00001",
        "FA-2022-00002",
        "FA-2022-00003",
        "AV-2022-00001",
    ]
    assert documents["november"].issue_date == datetime.date(2022, 11, 15)
    assert documents["credit"].issue_date == datetime.date(2022, 12, 28)
    totals = [(d.total_ht, d.total_vat, d.total_ttc) for d in (documents["free"], documents["credit"])]
    assert totals == [(D("68.96"), D("11.04"), D("80.00")), (D("75.00"), D("15.00"), D("90.00"))]


def test_invoice_rows_of_the_period(documents, office):
    rows = accounting.invoice_rows(office, DEC_1, DEC_31)
    assert [(r.number, r.kind) for r in rows] == [
        ("FA-2022-00002", "Facture"),
        ("FA-2022-00003", "Facture"),
        ("AV-2022-00001", "Avoir"),
    ]
    credit = rows[2]
    assert (credit.total_ht, credit.total_vat, credit.total_ttc) == (D("-75.00"), D("-15.00"), D("-90.00"))
    assert credit.credited_number == "FA-2022-00002" and rows[0].credited_number == ""
    membership = documents["membership"]
    assert (rows[0].issue_date, rows[0].due_date) == (membership.issue_date, membership.due_date)
    assert (rows[0].customer, rows[0].siren) == (membership.buyer_name, membership.buyer_siren)
    assert len(rows[0].siren) == 9
    assert sum(r.total_ttc for r in rows) == D("230.00")  # 240 + 80 - 90


# --- The sales journal ---------------------------------------------------------------------------


def test_each_entry_balances_and_so_does_the_journal(documents, office):
    lines = accounting.sales_journal(office, DEC_1, DEC_31)
    entries = by_entry(lines)
    assert sorted(entries) == [1, 2, 3]
    for entry in entries.values():
        assert sum(line.debit for line in entry) == sum(line.credit for line in entry)
        assert len({line.piece_ref for line in entry}) == 1
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines) == D("410.00")


def test_revenue_per_account_and_vat_collected(documents, office):
    lines = accounting.sales_journal(office, DEC_1, DEC_31)
    net = net_by_account(lines)
    assert net == {
        "411": D("-230.00"),  # the customers owe 240 + 80 - 90
        "7061": D("0.00"),  # the pack, invoiced and credited
        "7062": D("83.33"),
        "7063": D("41.67"),
        "7068": D("68.96"),
        "44571": D("36.04"),
    }
    invoices = Invoice.objects.filter(office=office, issue_date__range=(DEC_1, DEC_31))
    vat_invoiced = sum(i.total_vat for i in invoices.filter(kind=Invoice.Kind.INVOICE))
    vat_credited = sum(i.total_vat for i in invoices.filter(kind=Invoice.Kind.CREDIT_NOTE))
    assert net["44571"] == vat_invoiced - vat_credited


def test_an_invoice_debits_its_customer_and_a_credit_note_is_the_mirror(documents, office):
    entries = by_entry(accounting.sales_journal(office, DEC_1, DEC_31))
    free = [(line.account, line.debit, line.credit) for line in entries[2]]
    assert free == [
        ("411", D("80.00"), D("0.00")),
        ("7068", D("0.00"), D("68.96")),
        ("44571", D("0.00"), D("1.04")),  # 5,5 % of 18,96
        ("44571", D("0.00"), D("10.00")),  # 20 % of 50,00
    ]
    credit = [(line.account, line.debit, line.credit) for line in entries[3]]
    assert credit == [
        ("411", D("0.00"), D("90.00")),
        ("7061", D("75.00"), D("0.00")),
        ("44571", D("15.00"), D("0.00")),
    ]
    customer = entries[3][0]
    organisation_id = documents["credit"].organisation_id
    assert (customer.aux_account, customer.aux_label) == (
        f"C{organisation_id:08d}",
        documents["credit"].buyer_name,
    )
    assert {line.aux_account for line in entries[3][1:]} == {""}
    assert entries[2][2].label.endswith("(TVA 5,5 %)")


def test_documents_outside_the_period_are_left_out(documents, office):
    december = accounting.sales_journal(office, DEC_1, DEC_31)
    assert "FA-2022-00001" not in {line.piece_ref for line in december}
    november = accounting.sales_journal(office, NOV_1, NOV_30)
    assert {line.piece_ref for line in november} == {"FA-2022-00001"}
    assert [r.number for r in accounting.invoice_rows(office, NOV_1, NOV_30)] == ["FA-2022-00001"]
    assert accounting.invoice_rows(office, DEC_31, DEC_31) == []
    edge = accounting.invoice_rows(office, datetime.date(2022, 11, 15), datetime.date(2022, 12, 28))
    assert len(edge) == 4  # both ends included


def test_another_office_invoices_never_appear(documents, office, other_office):
    elsewhere = documents["elsewhere"]
    lines = accounting.sales_journal(office, NOV_1, DEC_31)
    rows = accounting.invoice_rows(office, NOV_1, DEC_31)
    assert elsewhere.buyer_name not in {row.customer for row in rows}
    assert accounting.customer_account(elsewhere.organisation_id) not in {line.aux_account for line in lines}
    assert D("999.00") not in {line.credit for line in lines}
    theirs = accounting.invoice_rows(other_office, NOV_1, DEC_31)
    assert [(r.number, r.customer) for r in theirs] == [("FA-2022-00001", "Camping des Hautes Terres")]


def test_a_document_whose_totals_disagree_with_its_lines_is_refused(documents, office):
    # Bypass the model's lock and the database's guard, as a bad migration or a hand edit would.
    with guards_lifted("billing_invoice"):
        QuerySet.update(Invoice.objects.filter(pk=documents["free"].pk), total_vat=D("11.05"))
    with pytest.raises(AccountingError, match="FA-2022-00003.*ne correspondent pas à ses lignes"):
        accounting.sales_journal(office, DEC_1, DEC_31)


def test_the_journal_reads_in_a_fixed_number_of_queries(documents, office, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        accounting.sales_journal(office, NOV_1, DEC_31)


# --- The FEC ------------------------------------------------------------------------------------


def fec_records(office, start, end) -> tuple[str, list[list[str]]]:
    filename, content = accounting.fec_file(office, start, end)
    text = content.decode("iso8859_15")
    assert text.endswith("\r\n")
    return filename, [record.split("|") for record in text[:-2].split("\r\n")]


def test_fec_layout(documents, office):
    filename, records = fec_records(office, DEC_1, DEC_31)
    assert filename == f"{office.siret[:9]}FEC20221231.txt"
    header, *lines = records
    assert "|".join(header) == (
        "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|"
        "PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
    )
    assert len(lines) == 5 + 4 + 3 and {len(line) for line in records} == {18}
    for line in lines:
        assert line[:2] == ["VE", "Ventes"]
        assert line[3] == line[9] == line[15] == "20221228"
        assert re.fullmatch(r"\d+,\d\d", line[11]) and re.fullmatch(r"\d+,\d\d", line[12])
    first = lines[0]
    assert first[4:9] == [
        "411",
        "Clients",
        f"C{documents['membership'].organisation_id:08d}",
        documents["membership"].buyer_name,
        "FA-2022-00002",
    ]
    assert (first[11], first[12]) == ("240,00", "0,00")
    assert ["7062", "Prestations de services - photos et vidéos", "83,33"] in [
        [line[4], line[5], line[12]] for line in lines
    ]


def test_fec_entry_numbers_follow_the_dates(documents, office):
    _, (_, *lines) = fec_records(office, NOV_1, DEC_31)
    numbers = [int(line[2]) for line in lines]
    assert numbers == sorted(numbers) and sorted(set(numbers)) == [1, 2, 3, 4]
    assert [(line[2], line[3], line[8]) for line in lines if line[4] == "411"] == [
        ("1", "20221115", "FA-2022-00001"),
        ("2", "20221228", "FA-2022-00002"),
        ("3", "20221228", "FA-2022-00003"),
        ("4", "20221228", "AV-2022-00001"),
    ]


def test_fec_text_is_latin9_without_separators_inside_fields(documents, office):
    _, content = accounting.fec_file(office, DEC_1, DEC_31)
    assert "TVA collectée".encode("iso8859_15") in content
    assert b"L'Atelier Gi" not in content  # the pipe and the curly apostrophe were replaced…
    assert "L'Atelier Gîte des Marais".encode("iso8859_15") in content  # …not the letters


def test_fec_needs_the_office_siren(documents, office):
    office.siret = ""
    office.save()
    with pytest.raises(AccountingError) as info:
        accounting.fec_file(office, DEC_1, DEC_31)
    assert info.value.message.startswith("Le SIRET de l'office n'est pas renseigné")
    office.siret = "12345678900012"
    office.save()
    with pytest.raises(AccountingError, match="n'est pas valide"):
        accounting.fec_filename(office, DEC_31)


def test_revenue_accounts_of_the_catalogue(season):
    assert {o.code: accounting.revenue_account(o) for o in season.offers.all()} == {
        "pack-partenaire": "7061",
        "photos-10": "7062",
        "photos-25": "7062",
        "video-clip": "7062",
        "video-bars-restos": "7062",
        "gamification": "7068",
        "evenementiel": "7068",
        "formation-reseaux-sociaux": "7063",
        "formation-neerlandais": "7063",
        "formation-anglais": "7063",
    }
    assert accounting.revenue_account(None) == "7068"
    assert set(accounting.REVENUE_ACCOUNTS.values()) <= set(accounting.ACCOUNT_LABELS)


# --- The page and the downloads -----------------------------------------------------------------

PAGE = "/saint-omer/gestion/comptabilite/"
DOWNLOADS = ["factures.csv", "journal-ventes.csv", "fec.txt", "reglements.csv"]
DECEMBER = {"start": "2022-12-01", "end": "2022-12-31"}


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_page_defaults_to_the_current_month(client, staff_user):
    client.force_login(staff_user)
    html = client.get(PAGE).content.decode()
    assert 'type="date" name="start" value="2022-12-01"' in html
    assert 'type="date" name="end" value="2022-12-31"' in html
    for name in DOWNLOADS:
        assert f'formaction="{PAGE}{name}"' in html
    assert f'href="{PAGE}"' in client.get("/saint-omer/gestion/factures/").content.decode()


def test_invoices_csv(client, staff_user, documents):
    client.force_login(staff_user)
    response = client.get(PAGE + "factures.csv", DECEMBER)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="factures-saint-omer-20221201-20221231.csv"' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[0] == "Numéro" and len(header) == 10
    assert [row[0] for row in rows] == ["FA-2022-00002", "FA-2022-00003", "AV-2022-00001"]
    assert rows[2][1:3] == ["Avoir", "28/12/2022"]
    assert rows[2][6:] == ["-75,00", "-15,00", "-90,00", "FA-2022-00002"]


def test_sales_journal_csv(client, staff_user, documents):
    client.force_login(staff_user)
    header, *rows = read_csv(client.get(PAGE + "journal-ventes.csv", DECEMBER))
    assert header[:4] == ["Journal", "N° d'écriture", "Date", "Compte"]
    customer_of_credit = [row for row in rows if row[7] == "AV-2022-00001" and row[3] == "411"]
    assert [row[-2:] for row in customer_of_credit] == [["0,00", "90,00"]]
    assert {row[1] for row in rows} == {"1", "2", "3"}


def test_csv_cells_cannot_be_formulas(client, staff_user, documents, office):
    organisation = OrganisationFactory(office=office, name="=SOMME(1;2)")
    free_invoice(organisation, staff_user, [LineInput("Stand", D(1), D(20), unit_price_ht=D("10.00"))])
    client.force_login(staff_user)
    _, *rows = read_csv(client.get(PAGE + "factures.csv", DECEMBER))
    assert rows[-1][4] == "'=SOMME(1;2)"


def test_fec_download(client, staff_user, documents, office):
    client.force_login(staff_user)
    response = client.get(PAGE + "fec.txt", DECEMBER)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=ISO-8859-15"
    assert f'filename="{office.siret[:9]}FEC20221231.txt"' in response["Content-Disposition"]
    assert response.content.startswith(b"JournalCode|JournalLib|")


def test_fec_download_without_siren_explains(client, staff_user, documents, office):
    office.siret = ""
    office.save()
    client.force_login(staff_user)
    response = client.get(PAGE + "fec.txt", DECEMBER)
    assert response.status_code == 400
    assert "Le SIRET de l&#x27;office n&#x27;est pas renseigné" in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2022-12-31", "2022-12-01", "La date de fin ne peut pas précéder la date de début."),
        ("2022-01-01", "2023-02-04", "La période ne peut pas dépasser 366 jours"),
        ("", "2022-12-31", "Ce champ est obligatoire."),
        ("2022-13-45", "2022-12-31", "Saisissez une date valide."),
    ],
)
def test_bad_periods_are_refused_in_french(client, staff_user, documents, start, end, message):
    client.force_login(staff_user)
    period = {"start": start, "end": end}
    assert message in client.get(PAGE, period).content.decode().replace("&#x27;", "'")
    for name in DOWNLOADS:
        response = client.get(PAGE + name, period)
        assert response.status_code == 400
        assert message in response.content.decode().replace("&#x27;", "'")


def test_a_leap_year_is_one_period(client, staff_user, office):
    client.force_login(staff_user)
    response = client.get(PAGE + "factures.csv", {"start": "2024-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    assert read_csv(response)[1:] == []


def test_anonymous_people_are_sent_to_the_login(client, office):
    for url in [PAGE, *(PAGE + name for name in DOWNLOADS)]:
        response = client.get(url, DECEMBER)
        assert response.status_code == 302 and "login" in response["Location"]


def test_another_office_staff_get_404(client, other_staff_user, documents):
    client.force_login(other_staff_user)
    for url in [PAGE, *(PAGE + name for name in DOWNLOADS)]:
        assert client.get(url, DECEMBER).status_code == 404


# --- The payments list ------------------------------------------------------------------------

DEC_28 = datetime.date(2022, 12, 28)


@pytest.fixture
def payments(documents, staff_user, other_staff_user):
    """On the documents above: the November invoice (120,00 €) paid by two cheques, received on
    30 November and 1 December; the membership invoice (240,00 € less the 90,00 € credit note)
    paid by a transfer of 160,00 € (10,00 € kept as customer credit); the free invoice paid by a
    cheque that bounced, cancelled just after midnight on 29 December (Paris time, still the
    28th in UTC). In Aire-sur-la-Lys: a transfer of 10 December."""
    november, membership = documents["november"], documents["membership"]
    bank = {"method": "cheque", "bank": "Crédit Agricole Nord de France"}
    paid = {
        "november_part": services.record_payment(
            november, actor=staff_user, amount=D("50.00"), received_on=NOV_30, cheque_number="1234567", **bank
        ),
        "november_rest": services.record_payment(
            november, actor=staff_user, amount=D("70.00"), received_on=DEC_1, cheque_number="1234568", **bank
        ),
        "transfer": services.record_payment(
            membership,
            actor=staff_user,
            method="transfer",
            amount=D("160.00"),
            received_on=DEC_28,
            transfer_reference=membership.payment_reference,
        ),
        "bounced": services.record_payment(
            documents["free"],
            actor=staff_user,
            method="cheque",
            amount=D("80.00"),
            received_on=DEC_28,
            cheque_number="0004242",
            bank="CIC Nord Ouest",
        ),
        "elsewhere": services.record_payment(
            documents["elsewhere"],
            actor=other_staff_user,
            method="transfer",
            amount=D("1198.80"),
            received_on=datetime.date(2022, 12, 10),
            transfer_reference="VIR CAMPING DES HAUTES TERRES",
        ),
    }
    with time_machine.travel(datetime.datetime(2022, 12, 29, 0, 30, tzinfo=PARIS)):
        paid["bounced"] = services.cancel_payment(paid["bounced"], actor=staff_user, reason="Chèque impayé")
    return paid


def test_payment_rows_of_the_period(payments, documents, office):
    rows = accounting.payment_rows(office, DEC_1, DEC_31)
    assert [(r.received_on, r.invoice_number, r.method, r.amount) for r in rows] == [
        (DEC_1, "FA-2022-00001", "Chèque", D("70.00")),
        (DEC_28, "FA-2022-00002", "Virement", D("160.00")),
        (DEC_28, "FA-2022-00003", "Chèque", D("80.00")),
    ]
    cheque, transfer, _ = rows
    assert cheque.organisation == "Brasserie de l'Aa"
    assert (cheque.cheque_number, cheque.bank, cheque.transfer_reference) == (
        "1234568",
        "Crédit Agricole Nord de France",
        "",
    )
    assert (cheque.allocated, cheque.customer_credit) == (D("70.00"), D("0.00"))
    assert transfer.organisation == documents["membership"].organisation.name
    assert transfer.transfer_reference == documents["membership"].payment_reference
    assert transfer.transfer_reference.startswith("RF") and transfer.cheque_number == ""
    # 240,00 € less the 90,00 € credit note: 150,00 € on the invoice, 10,00 € kept as credit.
    assert (transfer.amount, transfer.allocated, transfer.customer_credit) == (
        D("160.00"),
        D("150.00"),
        D("10.00"),
    )
    assert transfer.customer_credit == payments["transfer"].credit.amount
    assert (cheque.cancelled_on, cheque.cancel_reason) == (None, "")
    assert (transfer.cancelled_on, transfer.cancel_reason) == (None, "")


def test_cancelled_payments_stay_in_the_list_as_cancelled(payments, office):
    bounced = accounting.payment_rows(office, DEC_28, DEC_28)[-1]
    assert (bounced.invoice_number, bounced.cheque_number, bounced.bank) == (
        "FA-2022-00003",
        "0004242",
        "CIC Nord Ouest",
    )
    assert (bounced.amount, bounced.allocated) == (D("80.00"), D("80.00"))  # as recorded
    # Cancelled at 00:30 in Paris on the 29th, 23:30 UTC on the 28th: the Paris date is shown.
    assert payments["bounced"].cancelled_at.astimezone(datetime.UTC).day == 28
    assert (bounced.cancelled_on, bounced.cancel_reason) == (datetime.date(2022, 12, 29), "Chèque impayé")


def test_payments_outside_the_period_are_left_out(payments, office):
    def amounts(start, end):
        return [row.amount for row in accounting.payment_rows(office, start, end)]

    assert amounts(NOV_1, NOV_30) == [D("50.00")]
    assert amounts(NOV_30, DEC_1) == [D("50.00"), D("70.00")]  # both ends included
    assert amounts(datetime.date(2022, 12, 2), datetime.date(2022, 12, 27)) == []
    assert amounts(DEC_31, DEC_31) == []
    assert len(amounts(NOV_1, DEC_31)) == 4


def test_another_office_payments_never_appear(payments, office, other_office):
    rows = accounting.payment_rows(office, NOV_1, DEC_31)
    assert "Camping des Hautes Terres" not in {row.organisation for row in rows}
    assert D("1198.80") not in {row.amount for row in rows}
    assert "VIR CAMPING DES HAUTES TERRES" not in {row.transfer_reference for row in rows}
    theirs = accounting.payment_rows(other_office, NOV_1, DEC_31)
    assert [(r.organisation, r.invoice_number, r.amount) for r in theirs] == [
        ("Camping des Hautes Terres", "FA-2022-00001", D("1198.80"))
    ]


def test_payment_rows_read_in_one_query(payments, office, django_assert_num_queries):
    with django_assert_num_queries(1):
        accounting.payment_rows(office, NOV_1, DEC_31)


def test_payments_csv(client, staff_user, payments, documents):
    client.force_login(staff_user)
    response = client.get(PAGE + "reglements.csv", DECEMBER)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="reglements-saint-omer-20221201-20221231.csv"' in response["Content-Disposition"]
    header, *rows = read_csv(response)  # starts with the BOM
    assert header == [
        "Date de réception",
        "Organisation",
        "Facture",
        "Mode",
        "N° de chèque",
        "Banque",
        "Référence du virement",
        "Montant reçu",
        "Imputé sur la facture",
        "Avoir client (trop-perçu)",
        "Annulé le",
        "Motif d'annulation",
    ]
    reference = documents["membership"].payment_reference
    assert rows == [
        [
            "01/12/2022",
            "Brasserie de l'Aa",
            "FA-2022-00001",
            "Chèque",
            "1234568",
            "Crédit Agricole Nord de France",
            "",
            "70,00",
            "70,00",
            "0,00",
            "",
            "",
        ],
        [
            "28/12/2022",
            documents["membership"].organisation.name,
            "FA-2022-00002",
            "Virement",
            "",
            "",
            reference,
            "160,00",
            "150,00",
            "10,00",
            "",
            "",
        ],
        [
            "28/12/2022",
            "L’Atelier | Gîte des Marais",
            "FA-2022-00003",
            "Chèque",
            "0004242",
            "CIC Nord Ouest",
            "",
            "80,00",
            "80,00",
            "0,00",
            "29/12/2022",
            "Chèque impayé",
        ],
    ]


def test_payments_csv_of_the_other_office(client, other_staff_user, payments):
    client.force_login(other_staff_user)
    _, *rows = read_csv(client.get("/aire-sur-la-lys/gestion/comptabilite/reglements.csv", DECEMBER))
    assert [(row[1], row[7]) for row in rows] == [("Camping des Hautes Terres", "1198,80")]


def test_payments_csv_thousands_keep_a_plain_decimal_comma(client, staff_user, payments, office):
    organisation = OrganisationFactory(office=office, name="Hôtel du Grand Banc")
    invoice = free_invoice(
        organisation, staff_user, [LineInput("Salon", D(1), D(20), unit_price_ht=D("1000.00"))]
    )
    services.record_payment(
        invoice, actor=staff_user, method="transfer", amount=D("1234.56"), received_on=DEC_28
    )
    client.force_login(staff_user)
    _, *rows = read_csv(client.get(PAGE + "reglements.csv", DECEMBER))
    assert rows[-1][1] == "Hôtel du Grand Banc"
    assert rows[-1][7:10] == ["1234,56", "1200,00", "34,56"]
