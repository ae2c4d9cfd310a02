"""Generate a region-sized published directory in one office, fast (bulk_create, no services).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench \\
        .venv/bin/python bench/generate_region.py --office region \\
        --establishments 100000 --events 20000 --partners 5000

    .venv/bin/python bench/generate_region.py --office region --targets var/bench/targets.json

The database must be migrated first (`manage.py migrate`). Without DATABASE_URL the data goes to
SQLite, var/bench/region.db. Settings default to `ensemble.settings.base` with DEBUG off.

What it creates, in one transaction (a failure leaves nothing behind), in the office `--office`:

- the five categories, the default amenities and labels, the current season (seed catalogue);
- `--partners` partner organisations with a live membership (status "active" in the current
  season, pack line; 5 % also hold the "video-clip" option, marked highlighted in this office's
  catalogue so that the directory has a "À la une" set);
- `--establishments` establishments, each with its listing: most belong to the partners, 8 % are
  places the office publishes itself (museums, churches: `is_office_place`, owned by the town
  halls) and 12 % belong to non-partners (not published); 2 % of the partners' listings are
  withdrawn. Names and descriptions in French, English and Dutch are built from word lists about
  the Pays de Saint-Omer and the Hauts-de-France; amenities, opening periods (this year and next,
  `closed_mask` as `listings.fields.weekday_mask`), prices of the season, 0 to 3 published photos
  (rows pointing at a few small JPEG files), and for a third of the accommodation the availability
  of the next 60 nights;
- `--events` published events spread over the year ahead (and the month just past), 80 % from
  partners (at one of their establishments), 20 % from the office.

Search fields are filled as `listings.search.refresh_search` fills them: `sort_name = fold(name)`,
`search_document = fold(name + rest)`, and on PostgreSQL `search_vector` written by the INSERT with
refresh_search's own expression (`setweight(to_tsvector('french_unaccent', name), 'A') ||
setweight(…rest…, 'B')`); an UPDATE per batch afterwards would leave a dead version of every row.
ANALYZE follows; then five listings are compared with what `refresh_search` computes (alone: `--check`).

It refuses to run when the office slug already exists (drop the database or choose another slug).
Data are load data for benchmarks, written directly: no timeline, no listing versions, no contacts,
no invoices, no e-mails.

`--targets FILE` writes what the load script (bench/publishing_load.py) requests: a sample of
published listing ids, search words, and the rows 10 %, 50 % and 90 % down the directory's name
order (for cursors of deep pages).
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
BATCH = 5000  # establishments per round of bulk_create
SEED = 5

# ---- the region -----------------------------------------------------------------------------

# (town, postcode, latitude, longitude, weight): the Pays de Saint-Omer first, then the rest of
# the Hauts-de-France; weight ~ how many establishments it has.
TOWNS = [
    ("Saint-Omer", "62500", 50.7500, 2.2520, 12),
    ("Arques", "62510", 50.7360, 2.3030, 6),
    ("Longuenesse", "62219", 50.7370, 2.2440, 4),
    ("Aire-sur-la-Lys", "62120", 50.6390, 2.3960, 5),
    ("Blendecques", "62575", 50.7180, 2.2850, 2),
    ("Wizernes", "62570", 50.7110, 2.2370, 2),
    ("Lumbres", "62380", 50.7070, 2.1230, 2),
    ("Eperlecques", "62910", 50.8060, 2.1540, 2),
    ("Clairmarais", "62500", 50.7700, 2.3030, 3),
    ("Tilques", "62500", 50.7760, 2.1990, 1),
    ("Salperwick", "62500", 50.7670, 2.2290, 1),
    ("Serques", "62910", 50.7920, 2.2030, 1),
    ("Houlle", "62910", 50.7970, 2.1730, 1),
    ("Moulle", "62910", 50.7870, 2.1780, 1),
    ("Helfaut", "62570", 50.6980, 2.2420, 1),
    ("Thérouanne", "62129", 50.6370, 2.2580, 1),
    ("Fauquembergues", "62560", 50.6000, 2.0930, 1),
    ("Esquerdes", "62380", 50.7070, 2.1870, 1),
    ("Hallines", "62570", 50.7120, 2.2100, 1),
    ("Watten", "59143", 50.8320, 2.2110, 1),
    ("Racquinghem", "62120", 50.6930, 2.3580, 1),
    ("Renescure", "59173", 50.7280, 2.3680, 1),
    ("Saint-Martin-lez-Tatinghem", "62500", 50.7480, 2.2130, 2),
    ("Lille", "59000", 50.6290, 3.0570, 8),
    ("Arras", "62000", 50.2910, 2.7770, 5),
    ("Calais", "62100", 50.9510, 1.8580, 5),
    ("Boulogne-sur-Mer", "62200", 50.7260, 1.6140, 5),
    ("Dunkerque", "59140", 51.0340, 2.3770, 5),
    ("Béthune", "62400", 50.5300, 2.6410, 3),
    ("Cassel", "59670", 50.8000, 2.4860, 2),
    ("Hazebrouck", "59190", 50.7240, 2.5380, 2),
    ("Montreuil-sur-Mer", "62170", 50.4640, 1.7640, 2),
    ("Le Touquet-Paris-Plage", "62520", 50.5210, 1.5860, 4),
    ("Amiens", "80000", 49.8940, 2.2960, 5),
    ("Wimereux", "62930", 50.7700, 1.6110, 2),
    ("Bergues", "59380", 50.9680, 2.4330, 2),
    ("Ardres", "62610", 50.8540, 1.9780, 1),
    ("Audruicq", "62370", 50.8780, 2.0790, 1),
    ("Guînes", "62340", 50.8700, 1.8700, 1),
    ("Licques", "62850", 50.7850, 1.9380, 1),
    ("Wissant", "62179", 50.8860, 1.6620, 2),
]
# fmt: off
STREETS = [
    "rue de Dunkerque", "place Foch", "rue des Clouteries", "quai du Haut-Pont", "rue de l'Écusserie",
    "rue de Calais", "route de Clairmarais", "rue du Marais", "chemin des Watergangs", "rue de la Gare",
    "place du Marché", "rue de l'Abbaye", "rue des Tanneurs", "avenue du Général-de-Gaulle",
    "rue de la Lys", "chemin du Halage", "rue du Moulin", "rue de l'Église", "route de Saint-Omer",
    "rue des Faiseurs de Bateaux",
]
SURNAMES = [
    "Vandamme", "Lemaire", "Decroix", "Bruneel", "Wallart", "Coppin", "Hochart", "Deldicque", "Dewulf",
    "Vanhove", "Lefebvre", "Caron", "Delattre", "Vasseur", "Duquenne", "Boulanger", "Pruvost", "Verhaeghe",
    "Leclercq", "Ramet", "Bouquillon", "Degrave", "Mahieu", "Lamotte", "Vercoutre", "Sergeant", "Quéval",
    "Baheu", "Fournier", "Dussart",
]
QUALIFIERS = [
    "du Marais", "de la Cathédrale", "des Remparts", "du Vieux Moulin", "de l'Aa", "des Watergangs",
    "Saint-Bertin", "du Haut-Pont", "de la Lys", "des Faiseurs de Bateaux", "du Lion d'Or", "de la Gare",
    "du Beffroi", "des Tisserands", "de la Forêt", "de l'Abbaye", "du Bacôve", "des Trois Rivières",
    "Le Clos des Tilleuls", "La Ferme du Moulin", "Les Hortillons", "du Chou-Fleur", "des Flandres",
    "de l'Audomarois", "de la Colline", "Les Écluses", "du Canal", "La Grange", "L'Escale", "Le Relais",
    "Les Peupliers", "Le Fort", "La Cristallerie", "des Cygnes", "Au Bon Accueil", "Les Saules",
    "La Vieille Forge", "du Vivier", "La Chaumière", "Le Pré Fleuri", "La Tour", "de la Grand-Place",
    "du Lac", "des Hérons", "Le Colombier", "Les Glycines", "Le Pigeonnier", "de l'Opale", "des Dunes",
    "du Blanc-Nez",
]
# fmt: on

# Category slug -> (share of the partners' and non-partners' establishments, kinds as (fr, en, nl)).
CATEGORIES = {
    "hebergement": (
        30,
        [
            ("Hôtel", "Hotel", "Hotel"),
            ("Gîte", "Holiday cottage", "Vakantiehuis"),
            ("Chambres d'hôtes", "Bed and breakfast", "Bed & breakfast"),
            ("Camping", "Campsite", "Camping"),
            ("Auberge", "Inn", "Herberg"),
            ("Maison d'hôtes", "Guest house", "Gastenverblijf"),
            ("Gîte de groupe", "Group lodge", "Groepsaccommodatie"),
            ("Roulotte", "Gypsy caravan", "Pipowagen"),
        ],
    ),
    "restauration": (
        25,
        [
            ("Restaurant", "Restaurant", "Restaurant"),
            ("Estaminet", "Estaminet (Flemish tavern)", "Estaminet (Vlaamse herberg)"),
            ("Brasserie", "Brasserie", "Brasserie"),
            ("Crêperie", "Crêperie", "Creperie"),
            ("Bistrot", "Bistro", "Bistro"),
            ("Friterie", "Chip shop", "Frituur"),
            ("Table d'hôtes", "Table d'hôtes", "Table d'hôtes"),
        ],
    ),
    "bars": (
        10,
        [
            ("Bar", "Bar", "Bar"),
            ("Café", "Café", "Café"),
            ("Pub", "Pub", "Pub"),
            ("Bar à bières", "Beer bar", "Bierbar"),
            ("Salon de thé", "Tea room", "Theesalon"),
        ],
    ),
    "loisirs": (
        25,
        [
            ("Balades en barque", "Boat trips", "Boottochten"),
            ("Musée", "Museum", "Museum"),
            ("Location de vélos", "Bike hire", "Fietsverhuur"),
            ("Golf", "Golf course", "Golfbaan"),
            ("Escape game", "Escape room", "Escaperoom"),
            ("Centre équestre", "Riding centre", "Manege"),
            ("Parc de loisirs", "Leisure park", "Recreatiepark"),
            ("Visites guidées", "Guided tours", "Rondleidingen"),
        ],
    ),
    "terroir": (
        10,
        [
            ("Ferme", "Farm", "Boerderij"),
            ("Brasserie artisanale", "Craft brewery", "Ambachtelijke brouwerij"),
            ("Fromagerie", "Cheese dairy", "Kaasmakerij"),
            ("Maraîcher", "Market gardener", "Groenteteler"),
            ("Distillerie", "Distillery", "Stokerij"),
            ("Chocolaterie", "Chocolate maker", "Chocolatier"),
        ],
    ),
}
OFFICE_PLACE_KINDS = [
    ("Église Saint-Martin", "St Martin's church", "Sint-Martinuskerk"),
    ("Chapelle Notre-Dame", "Chapel of Our Lady", "Onze-Lieve-Vrouwekapel"),
    ("Musée municipal", "Town museum", "Stedelijk museum"),
    ("Jardin public", "Public garden", "Stadspark"),
    ("Moulin", "Windmill", "Molen"),
    ("Ruines de l'abbaye", "Abbey ruins", "Abdijruïne"),
    ("Beffroi", "Belfry", "Belfort"),
    ("Maison du marais", "Marsh visitor centre", "Bezoekerscentrum van het moeras"),
]
# Placed after the noun, so that no adjective has to agree (fr, en, nl).
SETTINGS = [
    ("au calme", "in a quiet spot", "in alle rust"),
    ("de caractère", "full of character", "met karakter"),
    ("en pleine nature", "in the heart of the countryside", "midden in de natuur"),
    ("au bord du canal", "on the canal bank", "aan de oever van het kanaal"),
    ("au cœur du marais", "in the heart of the marshes", "midden in het moerasgebied"),
    ("près de la cathédrale", "near the cathedral", "vlak bij de kathedraal"),
    (
        "à deux pas du centre historique",
        "a stone's throw from the old town",
        "op een steenworp van het historische centrum",
    ),
    ("en lisière de forêt", "on the edge of the forest", "aan de rand van het bos"),
    ("avec vue sur les watergangs", "overlooking the watergangs", "met uitzicht op de watergangen"),
]
HOOKS = {
    "hebergement": [
        (
            "Petit-déjeuner maison avec les confitures de la ferme voisine.",
            "Home-made breakfast with jams from the farm next door.",
            "Huisgemaakt ontbijt met jam van de naburige boerderij.",
        ),
        (
            "Chambres spacieuses et literie neuve.",
            "Spacious rooms and brand-new bedding.",
            "Ruime kamers en nieuw beddengoed.",
        ),
        (
            "Garage à vélos fermé sur la véloroute de l'Aa.",
            "Locked bike shed on the Aa cycle route.",
            "Afgesloten fietsenstalling aan de fietsroute langs de Aa.",
        ),
        (
            "Idéal pour découvrir le marais audomarois en famille.",
            "Ideal for exploring the Audomarois marshes with the family.",
            "Ideaal om met het gezin het moerasgebied van Saint-Omer te ontdekken.",
        ),
        (
            "Jardin clos, terrasse et barbecue.",
            "Enclosed garden, terrace and barbecue.",
            "Omheinde tuin, terras en barbecue.",
        ),
        (
            "Accueil en néerlandais et en anglais.",
            "We speak Dutch and English.",
            "Wij spreken Nederlands en Engels.",
        ),
    ],
    "restauration": [
        (
            "Cuisine du marché et spécialités flamandes.",
            "Market-fresh cooking and Flemish specialities.",
            "Marktverse keuken en Vlaamse specialiteiten.",
        ),
        (
            "Carbonade à la bière, potjevleesch et welsh maison.",
            "Beer-braised carbonade, potjevleesch and home-made welsh rarebit.",
            "Stoofvlees met bier, potjevleesch en huisgemaakte welsh.",
        ),
        (
            "Terrasse au bord de l'eau aux beaux jours.",
            "Waterside terrace in fine weather.",
            "Terras aan het water bij mooi weer.",
        ),
        (
            "Le chou-fleur de Saint-Omer à l'honneur en saison.",
            "Saint-Omer cauliflower in the spotlight in season.",
            "In het seizoen staat de bloemkool van Saint-Omer centraal.",
        ),
        (
            "Menu enfant et salle pour les groupes.",
            "Children's menu and a room for groups.",
            "Kindermenu en zaal voor groepen.",
        ),
    ],
    "bars": [
        (
            "Plus de cinquante bières régionales à la pression et en bouteille.",
            "Over fifty regional beers on tap and in bottles.",
            "Meer dan vijftig streekbieren van het vat en op fles.",
        ),
        ("Concerts le vendredi soir.", "Live music on Friday nights.", "Optredens op vrijdagavond."),
        (
            "Jeux flamands anciens : billard Nicolas, table à toupie, bourle.",
            "Traditional Flemish games: Nicolas billiards, spinning-top table, bourle.",
            "Oude Vlaamse spelen: Nicolas-biljart, tolspel, bolling.",
        ),
        ("Terrasse ensoleillée sur la place.", "Sunny terrace on the square.", "Zonnig terras op het plein."),
    ],
    "loisirs": [
        (
            "Balade commentée en bacôve dans les watergangs.",
            "Guided trip in a bacôve, the marsh boat, along the watergangs.",
            "Rondvaart met gids in een bacôve door de watergangen.",
        ),
        (
            "Ouvert aux groupes et aux scolaires sur réservation.",
            "Open to groups and schools by appointment.",
            "Open voor groepen en scholen op afspraak.",
        ),
        (
            "Parcours adapté aux familles, environ deux heures.",
            "Family-friendly trail, about two hours.",
            "Gezinsvriendelijk parcours van ongeveer twee uur.",
        ),
        (
            "Location à l'heure ou à la journée.",
            "Hire by the hour or by the day.",
            "Huur per uur of per dag.",
        ),
    ],
    "terroir": [
        (
            "Vente directe à la ferme le samedi matin.",
            "Farm shop open on Saturday mornings.",
            "Verkoop op de boerderij op zaterdagochtend.",
        ),
        (
            "Bières artisanales brassées sur place, visite de la brasserie.",
            "Craft beers brewed on site, brewery tours.",
            "Ambachtelijke bieren ter plaatse gebrouwen, bezoek aan de brouwerij.",
        ),
        (
            "Légumes du marais cultivés en bacôve depuis quatre générations.",
            "Marsh vegetables grown from bacôves for four generations.",
            "Groenten uit het moeras, al vier generaties per bacôve geteeld.",
        ),
        (
            "Fromages fermiers et beurre au lait cru.",
            "Farmhouse cheeses and raw-milk butter.",
            "Boerenkazen en boter van rauwe melk.",
        ),
        (
            "Genièvre de Houlle et liqueurs de la région.",
            "Houlle genever and regional liqueurs.",
            "Jenever van Houlle en likeuren uit de streek.",
        ),
    ],
}
REGION = [
    (
        "La cathédrale Notre-Dame de Saint-Omer et son horloge astronomique sont à quelques minutes.",
        "Saint-Omer's Notre-Dame cathedral and its astronomical clock are a few minutes away.",
        "De kathedraal Notre-Dame van Saint-Omer met haar astronomische klok ligt op enkele minuten.",
    ),
    (
        "Le marais audomarois, réserve de biosphère de l'UNESCO, se découvre à pied, à vélo ou en barque.",
        "The Audomarois marshes, a UNESCO biosphere reserve, can be explored on foot, by bike or by boat.",
        "Het moerasgebied van Saint-Omer, een UNESCO-biosfeerreservaat, ontdek je te voet, per fiets "
        "of per boot.",
    ),
    (
        "La Coupole, centre d'histoire et planétarium, est à un quart d'heure.",
        "La Coupole, history centre and planetarium, is a quarter of an hour away.",
        "La Coupole, geschiedeniscentrum en planetarium, ligt op een kwartier.",
    ),
    (
        "L'ascenseur à bateaux des Fontinettes, à Arques, mérite le détour.",
        "The Fontinettes boat lift in Arques is well worth a detour.",
        "De scheepslift van Les Fontinettes in Arques is een omweg waard.",
    ),
    (
        "La Côte d'Opale et les plages de Wissant sont à moins d'une heure.",
        "The Opal Coast and the beaches of Wissant are less than an hour away.",
        "De Opaalkust en de stranden van Wissant liggen op minder dan een uur.",
    ),
    (
        "La forêt domaniale de Rihoult-Clairmarais offre de belles randonnées.",
        "The Rihoult-Clairmarais state forest offers fine walks.",
        "Het staatsbos van Rihoult-Clairmarais biedt mooie wandelingen.",
    ),
    (
        "Lille, Calais et la Belgique sont à moins d'une heure de route.",
        "Lille, Calais and Belgium are less than an hour's drive away.",
        "Rijsel, Calais en België liggen op minder dan een uur rijden.",
    ),
    (
        "Le jardin public, les remparts et le musée Sandelin valent la visite.",
        "The public garden, the ramparts and the Sandelin museum are worth a visit.",
        "Het stadspark, de vestingwallen en het Sandelinmuseum zijn een bezoek waard.",
    ),
    (
        "Le marché du samedi, place Foch, rassemble les producteurs du Pays de Saint-Omer.",
        "The Saturday market on Place Foch brings together the producers of the Pays de Saint-Omer.",
        "De zaterdagmarkt op de Place Foch brengt de producenten van het Pays de Saint-Omer samen.",
    ),
    (
        "Réservation conseillée le week-end et pendant les vacances scolaires.",
        "Booking advised at weekends and during school holidays.",
        "Reserveren aanbevolen in het weekend en tijdens de schoolvakanties.",
    ),
    ("Parking gratuit à proximité.", "Free parking nearby.", "Gratis parkeren in de buurt."),
    ("Les chiens sont les bienvenus.", "Dogs are welcome.", "Honden zijn welkom."),
]
EVENTS = [
    # (category, (title fr, en, nl), (summary fr, en, nl)); {town} is replaced.
    (
        "market",
        ("Marché aux puces de {town}", "{town} flea market", "Rommelmarkt in {town}"),
        (
            "Plus de deux cents exposants dans les rues du centre.",
            "Over two hundred stalls in the town centre.",
            "Meer dan tweehonderd standen in de straten van het centrum.",
        ),
    ),
    (
        "visit",
        ("Balade contée dans le marais", "Storytelling walk in the marshes", "Vertelwandeling in het moeras"),
        (
            "Les légendes des watergangs racontées au fil de l'eau.",
            "Legends of the watergangs told along the water.",
            "Legendes van de watergangen verteld langs het water.",
        ),
    ),
    (
        "concert",
        (
            "Concert d'orgue à la cathédrale",
            "Organ concert at the cathedral",
            "Orgelconcert in de kathedraal",
        ),
        (
            "Le grand orgue Cavaillé-Coll sous les doigts d'un organiste invité.",
            "The great Cavaillé-Coll organ played by a guest organist.",
            "Het grote Cavaillé-Coll-orgel bespeeld door een gastorganist.",
        ),
    ),
    (
        "festival",
        ("Fête du chou-fleur", "Cauliflower festival", "Bloemkoolfeest"),
        (
            "Dégustations, marché des maraîchers et défilé de bacôves fleuris.",
            "Tastings, a growers' market and a parade of flower-decked bacôves.",
            "Proeverijen, een tuindersmarkt en een optocht van versierde bacôves.",
        ),
    ),
    (
        "food",
        ("Festival des bières de {town}", "{town} beer festival", "Bierfestival van {town}"),
        (
            "Trente brasseries artisanales des Hauts-de-France et de Flandre.",
            "Thirty craft breweries from the Hauts-de-France and Flanders.",
            "Dertig ambachtelijke brouwerijen uit Hauts-de-France en Vlaanderen.",
        ),
    ),
    (
        "exhibition",
        (
            "Exposition : les faiseurs de bateaux",
            "Exhibition: the boat builders",
            "Tentoonstelling: de bootbouwers",
        ),
        (
            "Outils, photographies et maquettes des chantiers du marais.",
            "Tools, photographs and models from the marsh boatyards.",
            "Gereedschap, foto's en maquettes van de scheepswerven in het moeras.",
        ),
    ),
    (
        "workshop",
        ("Atelier vannerie", "Basket-weaving workshop", "Workshop mandenvlechten"),
        (
            "Repartez avec votre panier en osier du marais.",
            "Go home with your own marsh-willow basket.",
            "Ga naar huis met je eigen mand van moeraswilg.",
        ),
    ),
    (
        "visit",
        (
            "Visite guidée des remparts de {town}",
            "Guided tour of the {town} ramparts",
            "Rondleiding langs de vestingwallen van {town}",
        ),
        (
            "Deux heures sur les traces de Vauban avec un guide conférencier.",
            "Two hours in Vauban's footsteps with an official guide.",
            "Twee uur in de voetsporen van Vauban met een erkende gids.",
        ),
    ),
    (
        "sport",
        (
            "Randonnée VTT des Trois Rivières",
            "Three Rivers mountain-bike ride",
            "Mountainbiketocht van de Drie Rivieren",
        ),
        (
            "Parcours de 25, 45 et 70 km, ravitaillement à la ferme.",
            "Routes of 25, 45 and 70 km, food stop at a farm.",
            "Routes van 25, 45 en 70 km, bevoorrading op een boerderij.",
        ),
    ),
    (
        "food",
        ("Dîner dansant à l'estaminet", "Dinner dance at the estaminet", "Dansdiner in de estaminet"),
        (
            "Potjevleesch, accordéon et chansons du Nord.",
            "Potjevleesch, accordion and songs of the North.",
            "Potjevleesch, accordeon en liederen uit het Noorden.",
        ),
    ),
    (
        "other",
        ("Soirée jeux flamands", "Flemish games night", "Avond met Vlaamse spelen"),
        (
            "Billard Nicolas, table à toupie et bourle pour petits et grands.",
            "Nicolas billiards, spinning-top table and bourle for all ages.",
            "Nicolas-biljart, tolspel en bolling voor jong en oud.",
        ),
    ),
    (
        "visit",
        ("Nuit des étoiles à La Coupole", "Stargazing night at La Coupole", "Sterrennacht in La Coupole"),
        (
            "Séance au planétarium puis observation du ciel.",
            "A planetarium show, then stargazing outside.",
            "Een voorstelling in het planetarium, daarna sterrenkijken.",
        ),
    ),
    (
        "market",
        ("Braderie de {town}", "{town} street market", "Braderie van {town}"),
        (
            "Commerçants et habitants déballent dans toute la ville.",
            "Shops and residents set out their stalls all over town.",
            "Handelaars en inwoners stallen uit in de hele stad.",
        ),
    ),
    (
        "sport",
        ("Course des remparts", "Ramparts run", "Vestingloop"),
        (
            "Dix kilomètres autour de la vieille ville, départ place Foch.",
            "Ten kilometres around the old town, starting on Place Foch.",
            "Tien kilometer rond de oude stad, start op de Place Foch.",
        ),
    ),
    (
        "market",
        ("Marché de Noël de {town}", "{town} Christmas market", "Kerstmarkt van {town}"),
        (
            "Chalets, vin chaud et produits du terroir.",
            "Chalets, mulled wine and local produce.",
            "Chalets, glühwein en streekproducten.",
        ),
    ),
    (
        "concert",
        ("Théâtre en picard", "Theatre in Picard dialect", "Theater in het Picardisch"),
        (
            "Une comédie en patois par la troupe du village.",
            "A comedy in the local dialect by the village troupe.",
            "Een komedie in het dialect door het dorpstoneel.",
        ),
    ),
]
EVENT_PLACE_NOTES = [
    (
        "Rendez-vous devant l'office de tourisme.",
        "Meet in front of the tourist office.",
        "Verzamelen voor het toeristenbureau.",
    ),
    (
        "Réservation conseillée, places limitées.",
        "Booking advised, places are limited.",
        "Reserveren aanbevolen, beperkt aantal plaatsen.",
    ),
    (
        "Accessible aux personnes en fauteuil roulant.",
        "Wheelchair accessible.",
        "Toegankelijk voor rolstoelen.",
    ),
    (
        "Buvette et petite restauration sur place.",
        "Refreshments and snacks on site.",
        "Drankjes en snacks ter plaatse.",
    ),
]
PRICES = {
    "hebergement": [
        (("Nuitée, chambre double", "Night, double room", "Overnachting, tweepersoonskamer"), 55, 180),
        (("Petit-déjeuner", "Breakfast", "Ontbijt"), 7, 16),
        (("Semaine en haute saison", "Week in high season", "Week in het hoogseizoen"), 350, 1200),
    ],
    "restauration": [
        (("Menu du jour", "Set menu of the day", "Dagmenu"), 13, 24),
        (("Menu du terroir", "Local produce menu", "Streekmenu"), 26, 48),
        (("Menu enfant", "Children's menu", "Kindermenu"), 8, 13),
    ],
    "bars": [
        (("Bière pression", "Draught beer", "Bier van het vat"), 3, 7),
        (("Planche de fromages", "Cheese board", "Kaasplank"), 9, 18),
    ],
    "loisirs": [
        (("Entrée adulte", "Adult ticket", "Toegang volwassene"), 4, 22),
        (("Entrée enfant", "Child ticket", "Toegang kind"), 2, 12),
        (
            (
                "Groupe (à partir de 15 personnes), par personne",
                "Groups of 15 or more, per person",
                "Groepen vanaf 15 personen, per persoon",
            ),
            3,
            18,
        ),
    ],
    "terroir": [
        (("Dégustation", "Tasting", "Proeverij"), 0, 12),
        (("Panier découverte", "Discovery basket", "Ontdekkingsmand"), 15, 45),
    ],
}
# What the load script searches for: common and rare words in the three languages, towns, a name,
# and two words found nowhere.
# fmt: off
SEARCH_WORDS = [
    "marais", "cathédrale", "bière", "gîte", "hôtel", "estaminet", "vélo", "chou-fleur", "watergangs",
    "brasserie", "camping", "restaurant", "Saint-Omer", "Arques", "Clairmarais", "Aire-sur-la-Lys",
    "Wissant", "moeras", "kathedraal", "bier", "fietsverhuur", "marshes", "cathedral", "beer",
    "bed and breakfast", "potjevleesch", "genièvre", "fromagerie", "bacôve", "terrasse", "Vandamme",
    "coupole", "abbaye", "musée", "gite marais", "hotel saint-omer", "piscine", "karting",
]
# fmt: on
DESCRIPTIONS = ("short_description", "long_description")
PHOTO_FILES = 8
AVAILABILITY_DAYS = 60


# ---- setup ----------------------------------------------------------------------------------


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ENSEMBLE_VAR_DIR", str(BENCH_VAR / "publishing"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_VAR / 'region.db'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.base")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()


def siret(number: int) -> str:
    """A valid SIRET (SIREN and SIRET pass the Luhn check) for an 8-digit number."""
    from stdnum import luhn

    base = f"{number:08d}"
    siren = base + luhn.calc_check_digit(base)
    nic = siren + "0001"
    return nic + luhn.calc_check_digit(nic)


class Region:
    """The office's reference rows (categories, amenities, season) and the random source."""

    def __init__(self, office, rng: random.Random):
        from django.utils import timezone

        from ensemble.directory.services import ensure_default_categories
        from ensemble.listings.services import install_default_amenities
        from ensemble.memberships.services import install_seed_catalogue

        self.office = office
        self.rng = rng
        self.today = timezone.localdate()
        self.categories = {c.slug: c for c in ensure_default_categories(office)}
        self.amenities = install_default_amenities(office)
        self.season = install_seed_catalogue(office, year=self.today.year, open_for_joining=True)
        self.town_weights = [t[4] for t in TOWNS]
        slugs = list(CATEGORIES)
        self.category_slugs, self.category_weights = slugs, [CATEGORIES[s][0] for s in slugs]

    def town(self) -> tuple:
        return self.rng.choices(TOWNS, weights=self.town_weights)[0]


