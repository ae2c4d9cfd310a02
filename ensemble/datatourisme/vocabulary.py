"""The DATAtourisme vocabulary Ensemble reads and writes.

DATAtourisme (the French national platform of tourism open data) describes every place as a
`PointOfInterest` of its ontology (https://www.datatourisme.fr/ontology/core#), with schema.org,
Dublin Core and FOAF properties. Its flux deliver one JSON-LD file per object; language-tagged
texts are language maps (`{"fr": ["…"], "en": ["…"]}`), hence the `@container: @language`
terms of the context below (modelled on the context file the platform ships with its flux).
"""

CORE = "https://www.datatourisme.fr/ontology/core#"
SOURCE = "datatourisme"

CONTEXT: dict = {
    "@vocab": CORE,
    "schema": "http://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "ebucore": "http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#",
    "kb": "https://www.datatourisme.fr/resource/core#",
    "rdfs:label": {"@container": "@language"},
    "rdfs:comment": {"@container": "@language"},
    "shortDescription": {"@container": "@language"},
    "dc:description": {"@container": "@language"},
    "additionalInformation": {"@container": "@language"},
    "ebucore:title": {"@container": "@language"},
    "lastUpdate": {"@type": "xsd:date"},
    "lastUpdateDatatourisme": {"@type": "xsd:dateTime"},
    "creationDate": {"@type": "xsd:date"},
    "schema:latitude": {"@type": "xsd:decimal"},
    "schema:longitude": {"@type": "xsd:decimal"},
    "schema:minPrice": {"@type": "xsd:decimal"},
    "schema:maxPrice": {"@type": "xsd:decimal"},
    "schema:validFrom": {"@type": "xsd:dateTime"},
    "schema:validThrough": {"@type": "xsd:dateTime"},
    "schema:opens": {"@type": "xsd:time"},
    "schema:closes": {"@type": "xsd:time"},
    "foaf:homepage": {"@type": "@id"},
    "owl:sameAs": {"@type": "@id"},
    "ebucore:locator": {"@type": "xsd:anyURI"},
}

# What Ensemble's default categories are, in DATAtourisme classes (export). Every object is
# also a PlaceOfInterest and a PointOfInterest.
PLACE = ["PlaceOfInterest", "PointOfInterest"]
CATEGORY_CLASSES = {
    "hebergement": ["schema:LodgingBusiness", "Accommodation"],
    "restauration": ["schema:FoodEstablishment", "schema:Restaurant", "FoodEstablishment", "Restaurant"],
    "bars": ["schema:BarOrPub", "schema:FoodEstablishment", "FoodEstablishment", "BarOrPub"],
    "loisirs": ["schema:SportsActivityLocation", "SportsAndLeisurePlace"],
    "terroir": ["schema:LocalBusiness", "schema:Store", "Store"],
}
# An event of the agenda, by its category (events.Event.Category), in DATAtourisme classes;
# the importer reads them back (data/classes.json, event_categories).
EVENT_CLASSES = {
    "festival": ["SocialEvent", "schema:Festival"],
    "concert": ["CulturalEvent", "Concert", "schema:MusicEvent"],
    "exhibition": ["CulturalEvent", "Exhibition", "schema:ExhibitionEvent"],
    "market": ["SaleEvent", "schema:SaleEvent"],
    "visit": ["CulturalEvent", "Visit"],
    "sport": ["SportsEvent", "schema:SportsEvent"],
    "workshop": ["TrainingWorkshop", "schema:EducationEvent"],
    "food": ["Tasting", "schema:FoodEvent"],
    "other": [],
}
# A place the office publishes itself (a museum, a church) in the leisure rubric.
OFFICE_PLACE_CLASSES = ["schema:TouristAttraction", "CulturalSite"]

# The reverse (import): the first matching class, most specific first, gives the category.
# DATAtourisme classes come bare (core vocabulary), prefixed ("schema:Hotel") or as full IRIs.
CLASS_CATEGORIES: list[tuple[str, str]] = [
    ("Accommodation", "hebergement"),
    ("schema:LodgingBusiness", "hebergement"),
    ("BarOrPub", "bars"),
    ("BistroOrWineBar", "bars"),
    ("schema:BarOrPub", "bars"),
    ("FoodEstablishment", "restauration"),
    ("schema:FoodEstablishment", "restauration"),
    ("Restaurant", "restauration"),
    ("Store", "terroir"),
    ("schema:Store", "terroir"),
    ("CulturalSite", "loisirs"),
    ("SportsAndLeisurePlace", "loisirs"),
    ("NaturalHeritage", "loisirs"),
    ("ParkAndGarden", "loisirs"),
    ("schema:TouristAttraction", "loisirs"),
]
# Classes every object carries, which say nothing of its kind.
GENERIC_CLASSES = {
    "PointOfInterest",
    "PlaceOfInterest",
    "urn:resource",
    "schema:Place",
    "schema:LocalBusiness",
}

SCHEMA_IRIS = ("http://schema.org/", "https://schema.org/")
CORE_IRIS = (CORE, "https://www.datatourisme.gouv.fr/ontology/core#")


def short_class(name: str) -> str:
    """ "https://www.datatourisme.fr/ontology/core#Hotel" → "Hotel"; "http://schema.org/Hotel" →
    "schema:Hotel"; a compact name is kept."""
    for prefix in CORE_IRIS:
        if name.startswith(prefix):
            return name[len(prefix) :]
    for prefix in SCHEMA_IRIS:
        if name.startswith(prefix):
            return "schema:" + name[len(prefix) :]
    return name
