"""The 2022 catalogue and texts, as the office's "Guide du partenaire 2022" prints them, with
their English and Dutch translations (the join form and the espace pro show them in the page's
language: `name_en`/`name_nl`, `description_en`/`description_nl`, and `LABELS` for the rights)."""

from decimal import Decimal

PACK_ENTITLEMENTS = [
    # (kind, label, quantity per season or None for "on request / as the calendar allows",
    #  duration in days of one use[, per unit bought])
    ("training", "1 inscription par an à une formation réseaux sociaux (CGV art. 8)", 1, None),
    ("salon_day", "Présence en salon du tourisme : 1 journée par an", 1, None),
    ("screen_banner", "Bandeau sur l'écran d'accueil (diffusion pendant 60 jours)", 1, 60),
    (
        "promo_spot",
        "Spot promo de 30 à 40 secondes ou shooting photo (5 photos) publié sur Instagram",
        1,
        None,
    ),
    (
        "welcome_gift",
        "« Cadeau de bienvenue » : accès gratuit aux parcours Balad'Enigm pour vos clients",
        None,
        None,
    ),
    ("pro_meetings", "Invitations aux rencontres de professionnels", None, None),
    ("working_groups", "Groupes de travail (afterworks, visites VIP)", None, None),
    ("image_bank", "Accès à la banque d'images de l'Office (sur demande écrite)", None, None),
    ("annual_visit", "Visite annuelle sur demande", 1, None),
]

# The rights' names in English and Dutch, by their French name (the tuples above and below).
LABELS = {
    "1 inscription par an à une formation réseaux sociaux (CGV art. 8)": (
        "1 place a year on a social media training course (terms of sale, art. 8)",
        "1 inschrijving per jaar voor een training sociale media (algemene verkoopvoorwaarden, art. 8)",
    ),
    "Présence en salon du tourisme : 1 journée par an": (
        "Presence at a tourism fair: 1 day a year",
        "Aanwezigheid op een toerismebeurs: 1 dag per jaar",
    ),
    "Bandeau sur l'écran d'accueil (diffusion pendant 60 jours)": (
        "Banner on the reception screen (shown for 60 days)",
        "Banner op het scherm van het onthaal (60 dagen vertoond)",
    ),
    "Spot promo de 30 à 40 secondes ou shooting photo (5 photos) publié sur Instagram": (
        "30 to 40-second promotional clip or photo shoot (5 photos) posted on Instagram",
        "Promotiefilmpje van 30 tot 40 seconden of fotoshoot (5 foto's) gepubliceerd op Instagram",
    ),
    "« Cadeau de bienvenue » : accès gratuit aux parcours Balad'Enigm pour vos clients": (
        "“Welcome gift”: free access to the Balad'Enigm trails for your guests",
        "“Welkomstgeschenk”: gratis toegang tot de Balad'Enigm-routes voor uw klanten",
    ),
    "Invitations aux rencontres de professionnels": (
        "Invitations to the professional meetings",
        "Uitnodigingen voor de ontmoetingen met professionals",
    ),
    "Groupes de travail (afterworks, visites VIP)": (
        "Working groups (afterworks, VIP visits)",
        "Werkgroepen (afterworks, vip-bezoeken)",
    ),
    "Accès à la banque d'images de l'Office (sur demande écrite)": (
        "Access to the Office's image bank (on written request)",
        "Toegang tot de beeldbank van het toeristenbureau (op schriftelijk verzoek)",
    ),
    "Visite annuelle sur demande": ("Annual visit on request", "Jaarlijks bezoek op aanvraag"),
    "10 photos professionnelles": ("10 professional photos", "10 professionele foto's"),
    "25 photos professionnelles": ("25 professional photos", "25 professionele foto's"),
    "1 clip promotionnel": ("1 promotional clip", "1 promotieclip"),
    "1 vidéo promotionnelle de 3 à 4 minutes": (
        "1 promotional video of 3 to 4 minutes",
        "1 promotievideo van 3 à 4 minuten",
    ),
    "Inscription à une formation réseaux sociaux": (
        "Registration for a social media training course",
        "Inschrijving voor een training sociale media",
    ),
    "Inscription à la formation néerlandais": (
        "Registration for the Dutch course",
        "Inschrijving voor de cursus Nederlands",
    ),
    "Traduction de 600 mots du français au néerlandais": (
        "Translation of 600 words from French into Dutch",
        "Vertaling van 600 woorden uit het Frans in het Nederlands",
    ),
    "Inscription à la formation anglais": (
        "Registration for the English course",
        "Inschrijving voor de cursus Engels",
    ),
    "Traduction de 600 mots du français à l'anglais": (
        "Translation of 600 words from French into English",
        "Vertaling van 600 woorden uit het Frans in het Engels",
    ),
}