# ---- texts ----------------------------------------------------------------------------------


def establishment_name(rng: random.Random, kind_fr: str, town: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        name = f"{kind_fr} {rng.choice(SURNAMES)}"
    elif roll < 0.55:
        name = f"{kind_fr} {rng.choice(QUALIFIERS)}"
    else:
        name = f"{kind_fr} {rng.choice(QUALIFIERS)} – {town}"
    return name[:200]


def in_town(town: str) -> str:
    """« à Arques », « au Touquet-Paris-Plage »."""
    if town.startswith("Le "):
        return "au " + town[3:]
    if town.startswith("Les "):
        return "aux " + town[4:]
    return f"à {town}"


def listing_texts(rng: random.Random, slug: str, kind: tuple, name: str, town: str, extra: tuple | None):
    """Short and long descriptions in fr, en, nl: the same content in the three languages."""
    setting = rng.choice(SETTINGS)
    hooks = rng.sample(HOOKS[slug], k=min(2, len(HOOKS[slug])))
    region = rng.sample(REGION, k=rng.randint(1, 3))
    if town in name:
        intro = (
            f"{name} vous attend.",
            f"{name} looks forward to your visit.",
            f"{name} verwelkomt u graag.",
        )
    else:
        intro = (f"{name} vous accueille {in_town(town)}.", f"{name} welcomes you in {town}.",
                 f"{name} verwelkomt u in {town}.")  # fmt: skip
    sentences = [intro, hooks[1], *([extra] if extra else []), *region]
    texts = {}
    for i, lang in enumerate(("fr", "en", "nl")):
        where = in_town(town) if lang == "fr" else f"in {town}"
        texts[f"short_description_{lang}"] = f"{kind[i]} {setting[i]} {where}. {hooks[0][i]}"[:200]
        texts[f"long_description_{lang}"] = " ".join(s[i] for s in sentences)[:800]
    return texts


def capacity_sentence(slug: str, rooms: int | None, covers: int | None) -> tuple | None:
    if slug == "hebergement" and rooms:
        return (f"{rooms} chambres, dont une accessible aux personnes à mobilité réduite.",
                f"{rooms} rooms, one of them accessible to guests with reduced mobility.",
                f"{rooms} kamers, waarvan één toegankelijk voor mindervaliden.")  # fmt: skip
    if slug == "restauration" and covers:
        return (f"{covers} couverts en salle et en terrasse.", f"Seats {covers} indoors and on the terrace.",
                f"{covers} plaatsen binnen en op het terras.")  # fmt: skip
    return None


# ---- organisations and memberships ----------------------------------------------------------


def create_organisations(region: Region, *, partners: int, non_partners: int):
    """Partner organisations (live membership), non-partners (none), one town hall per town
    (owner of the office places)."""
    from ensemble.directory.models import Organisation

    rng, office = region.rng, region.office
    rows = []
    for i in range(partners + non_partners):
        town, postcode, *_ = region.town()
        number = siret(30_000_000 + i)
        rows.append(
            Organisation(
                office=office,
                name=f"SARL {rng.choice(SURNAMES)} et fils n° {i}"
                if i % 3
                else f"EURL {rng.choice(SURNAMES)} {i}",
                siren=number[:9],
                siret=number,
                address=f"{rng.randint(1, 140)}, {rng.choice(STREETS)}",
                postcode=postcode,
                city=town,
                email=f"contact{i}@{office.slug}.example",
                phone=f"+333{21000000 + i % 1_000_000:08d}",
            )
        )
    halls = [
        Organisation(office=office, name=f"Mairie de {town}", address="Hôtel de ville", postcode=postcode,
                     city=town, email=f"mairie{n}@{office.slug}.example")
        for n, (town, postcode, *_) in enumerate(TOWNS)
    ]  # fmt: skip
    created = Organisation.objects.bulk_create(rows + halls, batch_size=2000)
    return created[:partners], created[partners : partners + non_partners], created[partners + non_partners :]


def create_memberships(region: Region, partners: list) -> None:
    from ensemble.memberships.models import Membership, MembershipLine, Offer

    season = region.season
    pack = Offer.objects.get(season=season, code="pack-partenaire")
    highlighted = Offer.objects.filter(season=season, code="video-clip").first()
    if highlighted is not None:
        Offer.objects.filter(pk=highlighted.pk).update(highlighted=True)
    memberships = Membership.objects.bulk_create(
        (
            Membership(
                office=region.office,
                season=season,
                organisation=organisation,
                status=Membership.Status.ACTIVE,
                payment_method="cheque" if i % 3 else "transfer",
                amount_due=pack.price_ttc,
                bulletin_signed_on=season.starts_on,
                accepted_on=season.starts_on,
                paid_on=season.starts_on,
                activated_on=season.starts_on,
                ends_on=season.ends_on,
            )
            for i, organisation in enumerate(partners)
        ),
        batch_size=2000,
    )
    lines = [MembershipLine(membership=m, offer=pack, unit_price_ttc=pack.price_ttc) for m in memberships]
    if highlighted is not None:
        lines += [
            MembershipLine(membership=m, offer=highlighted, unit_price_ttc=highlighted.price_ttc)
            for m in memberships[::20]
        ]
    MembershipLine.objects.bulk_create(lines, batch_size=2000)


# ---- establishments and listings ------------------------------------------------------------


class Plan:
    """Who owns the n-th establishment: of every hundred, 8 are office places (owned by the town
    halls), 12 belong to non-partners, 80 to partners."""

    def __init__(self, region: Region, partners: list, non_partners: list, halls: list):
        self.region, self.partners, self.non_partners = region, partners, non_partners
        self.halls = {hall.city: hall for hall in halls}

    def owner(self, n: int) -> tuple[str, object]:
        rng = self.region.rng
        if n % 100 < 8:
            return "office", None
        if n % 100 < 20:
            return "non_partner", rng.choice(self.non_partners)
        return "partner", rng.choice(self.partners)


def build_establishment(region: Region, plan: Plan, n: int):
    """One establishment (unsaved) and what its listing needs."""
    from ensemble.directory.models import Establishment

    rng = region.rng
    role, organisation = plan.owner(n)
    town, postcode, latitude, longitude, _ = region.town()
    if role == "office":
        slug, kind = "loisirs", rng.choice(OFFICE_PLACE_KINDS)
        organisation = plan.halls[town]
        name = f"{kind[0]} de {town}"
    else:
        slug = rng.choices(region.category_slugs, weights=region.category_weights)[0]
        kind = rng.choice(CATEGORIES[slug][1])
        name = establishment_name(rng, kind[0], town)
    web = f"https://{n}.{region.office.slug}.example"
    establishment = Establishment(
        office=region.office,
        organisation=organisation,
        name=name,
        category=region.categories[slug],
        address=f"{rng.randint(1, 140)}, {rng.choice(STREETS)}",
        postcode=postcode,
        city=town,
        latitude=Decimal(f"{latitude + rng.uniform(-0.02, 0.02):.6f}"),
        longitude=Decimal(f"{longitude + rng.uniform(-0.03, 0.03):.6f}"),
        phone=f"+333{21000000 + n % 1_000_000:08d}",
        email=f"bonjour{n}@{region.office.slug}.example",
        website=web,
    )
    return establishment, {"role": role, "slug": slug, "kind": kind, "web": web}


def build_listing(region: Region, establishment, info: dict):
    """The listing (unsaved) with its search fields, and its amenities (ordered as
    `listing.amenities.all()`)."""
    from django.contrib.postgres.search import SearchVector
    from django.db import connection
    from django.db.models import TextField, Value
    from django.utils import timezone

    from ensemble.listings.models import Listing
    from ensemble.listings.search import CONFIG, fold

    rng, slug = region.rng, info["slug"]
    rooms = rng.randint(2, 60) if slug == "hebergement" else None
    covers = rng.randint(20, 180) if slug == "restauration" else None
    texts = listing_texts(
        rng,
        slug,
        info["kind"],
        establishment.name,
        establishment.city,
        capacity_sentence(slug, rooms, covers),
    )
    amenities = pick_amenities(region, slug)
    withdrawn = info["role"] == "partner" and rng.random() < 0.02
    listing = Listing(
        office=region.office,
        establishment=establishment,
        organisation_id=establishment.organisation_id,
        booking_url=f"{info['web']}/reserver" if slug == "hebergement" else "",
        rooms=rooms,
        beds=rooms * 2 if rooms else None,
        covers=covers,
        group_size=rng.choice([None, 10, 20, 40]) if slug in ("loisirs", "restauration") else None,
        version_number=1,
        last_confirmed_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 300)),
        unpublished_at=timezone.now() if withdrawn else None,
        unpublished_reason="Données anciennes." if withdrawn else "",
        is_office_place=info["role"] == "office",
        **texts,
    )
    name, rest = search_parts(establishment, texts, amenities)
    listing.sort_name = fold(name)[:200]
    listing.search_title = fold(f"{name} {establishment.city}")[:300]
    listing.search_document = fold(f"{name} {rest}")
    if connection.vendor == "postgresql":
        # Written by the INSERT itself, as refresh_search writes it (an UPDATE afterwards would
        # leave a dead version of every row: the heap measured 353 MB instead of 178 MB).
        listing.search_vector = SearchVector(
            Value(name, output_field=TextField()), weight="A", config=CONFIG
        ) + SearchVector(Value(rest, output_field=TextField()), weight="B", config=CONFIG)
    return listing, amenities


