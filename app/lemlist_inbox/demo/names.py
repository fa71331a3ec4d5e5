"""Name, company and job pools for generated contacts.

Prospects of a lemlist team come from everywhere, and the UI must cope with accents,
apostrophes, particles ("van der", "de la"), long double-barrelled names and
non-Latin scripts, so the pools are grouped by origin and mixed.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass

#: (language, first names, last names). Language picks the reply copy language.
ORIGINS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "fr",
        (
            "Camille",
            "Léa",
            "Chloé",
            "Manon",
            "Inès",
            "Hugo",
            "Lucas",
            "Théo",
            "Mathéo",
            "Zoé",
            "Gaëlle",
            "François",
            "Jérôme",
            "Hélène",
            "Amélie",
            "Benoît",
            "Océane",
            "Noël",
            "Aurélien",
        ),
        (
            "Martin",
            "Bernard",
            "Dubois",
            "Lefèvre",
            "Moreau",
            "Fournier",
            "Girard",
            "Lemaire",
            "de la Fontaine",
            "Béranger",
            "Chevalier",
            "Rousseau",
            "Faure",
            "Mercier",
            "Lacroix",
        ),
    ),
    (
        "en",
        (
            "Olivia",
            "Emma",
            "Amelia",
            "James",
            "Oliver",
            "Harry",
            "Jack",
            "Charlotte",
            "Sophie",
            "Michael",
            "Ashley",
            "Tyler",
            "Megan",
            "Ryan",
            "Grace",
            "Liam",
            "Hannah",
            "Connor",
        ),
        (
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Taylor",
            "O'Brien",
            "O'Connor",
            "Walker",
            "Thompson",
            "Wright",
            "Robinson",
            "Hughes",
            "Carter",
            "Mitchell",
            "Fitzgerald-Hayes",
        ),
    ),
    (
        "de",
        (
            "Lukas",
            "Jonas",
            "Leon",
            "Lena",
            "Anna",
            "Jürgen",
            "Katrin",
            "Sören",
            "Björn",
            "Maximilian",
            "Ursula",
            "Dieter",
            "Franziska",
        ),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weiß",
            "Groß",
            "Hoffmann",
            "Schäfer",
            "Köhler",
            "Bäcker",
            "von Stein",
            "Zimmermann",
        ),
    ),
    (
        "es",
        (
            "José",
            "María",
            "Lucía",
            "Sofía",
            "Alejandro",
            "Pablo",
            "Álvaro",
            "Carmen",
            "Iñaki",
            "Begoña",
            "Nuria",
            "Sergio",
            "Mateo",
            "Valentina",
            "João",
            "Beatriz",
            "Gonçalo",
        ),
        (
            "García",
            "Fernández",
            "González",
            "Rodríguez",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Núñez",
            "Ibáñez",
            "de la Cruz",
            "Silva",
            "Gonçalves",
            "Araújo",
        ),
    ),
    (
        "it",
        ("Giulia", "Alessandro", "Francesca", "Lorenzo", "Matteo", "Chiara", "Niccolò", "Federica"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "D'Angelo"),
    ),
    (
        "en",
        ("Aarav", "Priya", "Vivaan", "Ananya", "Rohan", "Lakshmi", "Arjun", "Divya", "Siddharth"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Venkataraman", "Chatterjee"),
    ),
    (
        "en",
        (
            "Wei",
            "Mei",
            "Jun",
            "Xiaoling",
            "Hao",
            "Yuki",
            "Haruto",
            "Sakura",
            "Min-jun",
            "Seo-yeon",
            "Thanh",
            "Linh",
        ),
        (
            "Wang",
            "Li",
            "Zhang",
            "Chen",
            "Liu",
            "Tanaka",
            "Suzuki",
            "Nakamura",
            "Kim",
            "Park",
            "Nguyen",
            "Tran",
        ),
    ),
    (
        "en",
        ("Chinedu", "Ngozi", "Oluwaseun", "Amara", "Kwame", "Abena", "Tendai", "Zanele"),
        ("Okafor", "Adeyemi", "Mensah", "Nkosi", "Abubakar", "Okonkwo", "Boateng", "Moyo"),
    ),
    (
        "en",
        (
            "Mohammed",
            "Fatima",
            "Youssef",
            "Layla",
            "Omar",
            "Aïcha",
            "Karim",
            "Nour",
            "Mehmet",
            "Elif",
            "Dmitri",
            "Anastasia",
            "Łukasz",
            "Zofia",
            "Katarzyna",
            "Søren",
            "Åsa",
            "Ingrid",
        ),
        (
            "Al-Farsi",
            "Haddad",
            "Benali",
            "El Amrani",
            "Yılmaz",
            "Öztürk",
            "Ivanov",
            "Petrova",
            "Kowalski",
            "Wiśniewska",
            "Nowak",
            "Jørgensen",
            "Lindqvist",
            "Andersson",
        ),
    ),
    (
        "nl",
        ("Daan", "Sanne", "Bram", "Femke", "Joost", "Lotte", "Pieter", "Anouk"),
        ("de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "de Jong"),
    ),
)

#: Names written in their own script, shown as-is by the UI (wide characters).
NATIVE_NAMES: tuple[str, ...] = (
    "王伟",
    "李娜",
    "佐藤 花子",
    "田中 太郎",
    "김민준",
    "Ελένη Παπαδοπούλου",
    "Дмитрий Соколов",
    "محمد الأحمد",
    "Zoë Ørsted-Łukasiewicz",
)

COMPANY_STEMS: tuple[str, ...] = (
    "Acme",
    "Brightwave",
    "Northwind",
    "Lumen",
    "Quantix",
    "Hexa",
    "Bluefin",
    "Orchard",
    "Pixelcraft",
    "Nimbus",
    "Cobalt",
    "Verdant",
    "Atlas",
    "Kiwi",
    "Papillon",
    "Sésame",
    "Fjord",
    "Tandem",
    "Helix",
    "Mosaic",
    "Polaris",
    "Sprout",
    "Vertex",
    "Zephyr",
    "Alpaga",
    "Beacon",
    "Cascade",
    "Driftwood",
    "Ember",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Keystone",
    "Lighthouse",
    "Maple",
    "Nova",
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "",
    " Labs",
    " Analytics",
    " Logistics",
    " Health",
    " Studio",
    " SaaS",
    " Group",
    " & Co",
    " Technologies",
    " GmbH",
    " SAS",
    " Ltd",
    " Inc.",
    " Solutions",
    " Consulting",
    " AI",
)
TLDS: tuple[str, ...] = ("com", "com", "com", "io", "co", "fr", "de", "es", "co.uk", "ai", "nl", "it")
JOB_TITLES: tuple[str, ...] = (
    "Head of Sales",
    "VP Marketing",
    "Founder & CEO",
    "Growth Manager",
    "Sales Ops Lead",
    "CTO",
    "Account Executive",
    "Business Developer",
    "Chief Revenue Officer",
    "Marketing Director",
    "Head of Partnerships",
    "Customer Success Manager",
    "Office Manager",
    "Recruiter",
)


@dataclass(frozen=True, slots=True)
class Person:
    """A generated prospect; ``full_name`` is None for contacts known only by email."""

    first: str
    last: str
    full_name: str | None
    email: str
    company: str
    domain: str
    title: str
    language: str


_NON_DECOMPOSING = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "Ae", "đ": "d", "ı": "i", "œ": "oe"}
)


@functools.lru_cache(maxsize=4096)
def ascii_slug(text: str) -> str:
    """Lower-case ASCII for the local part of an email ("Jérôme O'Brien" -> "jeromeobrien")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NON_DECOMPOSING))
    kept = "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())
    return kept.lower() or "contact"


