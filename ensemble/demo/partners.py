"""Invented partners of the Saint-Omer area: every business and person here is fictitious.

Streets and towns are real; house numbers, names, phone numbers and SIRETs are not. Each partner
says which state its membership ends in (`outcome`): of the current season, or of last year's
for the partners who left; `ensemble.demo.outcomes` gets it there through the membership services.
"""

import dataclasses

# town -> (postcode, latitude, longitude of the town centre)
TOWNS = {
    "Saint-Omer": ("62500", 50.7500, 2.2520),
    "Arques": ("62510", 50.7360, 2.3030),
    "Longuenesse": ("62219", 50.7370, 2.2440),
    "Aire-sur-la-Lys": ("62120", 50.6390, 2.3960),
    "Blendecques": ("62575", 50.7180, 2.2850),
    "Wizernes": ("62570", 50.7110, 2.2370),
    "Tilques": ("62500", 50.7780, 2.2010),
    "Clairmarais": ("62500", 50.7700, 2.3030),
    "Helfaut": ("62570", 50.6990, 2.2420),
    "Thérouanne": ("62129", 50.6370, 2.2590),
    "Lumbres": ("62380", 50.7070, 2.1230),
    "Eperlecques": ("62910", 50.8060, 2.1540),
    "Salperwick": ("62500", 50.7680, 2.2280),
    "Saint-Martin-lez-Tatinghem": ("62500", 50.7560, 2.2200),
    "Esquerdes": ("62380", 50.7040, 2.1880),
    "Serques": ("62910", 50.7920, 2.2010),
    "Isbergues": ("62330", 50.6230, 2.4570),
    "Wittes": ("62120", 50.6700, 2.3900),
    "Mametz": ("62120", 50.6350, 2.3240),
    "Roquetoire": ("62120", 50.6680, 2.3380),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartnerSpec:
    key: str  # stable natural key: the SIRET, phone and dates derive from it
    organisation: str  # raison sociale
    name: str  # enseigne
    category: str  # slug of a default category
    address: str
    town: str
    contact: str  # "Prénom Nom"
    outcome: str
    language: str = "fr"
    options: tuple[tuple[str, int], ...] = ()  # (offer code, quantity)
    payment: str = "cheque"
    email: str = ""  # default: <prénom>@<enseigne>.example
    reason: str = ""  # refusal, suspension or termination
    notes: tuple[tuple[str, str, str], ...] = ()  # (kind, summary, body)
    login: bool = False  # a demo login: password set and e-mail verified


P = PartnerSpec
PHOTOS = (("photos-10", 1),)

# fmt: off
SAINT_OMER_PARTNERS = [
    # Hébergement
    P(key="so-remparts", organisation="SARL Hôtel des Remparts", name="Hôtel des Remparts",
      category="hebergement", address="14, rue de Dunkerque", town="Saint-Omer",
      contact="Sophie Vandamme", outcome="active", options=PHOTOS,
      notes=(("visit", "Visite annuelle : 4 chambres rénovées",
              "Nouvelles photos à prévoir avec le pack photos ; brochures bien en vue."),)),
    P(key="so-enclos", organisation="Les Chambres de l'Enclos", name="Les Chambres de l'Enclos",
      category="hebergement", address="3, enclos Notre-Dame", town="Saint-Omer",
      contact="Bertrand Decroix", outcome="active", payment="transfer"),
    P(key="so-watergang", organisation="Gîte du Watergang", name="Gîte du Watergang",
      category="hebergement", address="21, route du Marais", town="Clairmarais",
      contact="Oliver Bennett", language="en", outcome="active",
      options=(("formation-anglais", 1),)),
    P(key="so-berges", organisation="SAS Camping des Berges", name="Camping Les Berges de l'Aa",
      category="hebergement", address="2, chemin du Halage", town="Wizernes",
      contact="Pieter Janssens", language="nl", outcome="active", payment="transfer",
      options=(("formation-neerlandais", 2),)),
    P(key="so-canal", organisation="SARL Hôtel du Canal", name="Hôtel du Canal",
      category="hebergement", address="48, rue de Neufossé", town="Arques",
      contact="Nadia Bruneel", outcome="awaiting_payment"),
    P(key="so-longere", organisation="La Longère des Prés", name="La Longère des Prés",
      category="hebergement", address="9, rue de la Coupole", town="Helfaut",
      contact="Claire Verhaeghe", outcome="requested"),
    P(key="so-pre-endives", organisation="Gîte Le Pré aux Endives", name="Le Pré aux Endives",
      category="hebergement", address="5, rue de la Forêt", town="Eperlecques",
      contact="Annelies Peeters", language="nl", outcome="notice_given"),
    P(key="so-clos-bertin", organisation="SAS Résidence du Clos", name="Résidence Le Clos Saint-Bertin",
      category="hebergement", address="27, rue Saint-Bertin", town="Saint-Omer",
      contact="Julien Wallart", outcome="expired"),
    P(key="so-morinie", organisation="SARL Relais de la Morinie", name="Hôtel Le Relais de la Morinie",
      category="hebergement", address="112, avenue Joffre", town="Longuenesse",
      contact="Émilie Coppin", outcome="suspended",
      reason="Informations non mises à jour dans l'espace pro depuis six mois (CGV art. 2)."),
    P(key="so-saules", organisation="Aire naturelle Les Saules", name="Camping Les Saules",
      category="hebergement", address="4, rue de la Lys", town="Thérouanne",
      contact="Rachel Hughes", language="en", outcome="refused",
      reason="Hébergement hors du territoire couvert par l'Office pour cette offre."),
    P(key="so-tilleuls", organisation="Chambres d'hôtes Les Tilleuls", name="Chambres d'hôtes Les Tilleuls",
      category="hebergement", address="6, rue de l'Église", town="Tilques",
      contact="Hélène Sauvage", outcome="ended_notice"),
    # Restauration
    P(key="so-table-escute", organisation="SARL La Table de l'Escute", name="La Table de l'Escute",
      category="restauration", address="8, quai du Haut-Pont", town="Saint-Omer",
      contact="Antoine Lemaire", outcome="active", options=(("video-bars-restos", 1),),
      payment="transfer"),
    P(key="so-faubourg", organisation="Estaminet Le Faubourg", name="Estaminet Le Faubourg",
      category="restauration", address="33, rue de Lyzel", town="Saint-Omer",
      contact="Manon Fournier", outcome="active",
      notes=(("call", "Appel : menu de saison pour la brochure groupes",
              "Propose un menu estaminet à 24 € pour les groupes (20 à 45 couverts)."),)),
    P(key="so-haut-pont", organisation="Crêperie du Haut-Pont", name="Crêperie du Haut-Pont",
      category="restauration", address="41, rue du Haut-Pont", town="Saint-Omer",
      contact="Yann Le Goff", outcome="active"),
    P(key="so-bac", organisation="SARL Auberge du Bac", name="Auberge du Bac",
      category="restauration", address="2, rue du Bac", town="Clairmarais",
      contact="Joris Vermeulen", language="nl", outcome="awaiting_payment_partial",
      options=(("formation-reseaux-sociaux", 2),)),
    P(key="so-romane", organisation="La Cuisine de Romane", name="La Cuisine de Romane",
      category="restauration", address="15, rue Pierre Mendès-France", town="Longuenesse",
      contact="Romane Dumont", outcome="requested", options=PHOTOS),
    P(key="so-four", organisation="Pizzeria Le Four à Bois", name="Le Four à Bois",
      category="restauration", address="60, rue Jean Jaurès", town="Arques",
      contact="Marco Bellini", outcome="expired"),
    P(key="so-place", organisation="SAS Brasserie de la Place", name="Brasserie de la Place",
      category="restauration", address="2, place du Maréchal Foch", town="Saint-Omer",
      contact="Laurent Leclercq", outcome="terminated",
      reason="Manquement répété à la politique de qualité (CGV art. 2), après deux rappels écrits."),
    P(key="so-gaston", organisation="Friterie Chez Gaston", name="Friterie Chez Gaston",
      category="restauration", address="1, place de la Mairie", town="Blendecques",
      contact="Gaston Pruvost", outcome="refused",
      reason="Dossier incomplet : ni SIRET à jour ni attestation d'assurance après trois relances."),
    P(key="so-verger", organisation="Restaurant Le Verger", name="Le Verger",
      category="restauration", address="18, rue François Cousin", town="Lumbres",
      contact="Aurélie Boulanger", outcome="active"),
    # Bars
    P(key="so-comptoir", organisation="SARL Le Comptoir Audomarois", name="Le Comptoir Audomarois",
      category="bars", address="10, rue des Clouteries", town="Saint-Omer",
      contact="Kevin Delplace", outcome="active", options=(("video-bars-restos", 1),)),
    P(key="so-quai", organisation="Le Café du Quai", name="Le Café du Quai",
      category="bars", address="52, quai des Salines", town="Saint-Omer",
      contact="Lucie Ramet", outcome="requested"),
    P(key="so-cave", organisation="SAS La Cave des Clouteries", name="La Cave des Clouteries",
      category="bars", address="25, rue des Clouteries", town="Saint-Omer",
      contact="Vincent Bauduin", outcome="awaiting_payment", payment="transfer"),
    P(key="so-grenier", organisation="Pub Le Grenier", name="Pub Le Grenier",
      category="bars", address="7, place Roger Salengro", town="Arques",
      contact="Steven Wright", language="en", outcome="notice_given"),
    P(key="so-bouquet", organisation="Salon de thé Le Bouquet", name="Salon de thé Le Bouquet",
      category="bars", address="19, rue Carnot", town="Saint-Omer",
      contact="Margaux Hennebelle", outcome="expired"),
    # Activités de loisirs
    P(key="so-fil-marais", organisation="SARL Au Fil du Marais", name="Au Fil du Marais — balades en barque",
      category="loisirs", address="12, rue du Marais", town="Salperwick",
      contact="Benoît Vasseur", outcome="active", options=(("video-clip", 1),),
      notes=(("visit", "Visite : nouvel embarcadère et deux bacôves électriques",
              "Souhaite figurer dans le roadbook et proposer la billetterie en ligne."),
             ("call", "Appel : horaires d'été transmis pour l'agenda", ""))),
    P(key="so-bacoves", organisation="Les Bacôves de Clairmarais", name="Les Bacôves de Clairmarais",
      category="loisirs", address="30, rue du Romelaëre", town="Clairmarais",
      contact="Eline De Smet", language="nl", outcome="active",
      options=(("formation-neerlandais", 1),)),
    P(key="so-enigme", organisation="SAS L'Énigme de l'Abbaye", name="Escape game L'Énigme de l'Abbaye",
      category="loisirs", address="5, rue Gambetta", town="Saint-Omer",
      contact="Hugo Tillier", outcome="active", options=(("gamification", 1),),
      payment="transfer",
      notes=(("call", "Appel : projet de parcours ludique en ville",
              "Intéressé par le pack gamification ; devis à établir par le pôle promotion."),)),
    P(key="so-bruyeres", organisation="SAS Golf Club des Bruyères", name="Golf Club des Bruyères",
      category="loisirs", address="1, route du Plateau", town="Helfaut",
      contact="Philippe Castelain", outcome="active", options=PHOTOS, payment="transfer"),
    P(key="so-antan", organisation="Association Musée des Métiers d'Antan",
      name="Musée des Métiers d'Antan", category="loisirs", address="16, rue du Moulin",
      town="Eperlecques", contact="Monique Deschamps", outcome="active"),
    P(key="so-velo", organisation="Vélo & Marais", name="Vélo & Marais — location de vélos",
      category="loisirs", address="3, rue Gambetta", town="Arques",
      contact="Damien Hiez", outcome="awaiting_payment"),
    P(key="so-canoes", organisation="Les Canoës de la Vallée", name="Les Canoës de la Vallée",
      category="loisirs", address="8, rue du Moulin", town="Wizernes",
      contact="Thibault Lecat", outcome="suspended",
      reason="Avis clients négatifs répétés sur la sécurité : visite qualité programmée."),
    P(key="so-sabots", organisation="Ferme pédagogique Les P'tits Sabots",
      name="Ferme pédagogique Les P'tits Sabots", category="loisirs",
      address="11, rue de Serques", town="Tilques", contact="Amandine Duhamel",
      outcome="requested"),
    P(key="so-cimes", organisation="SAS Les Cimes d'Eperlecques", name="Les Cimes — parc accrobranche",
      category="loisirs", address="Lieu-dit Le Bois", town="Eperlecques",
      contact="Maxime Delbende", outcome="ended_notice"),
    # Producteurs du terroir
    P(key="so-endives", organisation="EARL Boulanger-Dewitte", name="Les Endives du Haut-Pont",
      category="terroir", address="74, rue du Haut-Pont", town="Saint-Omer",
      contact="Jean-Marc Dewitte", outcome="active",
      notes=(("visit", "Visite de l'exploitation : endives de pleine terre",
              "Accepte d'accueillir un éductour en novembre."),)),
    P(key="so-houblon", organisation="SAS Brasserie Le Houblon Audomarois",
      name="Brasserie artisanale Le Houblon Audomarois", category="terroir",
      address="20, rue de la Papeterie", town="Blendecques", contact="Nicolas Verbeke",
      outcome="active", options=(("video-clip", 1), ("formation-anglais", 1))),
    P(key="so-fromagerie", organisation="Fromagerie de la Morinie", name="Fromagerie de la Morinie",
      category="terroir", address="2, rue de Saint-Omer", town="Thérouanne",
      contact="Céline Roussel", outcome="awaiting_payment"),
    P(key="so-genievre", organisation="SARL Genièvrerie des Trois Moulins",
      name="Genièvrerie des Trois Moulins", category="terroir", address="9, route de Watten",
      town="Eperlecques", contact="Frédéric Lagache", outcome="requested"),
    P(key="so-legumes", organisation="EARL Les Légumes du Marais", name="Les Légumes du Marais",
      category="terroir", address="5, rue du Marais", town="Serques",
      contact="Pascal Dufresne", outcome="active"),
    P(key="so-cidrerie", organisation="Cidrerie du Val de Lumbres", name="Cidrerie du Val de Lumbres",
      category="terroir", address="22, rue d'Acquin", town="Lumbres",
      contact="Agnès Fauquembergue", outcome="active", payment="transfer"),
    P(key="so-miellerie", organisation="Miellerie des Bruyères", name="Miellerie des Bruyères",
      category="terroir", address="4, chemin des Abeilles", town="Esquerdes",
      contact="Gérard Lebrun", outcome="requested"),
    # The demo login of the espace pro
    P(key="so-jardin", organisation="SARL Le Jardin de l'Écusserie",
      name="Maison d'hôtes Le Jardin de l'Écusserie", category="hebergement",
      address="22, rue de l'Écusserie", town="Saint-Omer", contact="Camille Desmarets",
      outcome="active", email="partner@saint-omer.demo", login=True,
      options=(("formation-reseaux-sociaux", 1),),
      notes=(("note", "Compte de démonstration de l'espace pro", ""),)),
]

# One business, partner of both offices with the same login.
BOTH_OFFICES_PARTNER = P(
    key="both-lys-marais", organisation="SAS Gîtes de la Lys et du Marais",
    name="Gîtes de la Lys et du Marais", category="hebergement",
    address="6, rue de Saint-Omer", town="Wittes", contact="Isabelle Vanhove",
    outcome="active", email="partner@both.demo", login=True, payment="transfer",
)

AIRE_PARTNERS = [
    P(key="aire-beffroi", organisation="SARL Hôtel Le Beffroi", name="Hôtel Le Beffroi",
      category="hebergement", address="3, Grand'Place", town="Aire-sur-la-Lys",
      contact="Quentin Mahieu", outcome="active"),
    P(key="aire-collegiale", organisation="Restaurant La Collégiale", name="La Collégiale",
      category="restauration", address="10, rue de Saint-Omer", town="Aire-sur-la-Lys",
      contact="Sandrine Lemoine", outcome="awaiting_payment"),
    P(key="aire-marche", organisation="Le Marché aux Herbes", name="Bar Le Marché aux Herbes",
      category="bars", address="1, place du Marché aux Herbes", town="Aire-sur-la-Lys",
      contact="Arnaud Degrave", outcome="requested"),
    P(key="aire-peniche", organisation="SAS La Lys Vivante", name="Péniche-promenade La Lys Vivante",
      category="loisirs", address="Quai du Fort Gassion", town="Aire-sur-la-Lys",
      contact="Wouter Claes", language="nl", outcome="active",
      options=(("formation-neerlandais", 1),)),
    P(key="aire-canaux", organisation="EARL La Ferme des Deux Canaux", name="La Ferme des Deux Canaux",
      category="terroir", address="15, rue du Canal", town="Isbergues",
      contact="Virginie Caullet", outcome="refused",
      reason="Activité de négoce sans production sur l'exploitation."),
    P(key="aire-moulin", organisation="Gîte Le Moulin de Mametz", name="Gîte Le Moulin de Mametz",
      category="hebergement", address="2, rue du Moulin", town="Mametz",
      contact="James Whitfield", language="en", outcome="active"),
]
# fmt: on

PARTNERS_BY_OFFICE = {
    "saint-omer": [*SAINT_OMER_PARTNERS, BOTH_OFFICES_PARTNER],
    "aire-sur-la-lys": [*AIRE_PARTNERS, BOTH_OFFICES_PARTNER],
}

# Partners who left: their last membership was of the previous season, which ended either with
# the season (expired) or earlier, when their notice ran out (terminated).
FORMER_PARTNER_OUTCOMES = {"expired", "ended_notice"}