def pick_amenities(region: Region, slug: str) -> list:
    """0 to 5 amenities; stars only for accommodation, one classification at most."""
    rng = region.rng
    pool = [a for a in region.amenities if a.group != "classification"]
    chosen = rng.sample(pool, k=rng.choice([0, 1, 2, 2, 3, 3, 4, 5]))
    if slug == "hebergement" and rng.random() < 0.6:
        chosen.append(rng.choice([a for a in region.amenities if a.group == "classification"]))
    return sorted(chosen, key=lambda a: (a.group, a.position, a.name_fr))  # Amenity.Meta.ordering


def search_parts(establishment, texts: dict, amenities: list) -> tuple[str, str]:
    """The name and the rest, as listings.search._document builds them."""
    category = establishment.category
    parts = [
        establishment.city,
        category.name,
        category.name_en,
        category.name_nl,
        *(texts[f"{base}_{lang}"] for base in DESCRIPTIONS for lang in ("fr", "en", "nl")),
        *(a.name_fr or "" for a in amenities),
    ]
    return establishment.name, " ".join(p for p in parts if p)


# ---- what hangs off a listing ---------------------------------------------------------------


def opening_periods(region: Region, listing, slug: str) -> list:
    """This year and next: all year round (60 %) or April to October."""
    from ensemble.listings.fields import weekday_mask
    from ensemble.listings.models import OpeningPeriod

    rng, year = region.rng, region.today.year
    closed = rng.choice([[], [1], [1], [1, 2], [7], [3]])
    hours = {"restauration": ("11:30", "22:00"), "bars": ("10:00", "23:30"), "hebergement": (None, None)}
    opens, closes = hours.get(slug, ("09:30", "18:00"))
    all_year = rng.random() < 0.6
    periods = []
    for y in (year, year + 1):
        start, end = (datetime.date(y, 1, 1), datetime.date(y, 12, 31)) if all_year else (
            datetime.date(y, 4, 1), datetime.date(y, 10, 31))  # fmt: skip
        periods.append(
            OpeningPeriod(
                listing=listing,
                starts_on=start,
                ends_on=end,
                opens_at=opens,
                closes_at=closes,
                closed_weekdays=closed,
                closed_mask=weekday_mask(closed),
                note="" if all_year else "Sur réservation en basse saison",
            )
        )
    return periods


