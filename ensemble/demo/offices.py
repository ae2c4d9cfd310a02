"""The two demo offices and their staff.

Saint-Omer's public details are the ones its partner guide prints; its bank details are invented
(a valid-looking IBAN computed with schwifty), and so are its SIRET and VAT number (valid keys,
computed with python-stdnum: `legal_ids`). The Aire-sur-la-Lys office is entirely invented.
Every staff member is invented: none of the names printed in the guide is used.
"""

import dataclasses
import datetime

from django.utils import timezone
from schwifty import IBAN
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.fr import siret as fr_siret

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role

DEMO_PASSWORD = "ensemble-demo"  # noqa: S105 — the published password of the demo logins
ADMIN_EMAIL = "admin@ensemble.demo"
GUIDE_YEAR = 2022  # the partner guide's season: installed as it is, for reference
TODAY = timezone.localdate()
SEASON_YEAR = TODAY.year  # the demo is set in the current season, so `make run` shows it live
PREVIOUS_YEAR = SEASON_YEAR - 1  # the partners who left: their last membership was last year's
SETUP_DAY = datetime.date(PREVIOUS_YEAR - 1, 12, 1)  # the office sets up last year's season
SEASON_SETUP_DAY = datetime.date(PREVIOUS_YEAR, 12, 1)  # … then this year's
DEMO_DAY = min(datetime.date(SEASON_YEAR, 12, 15), TODAY)  # the last day replayed, never ahead

_SAINT_OMER_IBAN = IBAN.generate("FR", bank_code="30006", account_code="00001234567")
_AIRE_IBAN = IBAN.generate("FR", bank_code="16706", account_code="00004567890")

SAINT_OMER_PRIVACY = """\
Ce que nous collectons. Le bulletin d'adhésion en ligne recueille l'enseigne et l'adresse de votre \
établissement, votre nom et votre prénom, votre téléphone, votre adresse e-mail, le SIRET de votre \
structure, sa catégorie, les prestations choisies et votre mode de règlement. Nous enregistrons \
aussi la version de la charte et des CGV que vous acceptez, avec la date, l'adresse IP et le \
navigateur utilisés, pour pouvoir prouver cet accord.

Pourquoi. Ces informations servent à traiter votre demande d'adhésion au Club Partenaire, à \
établir vos factures, à vous donner accès à votre espace pro et à vous écrire au sujet de votre \
adhésion (base légale : l'exécution du contrat de partenariat). Les informations de votre \
établissement destinées au public (enseigne, adresse, téléphone) sont publiées sur nos supports de \
promotion. Nous ne vendons ni ne cédons vos données.

Combien de temps. Vos données sont conservées pendant la durée de votre partenariat puis trois ans \
après son terme ; les factures et pièces comptables sont conservées dix ans, comme la loi \
l'impose, puis supprimées.

Vos droits. Vous pouvez accéder à vos données, les faire rectifier, demander leur effacement ou \
leur export, et vous opposer à leur traitement pour la prospection. Vous pouvez aussi saisir la \
CNIL (www.cnil.fr).

Contact. SPL Tourisme en Pays de Saint-Omer, 7, Place Victor Hugo, 62500 Saint-Omer — \
relationspro@tourisme-saintomer.com.
"""

AIRE_PRIVACY = """\
Ce que nous collectons. Le bulletin d'adhésion recueille les coordonnées de votre établissement et \
de la personne qui le représente, son SIRET, les prestations choisies et le mode de règlement, \
ainsi que la preuve de l'acceptation de la charte et des CGV (date, adresse IP, navigateur).

Pourquoi. Traiter votre adhésion, la facturer, vous ouvrir l'espace pro et publier votre \
établissement sur nos supports (base légale : le contrat de partenariat).

Combien de temps. La durée du partenariat puis trois ans ; dix ans pour les pièces comptables.

Vos droits. Accès, rectification, effacement, export, opposition ; réclamation auprès de la CNIL.

Contact. Office de Tourisme d'Aire-sur-la-Lys, 12, Grand'Place, 62120 Aire-sur-la-Lys — \
partenaires@tourisme-aire.example.
"""


