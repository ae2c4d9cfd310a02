"""The 2022 catalogue and texts, as the office's "Guide du partenaire 2022" prints them."""

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

OFFERS = [
    {
        "code": "pack-partenaire",
        "kind": "pack",
        "name": "Pack partenaire",
        "name_en": "Partner pack",
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
        "pricing_mode": "flat",
        "price_ttc": Decimal("100.00"),
        "entitlements": [("photos", "10 photos professionnelles", 10, None)],
    },
    {
        "code": "photos-25",
        "kind": "option",
        "name": "Pack photos — 25 photos",
        "name_en": "Photo pack — 25 photos",
        "pricing_mode": "flat",
        "price_ttc": Decimal("200.00"),
        "entitlements": [("photos", "25 photos professionnelles", 25, None)],
    },
    {
        "code": "video-clip",
        "kind": "option",
        "name": "Pack vidéo — clip promotionnel",
        "name_en": "Video pack — promotional clip",
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