def prices(region: Region, listing, slug: str) -> list:
    from ensemble.listings.models import Price

    rng = region.rng
    rows = []
    for position, (labels, low, high) in enumerate(
        rng.sample(PRICES[slug], k=rng.randint(1, len(PRICES[slug])))
    ):
        amount = Decimal(rng.randint(low * 2, high * 2)) / 2
        spread = rng.random() < 0.3
        rows.append(
            Price(
                listing=listing,
                label_fr=labels[0],
                label_en=labels[1],
                label_nl=labels[2],
                amount=amount.quantize(Decimal("0.01")),
                amount_max=(amount * Decimal("1.5")).quantize(Decimal("0.01")) if spread else None,
                season_year=region.today.year,
                position=position,
            )
        )
    return rows


def photos(region: Region, listing, name: str) -> list:
    from django.utils import timezone

    from ensemble.listings.models import Photo

    rng = region.rng
    return [
        Photo(
            listing=listing,
            image=f"listings/photos/bench/region-{rng.randint(1, PHOTO_FILES)}.jpg",
            width=1200,
            height=800,
            credit=f"© {rng.choice(SURNAMES)} / Office de tourisme",
            alt_text_fr=f"{name}, vue extérieure",
            alt_text_en=f"{name}, outside view",
            alt_text_nl=f"{name}, buitenaanzicht",
            position=position,
            status=Photo.Status.PUBLISHED,
            rights_declared_at=timezone.now(),
        )
        for position in range(rng.choice([0, 1, 1, 2, 3]))
    ]