OFFERS = [
    {
        "code": "pack-partenaire",
        "kind": "pack",
        "name": "Pack partenaire",
        "name_en": "Partner pack",
        "name_nl": "Partnerpakket",
        "description_en": (
            "Listing on the Office's digital tools and printed materials, visibility at the visitor "
            "information points, on the screens and in the events calendar, espace pro (partner area), "
            "access to the à la carte offers, professional meetings."
        ),
        "description_nl": (
            "Vermelding in de digitale tools en de drukwerken van het toeristenbureau, zichtbaarheid in"
            " de onthaalpunten, op de schermen en in de evenementenkalender, partnerruimte (espace "
            "pro), toegang tot het aanbod à la carte, ontmoetingen met professionals."
        ),
        "pricing_mode": "flat",
        "price_ttc": Decimal("90.00"),
        "description": (
            "Référencement sur les outils numériques et les supports papier de l'Office, "
            "visibilité dans les points d'accueil, sur les écrans et dans l'agenda, espace pro, "
            "accès aux offres à la carte, rencontres de professionnels."
        ),
        "entitlements": PACK_ENTITLEMENTS,
    },
    {
        "code": "photos-10",
        "kind": "option",
        "name": "Pack photos — 10 photos",
        "name_en": "Photo pack — 10 photos",
        "name_nl": "Fotopakket — 10 foto's",
        "pricing_mode": "flat",
        "price_ttc": Decimal("100.00"),
        "entitlements": [("photos", "10 photos professionnelles", 10, None)],
    },
    {
        "code": "photos-25",
        "kind": "option",
        "name": "Pack photos — 25 photos",
        "name_en": "Photo pack — 25 photos",
        "name_nl": "Fotopakket — 25 foto's",
        "pricing_mode": "flat",
        "price_ttc": Decimal("200.00"),
        "entitlements": [("photos", "25 photos professionnelles", 25, None)],
    },
    {
        "code": "video-clip",
        "kind": "option",
        "name": "Pack vidéo — clip promotionnel",
        "name_en": "Video pack — promotional clip",
        "name_nl": "Videopakket — promotieclip",
        "description_en": (
            "Filming and editing of a promotional clip for your social networks (2 hours of filming, 4 "
            "hours of editing)."
        ),
        "description_nl": (
            "Opname en montage van een promotieclip voor uw sociale netwerken (2 uur opname, 4 uur montage)."
        ),
        "pricing_mode": "flat",
        "price_ttc": Decimal("300.00"),
        "description": (
            "Tournage et montage d'un clip promotionnel à destination de vos réseaux "
            "(2 h de tournage, 4 h de montage)."
        ),
        "entitlements": [("video", "1 clip promotionnel", 1, None)],
    },
    {
        "code": "video-bars-restos",
        "kind": "option",
        "name": "Pack vidéo spécial bars/restos",
        "name_en": "Video pack for bars and restaurants",
        "name_nl": "Videopakket voor bars en restaurants",
        "description_en": (
            "A recipe B-roll: a promotional video of 3 to 4 minutes (half a day of filming, 10 to 12 "
            "hours of editing)."
        ),
        "description_nl": (
            "Een B-roll van een recept: promotievideo van 3 à 4 minuten (een halve dag opname, 10 à 12 "
            "uur montage)."
        ),
        "pricing_mode": "flat",
        "price_ttc": Decimal("800.00"),
        "description": (
            "Réalisation d'un B-roll recette : vidéo promotionnelle de 3 à 4 minutes "
            "(1/2 journée de tournage, 10 à 12 h de montage)."
        ),
        "entitlements": [("video", "1 vidéo promotionnelle de 3 à 4 minutes", 1, None)],
    },
    {
        "code": "gamification",
        "kind": "option",
        "name": "Pack gamification",
        "name_en": "Gamification pack",
        "name_nl": "Gamificationpakket",
        "description_en": (
            "Support for gamification projects, help adapting an activity to the principles of "
            "gamification, creation or co-creation of a game-based activity."
        ),
        "description_nl": (
            "Begeleiding bij gamificationprojecten, hulp bij het aanpassen van een activiteit aan de "
            "principes van gamification, creatie of co-creatie van een spelactiviteit."
        ),
        "pricing_mode": "on_quote",
        "price_ttc": None,
        "description": (
            "Accompagnement sur les projets de gamification, aide à l'adaptation d'une activité "
            "aux principes de la gamification, création ou co-création d'une activité ludique."
        ),
        "entitlements": [],
    },
    {
        "code": "evenementiel",
        "kind": "option",
        "name": "Pack événementiel",
        "name_en": "Events pack",
        "name_nl": "Evenementenpakket",
        "description_en": (
            "Support for your event project; ticketing for your event on the Tourist Office's website "
            "(10% commission)."
        ),
        "description_nl": (
            "Begeleiding bij uw evenementproject; ticketverkoop voor uw evenement op de website van het"
            " toeristenbureau (commissie van 10 %)."
        ),
        "pricing_mode": "on_quote",
        "price_ttc": None,
        "commission_rate": Decimal("10.00"),
        "description": (
            "Accompagnement sur projet événementiel ; gestion de la billetterie de votre "
            "événement sur le site de l'Office de Tourisme (commissionnement de 10 %)."
        ),
        "entitlements": [],
    },
    {
        "code": "formation-reseaux-sociaux",
        "kind": "option",
        "name": "Formation réseaux sociaux",
        "name_en": "Social media training",
        "name_nl": "Training sociale media",
        "description_en": (
            "Facebook (beginner and advanced, 2 sessions), Instagram introduction (1 session). On "
            "registration, according to the calendar."
        ),
        "description_nl": (
            "Facebook (beginners en gevorderden, 2 sessies), Instagram voor beginners (1 sessie). Op "
            "inschrijving, volgens de kalender."
        ),
        "pricing_mode": "per_person",
        "price_ttc": Decimal("50.00"),
        "description": (
            "Facebook (débutant et confirmé, 2 séances), Instagram initiation (1 séance). "
            "Sur inscription, selon calendrier."
        ),
        "entitlements": [("training", "Inscription à une formation réseaux sociaux", 1, None, True)],
    },
    {
        "code": "formation-neerlandais",
        "kind": "option",
        "name": "Formation et traduction néerlandais",
        "name_en": "Dutch training and translation",
        "name_nl": "Training en vertaling Nederlands",
        "description_en": (
            "2 levels (beginner and advanced), at least 5 sessions; translation of 600 words from "
            "French into Dutch. On registration, according to the calendar."
        ),
        "description_nl": (
            "2 niveaus (beginners en gevorderden), minstens 5 sessies; vertaling van 600 woorden uit "
            "het Frans in het Nederlands. Op inschrijving, volgens de kalender."
        ),
        "pricing_mode": "per_person",
        "price_ttc": Decimal("50.00"),
        "description": (
            "2 niveaux (débutant et confirmé), minimum 5 séances ; traduction de 600 mots du "
            "français au néerlandais. Sur inscription, selon calendrier."
        ),
        "entitlements": [
            ("training", "Inscription à la formation néerlandais", 1, None, True),
            ("translation", "Traduction de 600 mots du français au néerlandais", 1, None),
        ],
    },
    {
        "code": "formation-anglais",
        "kind": "option",
        "name": "Formation et traduction anglais",
        "name_en": "English training and translation",
        "name_nl": "Training en vertaling Engels",
        "description_en": (
            "2 levels (beginner and advanced), at least 5 sessions; translation of 600 words from "
            "French into English. On registration, according to the calendar."
        ),
        "description_nl": (
            "2 niveaus (beginners en gevorderden), minstens 5 sessies; vertaling van 600 woorden uit "
            "het Frans in het Engels. Op inschrijving, volgens de kalender."
        ),
        "pricing_mode": "per_person",
        "price_ttc": Decimal("50.00"),
        "description": (
            "2 niveaux (débutant et confirmé), minimum 5 séances ; traduction de 600 mots du "
            "français à l'anglais. Sur inscription, selon calendrier."
        ),
        "entitlements": [
            ("training", "Inscription à la formation anglais", 1, None, True),
            ("translation", "Traduction de 600 mots du français à l'anglais", 1, None),
        ],
    },
]
