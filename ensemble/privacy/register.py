"""The processing register (registre des traitements, RGPD art. 30), written from the office's real
settings: the durations are read from its RetentionPolicy, so the register, the public privacy
page and the daily purge cannot disagree."""

import dataclasses

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ensemble.core.models import Office

from .selectors import retention_policy


@dataclasses.dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    legal_basis: str
    data: str
    recipients: str
    retention: str


def _days(n: int) -> str:
    return ngettext("%(n)d jour", "%(n)d jours", n) % {"n": n}


def _years(n: int) -> str:
    return ngettext("%(n)d an", "%(n)d ans", n) % {"n": n}


def processing_register(office: Office) -> list[Processing]:
    policy = retention_policy(office)
    evidence, ips = _years(policy.evidence_years), _days(policy.connection_ip_days)
    staff = _("l'équipe de %(office)s") % {"office": office.name}
    return [
        Processing(
            _("Adhésions et relation avec les partenaires"),
            _("Traiter les demandes d'adhésion, gérer les adhésions, les droits du pack et les demandes."),
            _("Exécution du contrat (RGPD, art. 6.1.b)"),
            _("Identité et coordonnées des personnes de l'organisation, rôle, langue, échanges."),
            staff,
            _("Durée de l'adhésion, puis %(years)s (prescription, Code civil art. 2224), puis effacement.")
            % {"years": evidence},
        ),
        Processing(
            _("Facturation et comptabilité"),
            _("Émettre les factures, avoirs et devis, enregistrer les règlements, relancer les impayés."),
            _("Obligation légale (RGPD, art. 6.1.c)"),
            _("Identité de l'acheteur (raison sociale, adresse, SIREN, TVA), montants, règlements."),
            _("%(staff)s, l'expert-comptable, l'administration fiscale sur demande") % {"staff": staff},
            _("10 ans à compter de la clôture de l'exercice (Code de commerce, art. L123-22)."),
        ),
        Processing(
            _("Preuves d'acceptation (charte, CGV, devis)"),
            _("Prouver ce que le partenaire a accepté, quand et depuis où."),
            _("Exécution du contrat et intérêt légitime à se défendre (RGPD, art. 6.1.b et f)"),
            _("Texte accepté, date et heure, adresse IP, navigateur."),
            staff,
            _(
                "Le texte : durée du contrat plus %(years)s ; l'adresse IP et le navigateur : "
                "%(years)s après la "
                "fin de la saison."
            )
            % {"years": evidence},
        ),
        Processing(
            _("Comptes de connexion et sécurité"),
            _(
                "Permettre la connexion à l'espace pro et au back office, protéger les comptes, "
                "tracer les actions."
            ),
            _("Exécution du contrat et intérêt légitime (sécurité) (RGPD, art. 6.1.b et f)"),
            _(
                "E-mail, nom, mot de passe chiffré, double authentification, journal des actions "
                "et adresses IP."
            ),
            staff,
            _("Le compte : tant que la personne a un lien avec l'office ; les adresses IP : %(days)s.")
            % {"days": ips},
        ),
        Processing(
            _("E-mails envoyés"),
            _("Informer les partenaires (décisions, factures, campagnes) et garder trace des envois."),
            _("Exécution du contrat (RGPD, art. 6.1.b)"),
            _("Adresse du destinataire, objet, contenu (liens de connexion compris)."),
            _("%(staff)s, le prestataire d'envoi d'e-mails") % {"staff": staff},
            _(
                "Le contenu : %(days)s après l'envoi ; le destinataire et l'objet : comme le "
                "dossier du partenaire."
            )
            % {"days": _days(policy.email_body_days)},
        ),
        Processing(
            _("Campagnes de mise à jour des fiches"),
            _("Demander aux partenaires de vérifier leur fiche avant l'impression des supports."),
            _("Intérêt légitime (RGPD, art. 6.1.f), avec lien de désinscription"),
            _("Adresse e-mail, fiche concernée ; empreinte de l'adresse des personnes désinscrites."),
            staff,
            _("Durée de la campagne ; la désinscription : tant qu'elle n'est pas retirée."),
        ),
        Processing(
            _("Publication des fiches et de l'agenda"),
            _(
                "Faire connaître les partenaires : site, widget, écrans d'accueil, guide imprimé, "
                "API, DATAtourisme."
            ),
            _("Exécution du contrat (RGPD, art. 6.1.b)"),
            _("Coordonnées professionnelles publiées de l'établissement (téléphone, e-mail, site)."),
            _("Le public, l'agence de mise en page, DATAtourisme et les réutilisateurs de l'API"),
            _("Tant que la fiche est publiée."),
        ),
        Processing(
            _("Tâches de fond"),
            _("Envoyer les e-mails, produire les PDF et exécuter les travaux quotidiens."),
            _("Intérêt légitime (fonctionnement du service) (RGPD, art. 6.1.f)"),
            _("Identifiants techniques des objets traités, résultat de la tâche."),
            _("Personne en dehors de l'hébergement"),
            _("%(days)s après la fin de la tâche.") % {"days": _days(policy.task_result_days)},
        ),
    ]