def availability(region: Region, listing) -> list:
    from ensemble.listings.models import Availability

    rng = region.rng
    statuses = ["available"] * 6 + ["few_left"] * 2 + ["full"] * 3 + ["closed"]
    return [
        Availability(
            office=region.office,
            listing=listing,
            date=region.today + datetime.timedelta(days=d),
            status=rng.choice(statuses),
        )
        for d in range(AVAILABILITY_DAYS)
    ]


def ensure_photo_files() -> None:
    """A few small JPEGs for the photo rows to point at (the pages only print their URLs)."""
    from django.conf import settings
    from PIL import Image

    folder = Path(settings.MEDIA_ROOT) / "listings" / "photos" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, PHOTO_FILES + 1):
        path = folder / f"region-{i}.jpg"
        if not path.exists():
            Image.new("RGB", (1200, 800), (40 + i * 20, 110, 160 - i * 10)).save(path, quality=70)


# ---- one batch ------------------------------------------------------------------------------


def create_batch(region: Region, plan: Plan, start: int, count: int) -> dict:
    """`count` establishments from number `start`, with their listings and everything on them."""
    from ensemble.directory.models import Establishment
    from ensemble.listings.models import Availability, Listing, OpeningPeriod, Photo, Price

    built = [build_establishment(region, plan, n) for n in range(start, start + count)]
    establishments = Establishment.objects.bulk_create([e for e, _ in built], batch_size=2000)
    made = [build_listing(region, e, info) for e, (_, info) in zip(establishments, built, strict=True)]
    listings = Listing.objects.bulk_create([m[0] for m in made], batch_size=2000)
    through = Listing.amenities.through
    links, periods, price_rows, photo_rows, nights = [], [], [], [], []
    for listing, (_, amenities), (establishment, info) in zip(listings, made, built, strict=True):
        links += [through(listing_id=listing.pk, amenity_id=a.pk) for a in amenities]
        periods += opening_periods(region, listing, info["slug"])
        price_rows += prices(region, listing, info["slug"])
        photo_rows += photos(region, listing, establishment.name)
        if info["slug"] == "hebergement" and region.rng.random() < 1 / 3:
            nights += availability(region, listing)
    through.objects.bulk_create(links, batch_size=5000)
    OpeningPeriod.objects.bulk_create(periods, batch_size=5000)
    Price.objects.bulk_create(price_rows, batch_size=5000)
    Photo.objects.bulk_create(photo_rows, batch_size=5000)
    Availability.objects.bulk_create(nights, batch_size=5000)
    return {
        "establishments": len(establishments),
        "amenity links": len(links),
        "opening periods": len(periods),
        "prices": len(price_rows),
        "photos": len(photo_rows),
        "availability nights": len(nights),
        "_establishments": [(e, info) for e, (_, info) in zip(establishments, built, strict=True)],
    }