def make_person(rng: random.Random) -> Person:
    """Draw a prospect: origin, name, company and an email address in its usual shapes."""
    language, firsts, lasts = rng.choice(ORIGINS)
    first, last = rng.choice(firsts), rng.choice(lasts)
    stem = rng.choice(COMPANY_STEMS)
    company = stem + rng.choice(COMPANY_SUFFIXES)
    domain = f"{ascii_slug(stem)}{rng.choice(('', '', 'hq', 'app', '-group'))}.{rng.choice(TLDS)}"
    f, la = ascii_slug(first), ascii_slug(last)
    local = rng.choice((f"{f}.{la}", f"{f}", f"{f[0]}{la}", f"{f}.{la}", f"{f}_{la}", f"{f}{la[:1]}"))
    roll = rng.random()
    if roll < 0.15:
        full_name: str | None = None  # known by email only, as in lemlist's own example
    elif roll < 0.25:
        full_name = first  # first name only ("Victoire", "Mickael" in the example)
    elif roll < 0.27:
        full_name = rng.choice(NATIVE_NAMES)
    else:
        full_name = f"{first} {last}"
    return Person(
        first=first,
        last=last,
        full_name=full_name,
        email=f"{local}@{domain}",
        company=company,
        domain=domain,
        title=rng.choice(JOB_TITLES),
        language=language,
    )


#: Team members beyond the two of lemlist's example (name, email local part, role).
EXTRA_TEAM_USERS: tuple[tuple[str, str, str], ...] = (
    ("Sofia MARTÍNEZ", "sofia", "member"),
    ("Jonas WEBER", "jonas", "member"),
    ("Aïssata DIALLO", "aissata", "admin"),
    ("Tom HARRIS", "tom", "member"),
    ("Yuna PARK", "yuna", "member"),
    ("Nicolas PETIT", "nicolas", "member"),
)