def legal_ids(base: str) -> dict[str, str]:
    """An invented SIRET (8 digits + the SIREN's Luhn key, establishment 0001 + its key) and the
    French VAT number of its SIREN (key = (12 + 3 × (SIREN mod 97)) mod 97), both checked."""
    siren = base + luhn.calc_check_digit(base)
    establishment = siren + "0001"
    siret = fr_siret.validate(establishment + luhn.calc_check_digit(establishment))
    vat_number = eu_vat.validate(f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}")
    return {"siret": siret, "vat_number": vat_number}


OFFICES = [
    {
        "slug": "saint-omer",
        "name": "Office de Tourisme et des Congrès du Pays de Saint-Omer",
        "legal_name": "SPL Tourisme en Pays de Saint-Omer",
        "legal_form": "Société publique locale",
        **legal_ids("81234567"),
        "address": "7, Place Victor Hugo",
        "postcode": "62500",
        "city": "Saint-Omer",
        "email": "relationspro@tourisme-saintomer.com",
        "phone": "+33321980851",
        "iban": str(_SAINT_OMER_IBAN),
        "bic": str(_SAINT_OMER_IBAN.bic),
        "cheque_payee": "SPL Tourisme en Pays de Saint-Omer",
        "privacy_notice": SAINT_OMER_PRIVACY,
    },
    {
        "slug": "aire-sur-la-lys",
        "name": "Office de Tourisme d'Aire-sur-la-Lys",
        "legal_name": "Association Office de Tourisme d'Aire-sur-la-Lys",
        "legal_form": "Association loi 1901",
        **legal_ids("82345678"),
        "address": "12, Grand'Place",
        "postcode": "62120",
        "city": "Aire-sur-la-Lys",
        "email": "partenaires@tourisme-aire.example",
        "phone": "+33321395612",
        "iban": str(_AIRE_IBAN),
        "bic": str(_AIRE_IBAN.bic),
        "cheque_payee": "Office de Tourisme d'Aire-sur-la-Lys",
        "privacy_notice": AIRE_PRIVACY,
    },
]


@dataclasses.dataclass(frozen=True)
class StaffSpec:
    office: str
    email: str
    full_name: str
    pole: str
    role: str


Pole = StaffMembership.Pole

# One account per role in Saint-Omer (docs/security.md has the matrix). The roles that touch
# money, exports, settings or staff ask for an authenticator app at their first login.
STAFF = [
    StaffSpec(
        "saint-omer", "direction@saint-omer.demo", "Hélène Caudron", Pole.ADMINISTRATION, Role.DIRECTION
    ),
    StaffSpec("saint-omer", "stagiaire@saint-omer.demo", "Lucas Verhaeghe", Pole.RECEPTION, Role.READ_ONLY),
    StaffSpec("saint-omer", "accueil@saint-omer.demo", "Maëlle Vandewalle", Pole.RECEPTION, Role.RECEPTION),
    StaffSpec(
        "saint-omer", "commercialisation@saint-omer.demo", "Thomas Lheureux", Pole.SALES, Role.PARTNERS
    ),
    StaffSpec("saint-omer", "promotion@saint-omer.demo", "Inès Bourgois", Pole.PROMOTION, Role.PROMOTION),
    StaffSpec("saint-omer", "relations@saint-omer.demo", "Sophie Dewaele", Pole.PARTNERS, Role.PARTNERS),
    StaffSpec(
        "saint-omer", "administration@saint-omer.demo", "Marc Leroy", Pole.ADMINISTRATION, Role.ACCOUNTING
    ),
    StaffSpec("aire-sur-la-lys", "staff@aire.demo", "Julie Hochart", Pole.PARTNERS, Role.DIRECTION),
]