# ---- events ---------------------------------------------------------------------------------


def create_events(region: Region, count: int, partner_places: list) -> int:
    """Published events from a month ago to eleven months ahead, 80 % at partners' places."""
    from django.utils import timezone

    from ensemble.events.models import Event

    rng, now = region.rng, timezone.now()
    rows = []
    for i in range(count):
        category, titles, summaries = rng.choice(EVENTS)
        establishment = rng.choice(partner_places) if partner_places and i % 5 else None
        town = establishment.city if establishment else region.town()[0]
        starts_at = local_start(region, rng)
        all_day = category in ("market", "festival") and rng.random() < 0.7
        ends_at = starts_at + datetime.timedelta(hours=rng.choice([2, 3, 4, 24, 48]) if not all_day else 10)
        note = rng.choice(EVENT_PLACE_NOTES)
        free = rng.random() < 0.4
        texts = {}
        for k, lang in enumerate(("fr", "en", "nl")):
            texts[f"title_{lang}"] = titles[k].format(town=town)
            texts[f"summary_{lang}"] = summaries[k]
            texts[f"description_{lang}"] = f"{summaries[k]} {note[k]} {rng.choice(REGION)[k]}"
        rows.append(
            Event(
                office=region.office,
                organisation_id=establishment.organisation_id if establishment else None,
                establishment=establishment,
                category=category,
                starts_at=starts_at,
                ends_at=ends_at,
                all_day=all_day,
                place_name=establishment.name if establishment else f"Centre-ville de {town}",
                address=establishment.address if establishment else "Place de la Mairie",
                postcode=establishment.postcode if establishment else "",
                city=town,
                latitude=establishment.latitude if establishment else None,
                longitude=establishment.longitude if establishment else None,
                is_free=free,
                price_text="" if free else f"{rng.randint(3, 25)} € ; gratuit pour les moins de 12 ans",
                booking_url="" if free else f"https://billetterie.{region.office.slug}.example/{i}",
                status=Event.Status.PUBLISHED,
                decided_at=now,
                sequence=rng.choice([0, 0, 0, 1, 2]),
                **texts,
            )
        )
    Event.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def local_start(region: Region, rng: random.Random) -> datetime.datetime:
    from django.utils import timezone

    day = region.today + datetime.timedelta(days=rng.randint(-30, 334))
    hour, minute = rng.choice([(10, 0), (14, 0), (14, 30), (18, 0), (20, 30)])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# ---- the whole --------------------------------------------------------------------------------


def generate(slug: str, *, establishments: int, events: int, partners: int, seed: int = SEED) -> dict:
    from django.db import connection, transaction

    from ensemble.core.models import Office

    if Office.objects.filter(slug=slug).exists():
        raise SystemExit(
            f"The office « {slug} » already exists in this database: nothing was generated. "
            "Drop the database (or choose another --office) to generate again."
        )
    ensure_photo_files()
    counts: dict = {}
    timings: dict = {}
    started = time.perf_counter()
    with transaction.atomic():
        office = Office.objects.create(
            slug=slug,
            name=f"Office de tourisme « {slug} » (banc d'essai régional)",
            address="4, rue du Lion d'Or",
            postcode="62500",
            city="Saint-Omer",
            email=f"accueil@{slug}.example",
        )
        region = Region(office, random.Random(seed))
        non_partners = max(1, establishments // 30)
        partner_orgs, other_orgs, halls = create_organisations(
            region, partners=partners, non_partners=non_partners
        )
        create_memberships(region, partner_orgs)
        timings["office, catalogue, organisations, memberships"] = time.perf_counter() - started
        plan = Plan(region, partner_orgs, other_orgs, halls)
        partner_places = []
        for start in range(0, establishments, BATCH):
            batch = create_batch(region, plan, start, min(BATCH, establishments - start))
            partner_places += [e for e, info in batch.pop("_establishments") if info["role"] == "partner"]
            for key, value in batch.items():
                counts[key] = counts.get(key, 0) + value
            done, elapsed = start + batch["establishments"], time.perf_counter() - started
            print(f"  {done:>7} establishments, {elapsed:6.1f} s")
        timings["establishments and listings"] = time.perf_counter() - started - sum(timings.values())
        counts["events"] = create_events(region, events, partner_places)
        timings["events"] = time.perf_counter() - started - sum(timings.values())
    analyze_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - analyze_started
    counts.update(partners=len(partner_orgs), non_partner_organisations=len(other_orgs))
    return {"office": office, "counts": counts, "timings": timings, "total": time.perf_counter() - started}


def check_search_fields(slug: str, sample: int = 5) -> None:
    """Compare the generated search fields of a few listings with what refresh_search writes
    (inside a transaction that is rolled back)."""
    from django.db import connection, transaction

    from ensemble.listings.models import Listing
    from ensemble.listings.search import refresh_search

    fields = ["sort_name", "search_title", "search_document"] + (
        ["search_vector"] if connection.vendor == "postgresql" else []
    )
    ids = list(Listing.objects.filter(office__slug=slug).order_by("?").values_list("pk", flat=True)[:sample])
    for pk in ids:
        before = Listing.objects.filter(pk=pk).values(*fields).get()
        with transaction.atomic():
            refresh_search(Listing.objects.select_related("establishment__category").get(pk=pk))
            after = Listing.objects.filter(pk=pk).values(*fields).get()
            transaction.set_rollback(True)
        differs = [f for f in fields if str(before[f]) != str(after[f])]
        verdict = "same as refresh_search" if not differs else "DIFFERS on " + ", ".join(differs)
        print(f"  listing {pk}: {verdict}")
        if differs:
            raise SystemExit("The generated search fields differ from refresh_search's.")


# ---- what the load script requests ----------------------------------------------------------


def write_targets(slug: str, path: Path, *, sample: int = 2000, seed: int = SEED) -> dict:
    """Published listing ids, search words and deep rows (for cursors) for bench/publishing_load.py."""
    from ensemble.core.models import Office
    from ensemble.publishing import selectors

    office = Office.objects.filter(slug=slug).first()
    if office is None:
        raise SystemExit(f"No office « {slug} » in this database: generate it first.")
    published = selectors.published_listings(office)
    total = published.count()
    ids = list(published.values_list("pk", flat=True))
    rng = random.Random(seed)
    ordered = published.order_by("sort_name", "pk").values_list("sort_name", "pk")
    deep = {f"{int(share * 100)}%": list(ordered[int(total * share)]) for share in (0.1, 0.5, 0.9)}
    targets = {
        "office": slug,
        "published": total,
        "listing_ids": rng.sample(ids, k=min(sample, len(ids))),
        "search_words": SEARCH_WORDS,
        "deep_rows": deep,  # [sort_name, id] of the rows 10 %, 50 %, 90 % down the directory
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(targets, ensure_ascii=False, indent=1), encoding="utf-8")
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--office", default="region")
    parser.add_argument("--establishments", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="only compare a sample with refresh_search")
    parser.add_argument("--targets", type=Path, help="only write the load script's targets to this file")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if args.targets:
        targets = write_targets(args.office, args.targets, seed=args.seed)
        print(f"{targets['published']} published listings; targets written to {args.targets}")
        return
    if args.check:
        check_search_fields(args.office)
        return
    print(f"Generating /{args.office}/ on {connection.vendor} ({connection.settings_dict['NAME']})")
    result = generate(
        args.office,
        establishments=args.establishments,
        events=args.events,
        partners=args.partners,
        seed=args.seed,
    )
    for key, value in result["counts"].items():
        print(f"  {key}: {value:,}")
    for key, value in result["timings"].items():
        print(f"  {key}: {value:.1f} s")
    print(f"Generated in {result['total']:.1f} s (ANALYZE included)")
    check_search_fields(args.office)


if __name__ == "__main__":
    main()
