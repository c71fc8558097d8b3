"""Article data for the demo site "Le Journal du Monde".

Everything is built in-process and deterministically (fixed-seed ``random.Random``) so the
demo needs no network, no files outside the package, and always renders the same bytes.
The seed article is embedded verbatim because the extraction tests compare against it;
the other articles are assembled from varied French sentence templates whose slots carry
article-specific words, so no two articles share a paragraph (a later feature learns
repeated blocks as boilerplate and must not learn article text).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from functools import cache

SITE_NAME = "Le Journal du Monde"
SITE_TAGLINE = "L’actualité française et internationale, chaque jour"
RANDOM_SEED = 20250213

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass(frozen=True)
class Section:
    """A WordPress category; ``slug`` is the /category/<slug>/ path segment."""

    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class Author:
    """A byline; ``slug`` is the /author/<slug>/ path segment."""

    slug: str
    name: str
    bio: str


@dataclass(frozen=True)
class Block:
    """One body block: a paragraph ("p"), a subheading ("h2") or a quote ("quote")."""

    kind: str
    text: str
    cite: str | None = None


@dataclass(frozen=True)
class Article:
    """One post. ``path`` is the canonical path (no host) so any base URL can be used."""

    post_id: int
    slug: str
    title: str
    section: str
    author: str
    tags: tuple[str, ...]
    published: datetime
    modified: datetime
    description: str
    image_alt: str
    blocks: tuple[Block, ...]
    path_override: str | None = None

    @property
    def path(self) -> str:
        if self.path_override:
            return self.path_override
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def image_path(self) -> str:
        return f"/wp-content/uploads/{self.published:%Y/%m}/{self.slug}.png"


SECTIONS: tuple[Section, ...] = (
    Section(
        "international",
        "International",
        "Conflits, diplomatie et grands équilibres du monde : l’actualité internationale "
        "décryptée par nos correspondants.",
    ),
    Section(
        "politique",
        "Politique",
        "Gouvernement, Parlement, partis et collectivités : la vie politique française au "
        "jour le jour.",
    ),
    Section(
        "economie",
        "Économie",
        "Conjoncture, entreprises, emploi et pouvoir d’achat : les clés pour comprendre "
        "l’économie.",
    ),
    Section(
        "culture",
        "Culture",
        "Cinéma, livres, musique, théâtre et patrimoine : le meilleur de la vie culturelle.",
    ),
    Section(
        "sport",
        "Sport",
        "Football, rugby, tennis, cyclisme et tous les autres : résultats, analyses et "
        "portraits.",
    ),
)

AUTHORS: tuple[Author, ...] = (
    Author(
        "claire-dubois",
        "Claire Dubois",
        "Journaliste au service International, Claire Dubois suit la guerre en Ukraine et "
        "les relations entre Moscou et les capitales occidentales.",
    ),
    Author(
        "julien-moreau",
        "Julien Moreau",
        "Chef adjoint du service Politique, Julien Moreau couvre l’Assemblée nationale et "
        "le Sénat depuis dix ans.",
    ),
    Author(
        "sophie-laurent",
        "Sophie Laurent",
        "Sophie Laurent écrit sur la conjoncture, les marchés financiers et les politiques "
        "budgétaires.",
    ),
    Author(
        "antoine-girard",
        "Antoine Girard",
        "Antoine Girard suit le football et le rugby, en France comme à l’étranger.",
    ),
    Author(
        "elise-fontaine",
        "Élise Fontaine",
        "Critique et reporter, Élise Fontaine couvre le cinéma, le théâtre et les festivals.",
    ),
    Author(
        "mathieu-lefevre",
        "Mathieu Lefèvre",
        "Reporter polyvalent, Mathieu Lefèvre intervient sur l’ensemble des rubriques du "
        "journal.",
    ),
)

# Each section's usual author; others sign now and then.
_SECTION_AUTHOR = {
    "international": "claire-dubois",
    "politique": "julien-moreau",
    "economie": "sophie-laurent",
    "sport": "antoine-girard",
    "culture": "elise-fontaine",
}

# --------------------------------------------------------------------------- seed article

SEED_PATH = "/2025/02/13/poutine-accepte-de-negocier-avec-trump/"
_SEED_TIME = datetime(2025, 2, 13, 9, 30, tzinfo=timezone(timedelta(hours=1)))

SEED_ARTICLE = Article(
    post_id=48213,
    slug="poutine-accepte-de-negocier-avec-trump",
    title="Poutine accepte de négocier avec Trump pour mettre fin à la guerre en Ukraine",
    section="international",
    author="claire-dubois",
    tags=("Russie", "Ukraine"),
    published=_SEED_TIME,
    modified=_SEED_TIME,
    description=(
        "Vladimir Poutine a accepté de négocier avec Donald Trump afin de trouver une issue "
        "pacifique à la guerre en Ukraine."
    ),
    image_alt="Vladimir Poutine et Donald Trump",
    blocks=(
        Block(
            "p",
            "Le président russe Vladimir Poutine a accepté de négocier avec son homologue "
            "américain Donald Trump afin de trouver une issue pacifique à la guerre en "
            "Ukraine. Cette initiative marque un tournant potentiel dans le conflit qui dure "
            "depuis février 2022.",
        ),
        Block("h2", "Un appel décisif entre Trump et Poutine"),
        Block(
            "p",
            "Mercredi, Donald Trump a annoncé avoir eu un entretien d’une heure avec Vladimir "
            "Poutine. Selon lui, « nous sommes sur la voie de la paix ». Après cet appel, il a "
            "également échangé avec le président ukrainien Volodymyr Zelensky, bien qu’il "
            "n’ait pas confirmé si l’Ukraine serait pleinement impliquée dans les pourparlers "
            "entre Washington et Moscou.",
        ),
        Block(
            "quote",
            "« Le président Poutine veut la paix, le président Zelensky veut la paix, et je "
            "veux la paix. Nous devons mettre un terme aux pertes humaines. »",
            "Donald Trump",
        ),
        Block(
            "p",
            "D’après le Kremlin, Poutine a souligné la nécessité de s’attaquer aux causes "
            "profondes du conflit et a convenu avec Trump qu’une solution durable passerait "
            "par des pourparlers diplomatiques.",
        ),
        Block("h2", "Des négociations sous haute tension"),
        Block(
            "p",
            "Donald Trump a laissé entendre qu’une rencontre en personne avec Vladimir Poutine "
            "pourrait avoir lieu prochainement, possiblement en Arabie saoudite. Ce dialogue "
            "direct entre les deux leaders remet en question la position adoptée jusqu’ici "
            "par l’administration Biden, qui insistait sur une implication directe de Kyiv "
            "dans toute négociation de paix.",
        ),
        Block(
            "p",
            "Interrogé sur la place de l’Ukraine dans ces discussions, Trump a répondu : "
            "« Question intéressante. Je pense qu’ils doivent faire la paix. » Cette réponse "
            "soulève des inquiétudes sur l’éventuelle marginalisation de Kyiv dans le "
            "processus diplomatique.",
        ),
        Block("h2", "Un changement de cap américain sur l’OTAN"),
        Block(
            "p",
            "Dans une autre annonce marquante, le secrétaire à la Défense américain, Pete "
            "Hegseth, a déclaré à Bruxelles que l’adhésion de l’Ukraine à l’OTAN était "
            "« irréaliste » et que la sécurité du pays devait reposer sur des garanties "
            "européennes plutôt que sur une intégration à l’Alliance atlantique.",
        ),
        Block(
            "p",
            "Cette prise de position contraste avec la politique de Joe Biden, qui défendait "
            "l’inévitabilité de l’adhésion de Kyiv à l’OTAN. « La Russie s’oppose à cette "
            "intégration depuis longtemps, et je suis d’accord avec cela », a affirmé Trump.",
        ),
        Block("h2", "Zelensky reste prudent"),
        Block(
            "p",
            "Malgré cette tournure inattendue, Volodymyr Zelensky a adopté un ton mesuré. "
            "Dans un message sur les réseaux sociaux, il a qualifié son entretien avec Donald "
            "Trump de « significatif » et a évoqué les « opportunités de parvenir à la "
            "paix ».",
        ),
        Block("quote", "« Je suis reconnaissant au président Trump. »", "Volodymyr Zelensky"),
        Block(
            "p",
            "Cependant, l’Ukraine cherche à établir un accord garantissant la poursuite de "
            "l’aide militaire américaine en échange d’une coopération accrue dans le domaine "
            "des ressources minières, notamment les éléments de terres rares.",
        ),
        Block("h2", "Vers un réchauffement des relations américano-russes ?"),
        Block(
            "p",
            "L’appel entre Trump et Poutine intervient après un échange de prisonniers entre "
            "les deux pays, qui a vu la libération de l’enseignant américain Marc Fogel en "
            "échange du criminel russe Alexander Vinnik. La Maison-Blanche présente cet "
            "épisode comme un signe de dégel diplomatique susceptible d’ouvrir la voie à une "
            "solution pour l’Ukraine.",
        ),
        Block(
            "p",
            "Donald Trump a désigné une équipe pour mener les discussions avec la Russie, "
            "incluant le secrétaire d’État Marco Rubio, le directeur de la CIA John Ratcliffe "
            "et le conseiller à la sécurité nationale Michael Waltz. Ces négociations "
            "devraient s’accélérer lors de la Conférence de Munich sur la sécurité, où sera "
            "présent Zelensky.",
        ),
        Block(
            "p",
            "Ce revirement de la diplomatie américaine pourrait redéfinir l’avenir du conflit "
            "et remodeler les alliances internationales autour de la guerre en Ukraine.",
        ),
    ),
)

# ------------------------------------------------------------- robots-disallowed draft page

DRAFT_PATH = "/private/brouillon-exclusif/"
_DRAFT_TIME = datetime(2025, 3, 3, 18, 45, tzinfo=timezone(timedelta(hours=1)))

DRAFT_ARTICLE = Article(
    post_id=49001,
    slug="brouillon-exclusif",
    title="Exclusif : les coulisses d’une négociation secrète à Genève",
    section="international",
    author="mathieu-lefevre",
    tags=("Diplomatie",),
    published=_DRAFT_TIME,
    modified=_DRAFT_TIME,
    description="Brouillon non publié : ce texte ne doit jamais être indexé ni archivé.",
    image_alt="Le palais des Nations à Genève",
    blocks=(
        Block(
            "p",
            "BROUILLON – NE PAS PUBLIER. Selon nos informations, des émissaires se seraient "
            "retrouvés à Genève dans la plus grande discrétion au début du mois de mars.",
        ),
        Block("h2", "Une réunion tenue secrète"),
        Block(
            "p",
            "Plusieurs points restent à vérifier auprès de nos sources avant toute "
            "publication, notamment la liste exacte des participants et la durée des échanges.",
        ),
        Block(
            "p",
            "Ce texte de travail est stocké sous /private/, un chemin interdit aux robots : "
            "un robot d’archivage respectueux ne doit jamais le télécharger.",
        ),
        Block(
            "p",
            "Note à la rédaction : relire les citations, compléter le contexte historique et "
            "faire valider le titre par le service juridique.",
        ),
    ),
    path_override=DRAFT_PATH,
)

# ---------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class _Topic:
    title: str
    section: str
    tags: tuple[str, ...]
    subject: str  # noun phrase with its article, used only after a verb or a preposition
    role: str  # "la ministre du Travail"
    name: str  # "Hélène Marchand"; unique across topics
    fem: bool
    place: str  # a city, used as "à {place}"
    image_alt: str


def _t(
    title: str, section: str, tags: str, subject: str, actor: str, place: str, alt: str
) -> _Topic:
    """Compact topic constructor: ``tags`` is "|"-separated, ``actor`` is "role|name|f/m"."""
    role, name, gender = actor.split("|")
    return _Topic(title, section, tuple(tags.split("|")), subject, role, name, gender == "f",
                  place, alt)


_TOPICS: tuple[_Topic, ...] = (
    # International
    _t("L’Union européenne adopte un nouveau paquet de sanctions contre Moscou",
       "international", "Russie|Union européenne", "les nouvelles sanctions contre la Russie",
       "la haute représentante de l’Union|Margit Halvorsen|f", "Bruxelles",
       "Les drapeaux européens devant le bâtiment Berlaymont"),
    _t("Tensions en mer de Chine : Pékin et Manille s’accusent mutuellement",
       "international", "Chine|Diplomatie", "les incidents en mer de Chine méridionale",
       "le porte-parole de la diplomatie philippine|Ramon Villanueva|m", "Manille",
       "Un navire des garde-côtes en mer de Chine"),
    _t("Au Sahel, l’aide humanitaire peine à atteindre les populations",
       "international", "Afrique", "l’acheminement de l’aide humanitaire",
       "la coordinatrice régionale des Nations unies|Aminata Koné|f", "Niamey",
       "Un convoi humanitaire sur une piste du Sahel"),
    _t("Washington et Pékin relancent le dialogue commercial",
       "international", "États-Unis|Chine", "les droits de douane sur l’acier et l’aluminium",
       "la représentante américaine au Commerce|Karen Whitfield|f", "Genève",
       "Des conteneurs empilés dans un port"),
    _t("Proche-Orient : une nouvelle médiation pour obtenir un cessez-le-feu",
       "international", "Moyen-Orient|Diplomatie", "les négociations sur un cessez-le-feu",
       "le médiateur qatari|Khalid Al-Mansouri|m", "Doha",
       "Une salle de conférence à Doha"),
    _t("Climat : les pays du Sud réclament davantage de financements",
       "international", "Climat|Diplomatie", "le financement de l’adaptation climatique",
       "la négociatrice en chef du groupe africain|Fatou Diallo|f", "Bakou",
       "Des délégués réunis en séance plénière"),
    _t("Kyiv réclame des garanties de sécurité européennes",
       "international", "Ukraine|Union européenne", "les garanties de sécurité pour Kyiv",
       "le ministre ukrainien des Affaires étrangères|Andriy Kovalenko|m", "Kyiv",
       "Le centre de Kyiv sous la neige"),
    _t("OTAN : les alliés divisés sur les dépenses de défense",
       "international", "Diplomatie", "l’objectif de dépenses militaires",
       "le secrétaire général adjoint de l’Alliance|Henrik Lindqvist|m", "Bruxelles",
       "Les drapeaux des pays membres de l’OTAN"),
    _t("Brésil : la déforestation en Amazonie recule pour la deuxième année",
       "international", "Climat", "la lutte contre la déforestation",
       "la ministre brésilienne de l’Environnement|Luiza Teixeira|f", "Brasília",
       "Une parcelle de forêt amazonienne vue du ciel"),
    _t("Londres et Bruxelles négocient un rapprochement après le Brexit",
       "international", "Union européenne|Diplomatie",
       "le futur accord sur la mobilité des jeunes",
       "le secrétaire d’État britannique aux Affaires européennes|Oliver Hastings|m",
       "Londres", "Le palais de Westminster au crépuscule"),
    _t("Séisme au Japon : les secours mobilisés dans la préfecture d’Ishikawa",
       "international", "Asie", "les opérations de secours",
       "le gouverneur de la préfecture|Hiroshi Takeda|m", "Kanazawa",
       "Des sauveteurs dans une rue endommagée"),
    _t("Moscou durcit le ton face aux pays baltes",
       "international", "Russie|Union européenne", "la sécurité des frontières baltes",
       "la ministre estonienne de la Défense|Liis Tamm|f", "Tallinn",
       "Un poste-frontière dans la neige"),
    _t("Le G20 s’ouvre à Johannesburg sur fond de divisions",
       "international", "Afrique|Diplomatie", "la restructuration de la dette des pays pauvres",
       "le ministre sud-africain des Finances|Thabo Nkosi|m", "Johannesburg",
       "Les dirigeants du G20 posent pour la photo de famille"),
    _t("Ukraine : les exportations de céréales reprennent par la mer Noire",
       "international", "Ukraine|Russie", "le corridor maritime en mer Noire",
       "le vice-ministre ukrainien de l’Agriculture|Taras Melnyk|m", "Odessa",
       "Un cargo chargé de céréales dans le port d’Odessa"),
    # Politique
    _t("Budget : le gouvernement engage sa responsabilité devant l’Assemblée",
       "politique", "Budget|Gouvernement|Assemblée nationale", "le projet de loi de finances",
       "la ministre des Comptes publics|Isabelle Renaud|f", "Paris",
       "L’hémicycle de l’Assemblée nationale"),
    _t("Retraites : les partenaires sociaux rouvrent le dossier",
       "politique", "Retraites|Gouvernement", "l’âge légal de départ à la retraite",
       "le négociateur syndical|Pascal Vidal|m", "Paris",
       "Une salle de réunion au ministère du Travail"),
    _t("Municipales 2026 : les premières alliances se dessinent à Marseille",
       "politique", "Municipales|Élections", "la constitution des listes municipales",
       "la conseillère régionale|Nadia Benali|f", "Marseille",
       "L’hôtel de ville de Marseille"),
    _t("Le Sénat adopte la proposition de loi sur la fin de vie",
       "politique", "Sénat", "le texte sur l’aide à mourir",
       "le rapporteur du texte|Bernard Castel|m", "Paris",
       "L’hémicycle du Sénat"),
    _t("Nouvelle-Calédonie : reprise du dialogue entre l’État et les indépendantistes",
       "politique", "Gouvernement", "l’avenir institutionnel de l’archipel",
       "le ministre des Outre-mer|François Lemaire|m", "Nouméa",
       "La baie de Nouméa"),
    _t("La commission d’enquête sur l’eau rend ses conclusions",
       "politique", "Assemblée nationale", "la gestion des ressources en eau",
       "la présidente de la commission|Sandrine Roux|f", "Paris",
       "Une retenue d’eau asséchée"),
    _t("Décentralisation : les maires réclament davantage de moyens",
       "politique", "Municipales|Budget", "les dotations aux collectivités locales",
       "le président de l’association des maires ruraux|Gérard Poulain|m", "Lyon",
       "Une mairie de village"),
    _t("Immigration : le nouveau projet de loi divise la majorité",
       "politique", "Gouvernement|Assemblée nationale",
       "le nouveau projet de loi sur l’immigration",
       "le ministre de l’Intérieur|Laurent Mercier|m", "Paris",
       "La place Beauvau"),
    _t("Proportionnelle : le débat relancé à l’Assemblée nationale",
       "politique", "Élections|Assemblée nationale",
       "l’introduction d’une dose de proportionnelle",
       "le député centriste|Yann Le Goff|m", "Paris",
       "Des bulletins de vote dans une urne"),
    _t("Le Conseil constitutionnel censure plusieurs articles de la loi sur la sécurité",
       "politique", "Gouvernement", "la loi sur la sécurité intérieure",
       "le professeur de droit public|Marc-Antoine Deville|m", "Paris",
       "La façade du Conseil constitutionnel"),
    _t("Audiovisuel public : la fusion des chaînes de nouveau à l’étude",
       "politique", "Gouvernement|Médias", "le rapprochement des sociétés de l’audiovisuel public",
       "la ministre de la Culture|Hélène Marchand|f", "Paris",
       "Un plateau de télévision"),
    _t("Logement saisonnier : le gouvernement présente un plan pour la Bretagne",
       "politique", "Gouvernement|Logement", "la crise du logement dans les zones touristiques",
       "la ministre du Logement|Valérie Guillou|f", "Rennes",
       "Des maisons de bord de mer en Bretagne"),
    _t("Sénatoriales : la droite conforte sa majorité au Palais du Luxembourg",
       "politique", "Sénat|Élections", "le renouvellement de la chambre haute",
       "le président du groupe majoritaire|Jean-Luc Ferrand|m", "Paris",
       "Le Palais du Luxembourg"),
    _t("Le Premier ministre défend son plan pour les services publics en zone rurale",
       "politique", "Gouvernement", "l’accès aux services publics dans les campagnes",
       "le Premier ministre|Philippe Arnaud|m", "Guéret",
       "Une maison France Services dans la Creuse"),
    # Économie
    _t("Bourse de Paris : le CAC 40 termine la semaine en hausse",
       "economie", "Bourse", "la progression des valeurs du luxe",
       "l’analyste de marché|Thomas Perrin|m", "Paris",
       "Les écrans d’une salle de marché"),
    _t("Inflation : les prix ralentissent pour le troisième mois consécutif",
       "economie", "Inflation", "la hausse des prix à la consommation",
       "l’économiste en chef de la banque|Camille Besson|f", "Paris",
       "Un rayon de supermarché"),
    _t("La BCE abaisse de nouveau ses taux directeurs",
       "economie", "Inflation|Bourse", "la baisse des taux directeurs",
       "le gouverneur de la banque centrale|Klaus Brenner|m", "Francfort",
       "Le siège de la Banque centrale européenne"),
    _t("Chômage : le taux remonte légèrement au troisième trimestre",
       "economie", "Emploi", "l’évolution du marché du travail",
       "la directrice des études de l’Insee|Marion Delattre|f", "Paris",
       "Une agence France Travail"),
    _t("Nucléaire : un vaste programme de maintenance des réacteurs",
       "economie", "Énergie|Entreprises", "la maintenance du parc nucléaire",
       "le directeur de la production nucléaire|Hervé Collin|m", "Flamanville",
       "La centrale nucléaire de Flamanville"),
    _t("Immobilier : les taux de crédit repassent sous la barre des 3,5 %",
       "economie", "Immobilier", "le crédit immobilier",
       "le courtier|Stéphane Morel|m", "Bordeaux",
       "Des immeubles en construction à Bordeaux"),
    _t("Automobile : un équipementier ferme deux usines dans le Grand Est",
       "economie", "Emploi|Entreprises", "la fermeture des sites de production",
       "la déléguée syndicale|Corinne Weber|f", "Mulhouse",
       "Une chaîne de montage automobile"),
    _t("Agriculture : les céréaliers face à une récolte historiquement basse",
       "economie", "Agriculture", "la baisse des rendements céréaliers",
       "le président de la chambre d’agriculture|Jean-Pierre Lacombe|m", "Chartres",
       "Un champ de blé en Beauce"),
    _t("Start-up : la French Tech lève moins de fonds que l’an dernier",
       "economie", "Entreprises", "le financement des jeunes pousses",
       "la fondatrice d’une société d’intelligence artificielle|Léa Garnier|f", "Paris",
       "Un espace de travail partagé"),
    _t("Dette publique : la note de la France sous surveillance",
       "economie", "Dette|Budget", "la notation de la dette française",
       "l’économiste|Julien Fabre|m", "Paris",
       "Le ministère de l’Économie à Bercy"),
    _t("Tourisme : une saison estivale record sur la côte atlantique",
       "economie", "Tourisme|Emploi", "la fréquentation touristique",
       "la présidente du comité régional du tourisme|Anne-Sophie Bertin|f", "La Rochelle",
       "Le vieux port de La Rochelle"),
    _t("Électricité : le tarif réglementé orienté à la baisse",
       "economie", "Énergie", "le tarif réglementé de l’électricité",
       "le président de la commission de régulation|Éric Dumont|m", "Paris",
       "Un compteur électrique"),
    _t("Commerce : les ventes en ligne poursuivent leur progression",
       "economie", "Entreprises", "le commerce en ligne",
       "le délégué général de la fédération du e-commerce|Nicolas Barre|m", "Lille",
       "Un entrepôt logistique"),
    _t("Fret ferroviaire : un plan de relance pour les petites lignes",
       "economie", "Entreprises|Énergie", "la relance du fret ferroviaire",
       "le ministre délégué aux Transports|Olivier Chauvin|m", "Toulouse",
       "Un train de marchandises"),
    # Culture
    _t("Cinéma : la fréquentation des salles retrouve son niveau d’avant-crise",
       "culture", "Cinéma", "la fréquentation des salles de cinéma",
       "la présidente du Centre national du cinéma|Sylvie Dumas|f", "Paris",
       "Une salle de cinéma comble"),
    _t("Notre-Dame de Paris : les derniers préparatifs avant la réouverture",
       "culture", "Patrimoine", "la restauration de la cathédrale",
       "l’architecte en chef des monuments historiques|Philippe Vasseur|m", "Paris",
       "La flèche de Notre-Dame de Paris"),
    _t("Prix littéraires : un premier roman parmi les finalistes",
       "culture", "Livres", "la sélection des prix littéraires d’automne",
       "le président du jury|Alain Duroc|m", "Paris",
       "Une pile de romans dans une librairie"),
    _t("Avignon : le festival mise sur la jeune création",
       "culture", "Théâtre|Festivals", "la programmation du festival",
       "la directrice artistique|Inès Carvalho|f", "Avignon",
       "La cour d’honneur du palais des Papes"),
    _t("Musique : les concerts en plein air font le plein cet été",
       "culture", "Musique|Festivals", "la saison des festivals de musique",
       "le programmateur du festival|Kevin Le Bihan|m", "Carhaix",
       "La foule devant une grande scène"),
    _t("Le Louvre consacre une exposition aux trésors de l’Égypte ancienne",
       "culture", "Patrimoine", "la nouvelle exposition sur l’Égypte ancienne",
       "la commissaire de l’exposition|Margaux Lenoir|f", "Paris",
       "Un sarcophage exposé au musée du Louvre"),
    _t("Bande dessinée : Angoulême célèbre les autrices",
       "culture", "Livres|Festivals", "la place des autrices dans la bande dessinée",
       "la déléguée générale du festival|Chloé Brunet|f", "Angoulême",
       "Des planches de bande dessinée exposées"),
    _t("Théâtre : la Comédie-Française revisite Molière",
       "culture", "Théâtre", "la nouvelle mise en scène du Misanthrope",
       "le metteur en scène|Raphaël Simon|m", "Paris",
       "La salle Richelieu de la Comédie-Française"),
    _t("Patrimoine : les Journées européennes attirent un public record",
       "culture", "Patrimoine", "l’ouverture des monuments au public",
       "la directrice régionale des affaires culturelles|Odile Marchal|f", "Strasbourg",
       "La cathédrale de Strasbourg"),
    _t("Musique classique : la Philharmonie célèbre Maurice Ravel",
       "culture", "Musique", "le cent-cinquantième anniversaire de Maurice Ravel",
       "la cheffe d’orchestre|Laure Mignot|f", "Paris",
       "Un orchestre symphonique en répétition"),
    _t("Cinéma : un documentaire sur les glaciers des Alpes primé à Annecy",
       "culture", "Cinéma|Climat", "le documentaire sur la fonte des glaciers",
       "le réalisateur|Bastien Roux|m", "Annecy",
       "Un glacier alpin"),
    _t("Les librairies indépendantes résistent malgré la crise",
       "culture", "Livres", "la situation des librairies indépendantes",
       "le président du syndicat de la librairie|Hugo Lambert|m", "Nantes",
       "La vitrine d’une librairie indépendante"),
    _t("Street art : Marseille ouvre un musée à ciel ouvert",
       "culture", "Patrimoine", "le parcours d’art urbain",
       "l’adjointe à la culture de la ville|Samia Haddad|f", "Marseille",
       "Une fresque murale dans le quartier du Panier"),
    _t("Jeux vidéo : la création française à l’honneur",
       "culture", "Jeux vidéo", "l’industrie française du jeu vidéo",
       "le directeur d’un studio lyonnais|Maxime Chevalier|m", "Paris",
       "Des visiteurs devant des écrans de jeux vidéo"),
    # Sport
    _t("Ligue des champions : le PSG s’impose au terme d’un match fou",
       "sport", "Football", "la qualification pour les huitièmes de finale",
       "l’entraîneur parisien|Luis Ortega|m", "Paris",
       "La pelouse du Parc des Princes"),
    _t("Six Nations : le XV de France domine l’Irlande",
       "sport", "Rugby", "la conquête du Tournoi",
       "le sélectionneur|Fabien Garnier|m", "Saint-Denis",
       "Une mêlée au Stade de France"),
    _t("Roland-Garros : une jeune Française crée la surprise",
       "sport", "Tennis", "le parcours de la révélation française",
       "l’entraîneuse de la joueuse|Marie Cordier|f", "Paris",
       "Le court Philippe-Chatrier"),
    _t("Tour de France : l’étape des Pyrénées bouleverse le classement général",
       "sport", "Cyclisme", "la lutte pour le maillot jaune",
       "le directeur sportif de l’équipe|Cédric Vautrin|m", "Pau",
       "Le peloton dans un col pyrénéen"),
    _t("Jeux paralympiques : la France termine avec un bilan historique",
       "sport", "Jeux olympiques", "le bilan des athlètes paralympiques",
       "le chef de mission de la délégation|Arnaud Boyer|m", "Paris",
       "Des athlètes paralympiques sur le podium"),
    _t("Athlétisme : un nouveau record de France sur 10 000 mètres",
       "sport", "Athlétisme", "le record de France du 10 000 mètres",
       "le coureur|Yanis Belkacem|m", "Nice",
       "Un coureur franchit la ligne d’arrivée"),
    _t("Football : la Ligue 1 cherche toujours un diffuseur",
       "sport", "Football|Médias", "les droits de diffusion du championnat",
       "le président de la Ligue|Vincent Auclair|m", "Paris",
       "Une caméra de télévision au bord d’un terrain"),
    _t("Vendée Globe : les skippers franchissent le cap Horn",
       "sport", "Voile", "la course autour du monde en solitaire",
       "la skippeuse|Justine Le Floch|f", "Lorient",
       "Un monocoque dans les mers du Sud"),
    _t("Handball : les Bleues qualifiées pour la finale de l’Euro",
       "sport", "Handball", "la campagne européenne des Bleues",
       "le sélectionneur des Bleues|Sébastien Gardon|m", "Vienne",
       "Des handballeuses célèbrent un but"),
    _t("Ski alpin : doublé français à Val-d’Isère",
       "sport", "Ski", "la première descente de la saison",
       "la skieuse|Camille Rostand|f", "Val-d’Isère",
       "Une skieuse en pleine descente"),
    _t("Rugby : Toulouse conserve son titre de champion de France",
       "sport", "Rugby", "la finale du Top 14",
       "le capitaine toulousain|Mathis Lapeyre|m", "Toulouse",
       "Les joueurs toulousains soulèvent le bouclier de Brennus"),
    _t("Tennis : le Masters de Paris change de salle",
       "sport", "Tennis", "le déménagement du tournoi",
       "le directeur du tournoi|Guillaume Rivière|m", "Nanterre",
       "Une salle de tennis couverte"),
    _t("Basket : les Bleus préparent la fenêtre internationale",
       "sport", "Basket", "la préparation des qualifications",
       "le capitaine de l’équipe de France|Kevin Traoré|m", "Pau",
       "Un panier de basket"),
    _t("Football féminin : Lyon reprend la tête du championnat",
       "sport", "Football", "la course au titre en première division féminine",
       "l’attaquante lyonnaise|Léna Morvan|f", "Lyon",
       "Une joueuse lyonnaise balle au pied"),
)

# Seasonal stories get a plausible month ("YYYY-MM"); the others land on any day.
_WHEN = {
    "Climat : les pays du Sud réclament davantage de financements": "2024-11",
    "Le G20 s’ouvre à Johannesburg sur fond de divisions": "2025-02",
    "Budget : le gouvernement engage sa responsabilité devant l’Assemblée": "2024-12",
    "Sénatoriales : la droite conforte sa majorité au Palais du Luxembourg": "2024-10",
    "Chômage : le taux remonte légèrement au troisième trimestre": "2024-11",
    "Agriculture : les céréaliers face à une récolte historiquement basse": "2024-08",
    "Tourisme : une saison estivale record sur la côte atlantique": "2024-09",
    "Notre-Dame de Paris : les derniers préparatifs avant la réouverture": "2024-11",
    "Prix littéraires : un premier roman parmi les finalistes": "2024-10",
    "Avignon : le festival mise sur la jeune création": "2024-07",
    "Musique : les concerts en plein air font le plein cet été": "2024-07",
    "Bande dessinée : Angoulême célèbre les autrices": "2025-01",
    "Patrimoine : les Journées européennes attirent un public record": "2024-09",
    "Musique classique : la Philharmonie célèbre Maurice Ravel": "2025-03",
    "Cinéma : un documentaire sur les glaciers des Alpes primé à Annecy": "2024-06",
    "Six Nations : le XV de France domine l’Irlande": "2025-02",
    "Roland-Garros : une jeune Française crée la surprise": "2024-06",
    "Tour de France : l’étape des Pyrénées bouleverse le classement général": "2024-07",
    "Jeux paralympiques : la France termine avec un bilan historique": "2024-09",
    "Vendée Globe : les skippers franchissent le cap Horn": "2025-01",
    "Handball : les Bleues qualifiées pour la finale de l’Euro": "2024-12",
    "Ski alpin : doublé français à Val-d’Isère": "2024-12",
    "Rugby : Toulouse conserve son titre de champion de France": "2024-06",
    "Tennis : le Masters de Paris change de salle": "2024-10",
}


# ------------------------------------------------------------------- sentence templates
# Slots: {subject} (object position only), {actor}/{Actor} (role + name + comma, as a
# sentence subject), {actor_obj} (role + name, after a verb), {name}, {de_name},
# {place}, {de_place}, {day}/{Day}, {il} (il/elle), {e} (feminine agreement), {org}/{Org},
# {expert} (name + affiliation), {expert_name}, {pct}, {dec}, {amount}, {count}, {years},
# {month_next}, {month_prev}, {date_prev}, {sign}. Every template names at least one
# article-specific slot ({subject}, {name}, {de_name}, {actor}, {place}) so paragraphs differ.

_LEADS = (
    "{Day}, {actor} a présenté à {place} un plan très attendu sur {subject}. L’annonce "
    "intervient après plusieurs semaines de consultations et de rumeurs contradictoires.",
    "Le dossier revient au premier plan. {Day}, {actor} a reconnu à {place} que la situation "
    "concernant {subject} « exige des réponses rapides », relançant un débat que beaucoup "
    "pensaient clos.",
    "Les regards étaient tournés vers {place} ce {day}. {Actor} y a détaillé sa position sur "
    "{subject}, un sujet qui divise depuis des mois.",
    "C’est une décision qui pourrait faire date. {Actor} a annoncé {day} une série de mesures "
    "sur {subject}, à l’issue d’une réunion organisée à {place}.",
    "Le dossier entre dans une phase décisive. Selon plusieurs sources concordantes, {actor} "
    "devrait préciser ses intentions sur {subject} dans les prochains jours, alors que la "
    "pression s’accentue à {place}.",
    "Nouvelle étape pour {subject}. {Day}, à {place}, {actor} a défendu une approche jugée "
    "« pragmatique » par ses soutiens et « insuffisante » par ses détracteurs.",
    "La nouvelle a surpris jusque dans les rangs des observateurs les plus avertis : {actor} "
    "a placé {subject} au cœur de son agenda pour les mois à venir.",
    "À {place}, l’annonce était attendue depuis longtemps. {Actor} a confirmé {day} que le "
    "dossier concernant {subject} ferait l’objet d’un examen approfondi d’ici à la fin du "
    "mois {de_month_next}.",
)

_BODY_GENERIC = (
    "Pour {expert}, « la question n’est plus de savoir s’il faut agir sur {subject}, mais "
    "comment et à quel rythme ». Une analyse partagée par de nombreux spécialistes, même si "
    "les divergences demeurent sur les modalités.",
    "Dans l’entourage {de_name}, on assure que le calendrier sera tenu. « Nous avons pris le "
    "temps d’écouter tout le monde, il est désormais temps de décider », glisse un proche "
    "conseiller, sous couvert d’anonymat.",
    "Sur le terrain, à {place}, la prudence reste de mise. Plusieurs acteurs locaux rappellent "
    "que les annonces précédentes sur {subject} n’avaient pas toujours été suivies d’effets "
    "concrets.",
    "{Actor} le reconnaît volontiers : rien n’est encore joué. « Il reste beaucoup de "
    "travail, mais la direction est la bonne », a-t-{il} insisté lors d’un point presse "
    "organisé à {place}.",
    "Les prochaines semaines seront déterminantes. Une nouvelle réunion est prévue avant la "
    "fin du mois {de_month_next}, avec l’objectif affiché de parvenir à un compromis sur "
    "{subject}.",
    "{Org} n’a pas donné suite à nos sollicitations concernant {subject}, mais plusieurs de "
    "ses cadres reconnaissent en privé que le dossier est « sensible » et « loin d’être "
    "bouclé ».",
    "Ce n’est pas la première fois {que_name} s’exprime sur le sujet. En {month_prev}, {il} "
    "avait déjà plaidé pour une approche plus concertée, sans parvenir à convaincre "
    "l’ensemble de ses interlocuteurs.",
    "À {place}, les avis restent partagés. « On attend de voir », résume un habitant "
    "rencontré près du centre-ville, tandis que d’autres saluent une prise de conscience "
    "tardive mais bienvenue sur {subject}.",
    "« Les marges de manœuvre sont étroites, et chacun le sait », observe {expert_name}, qui "
    "plaide pour un suivi régulier des engagements pris sur {subject}.",
    "Les observateurs soulignent le rôle clé joué par {name} dans ce dossier. Réputé{e} pour "
    "sa ténacité, {il} a multiplié les rencontres à {place} ces derniers mois.",
    "Dans ce contexte, chaque annonce sur {subject} est scrutée de près, à {place} comme "
    "ailleurs. Le moindre faux pas pourrait fragiliser un équilibre encore précaire.",
    "Interrogé{e} sur le calendrier, {name} s’est voulu{e} rassurant{e} : « Nous tiendrons "
    "les délais, parce que nous n’avons pas le choix. »",
)

# Public-policy flavoured paragraphs (budgets, elected officials): not for culture/sport.
_BODY_POLICY = (
    "Selon les chiffres communiqués par {org}, près de {pct} % des personnes interrogées se "
    "disent préoccupées par {subject}. Un niveau inédit depuis plusieurs années, qui explique "
    "en partie l’empressement des responsables.",
    "D’après une note interne consultée par Le Journal du Monde, le coût des mesures "
    "envisagées pour {subject} pourrait atteindre {amount} d’euros. Un montant jugé "
    "« soutenable » par {org}, mais qui inquiète une partie des élus.",
    "Depuis {years} ans, les débats sur {subject} reviennent régulièrement, sans qu’aucune "
    "solution durable ne parvienne à s’imposer. Les gouvernements successifs s’y sont "
    "d’ailleurs souvent cassé les dents.",
    "Plusieurs pistes sont à l’étude pour {subject}, mais aucune n’a encore été arbitrée, "
    "selon un document de travail daté du {date_prev} que Le Journal du Monde a pu consulter.",
)

_BODY_BY_SECTION = {
    "international": (
        "Les chancelleries européennes suivent la situation avec attention. À {place}, "
        "plusieurs diplomates évoquent en privé un « moment de vérité » pour {subject}.",
        "{Org} a appelé toutes les parties à la retenue et rappelé son attachement au droit "
        "international, tout en saluant les efforts {de_name}.",
        "Sur le plan régional, les conséquences pourraient être importantes. Les pays voisins "
        "craignent un effet d’entraînement si les discussions sur {subject} venaient à "
        "échouer.",
        "À Paris, le Quai d’Orsay se dit « attentif » et « disponible » pour accompagner les "
        "discussions sur {subject}, sans s’avancer davantage.",
    ),
    "politique": (
        "À l’Assemblée nationale, l’équation reste délicate. Faute de majorité absolue, "
        "l’exécutif devra composer avec les groupes d’opposition sur {subject}.",
        "Les critiques n’ont pas tardé. Plusieurs responsables de l’opposition dénoncent une "
        "méthode « précipitée » et réclament des garanties avant tout vote sur {subject}.",
        "Selon un sondage réalisé pour Le Journal du Monde, {pct} % des Français jugent "
        "prioritaire une action rapide sur {subject}, un score en nette hausse.",
        "Au sein même de la majorité, des voix s’élèvent. « On ne peut pas avancer sur "
        "{subject} sans associer les élus locaux », prévient un député {de_place_alt}.",
    ),
    "economie": (
        "Les marchés ont réagi avec prudence. À la clôture, l’indice phare de la place "
        "parisienne affichait une variation de {sign}{dec} %, les investisseurs attendant "
        "davantage de visibilité sur {subject}.",
        "Selon les dernières données publiées par {org}, l’activité a progressé de {dec} % sur "
        "un an, un rythme jugé « modeste » par {expert_name}, qui suit de près {subject}.",
        "Pour les entreprises, l’enjeu est de taille. Plus de {count} sociétés pourraient être "
        "concernées par {subject}, selon les estimations publiées par {org}.",
        "Les consommateurs, eux, restent prudents. À {place}, plusieurs commerçants "
        "constatent un attentisme marqué depuis le début du mois {de_month_prev}, dans "
        "l’attente de précisions sur {subject}.",
    ),
    "culture": (
        "Le public, lui, semble au rendez-vous. Plus de {count} billets ont déjà été vendus, "
        "un chiffre encourageant pour {subject}.",
        "Les critiques saluent une proposition exigeante. « C’est audacieux, parfois "
        "déroutant, mais profondément sincère », écrit un chroniqueur à propos du travail "
        "{de_name}.",
        "{Org} a promis une enveloppe de {amount} d’euros pour accompagner {subject}, une "
        "somme jugée insuffisante par plusieurs professionnels du secteur.",
        "À {place}, les lieux partenaires se préparent déjà : horaires élargis, visites "
        "commentées et rencontres avec {name} sont au programme.",
        "La presse spécialisée se montre enthousiaste. {expert} y voit « l’un des rendez-vous "
        "marquants de la saison », tout en regrettant une communication tardive sur {subject}.",
        "Pour {name}, l’essentiel est ailleurs : « Nous voulons que le plus grand nombre puisse "
        "en profiter, y compris celles et ceux qui ne poussent jamais la porte d’une salle. »",
    ),
    "sport": (
        "Devant plus de {count} spectateurs, l’ambiance était électrique à {place}. Les "
        "supporters, venus nombreux, ont salué la performance {de_name}.",
        "Dans le camp adverse, on faisait grise mine. « Nous avons manqué d’efficacité dans les "
        "moments clés », a admis l’entraîneur, tout en saluant le travail {de_name}.",
        "La suite s’annonce exigeante. Le calendrier prévoit trois rendez-vous en dix jours, "
        "une cadence qui inquiète {name} et son entourage.",
        "Sur le plan tactique, la maturité affichée a frappé les observateurs. « On sent un "
        "collectif qui sait souffrir et qui ne panique plus », analyse {expert}, qui suit de "
        "près {subject}.",
        "Les réseaux sociaux se sont enflammés dans la soirée. Le nom {de_name} figurait parmi "
        "les sujets les plus commentés en France, signe de l’engouement suscité par {subject}.",
        "Les statistiques confirment l’impression visuelle : {pct} % de réussite dans les "
        "phases décisives pour {name}, un chiffre rarement atteint ces dernières saisons.",
    ),
}

_QUOTE_PARAGRAPHS = (
    "« Nous ne pouvons plus attendre. Chaque semaine perdue sur {subject} a un coût », a "
    "martelé {name} devant la presse.",
    "« Il faut sortir des postures et avancer ensemble », a plaidé {actor_obj}, {day}, à "
    "{place}.",
    "« Ce n’est qu’une étape, mais c’est une étape importante », a estimé {name}, se disant "
    "« confiant{e} » pour la suite.",
    "« Nous avons entendu les inquiétudes, et nous y répondrons point par point », a assuré "
    "{name} à {place}.",
)

_BLOCKQUOTES = (
    "« Sur {subject}, nous avons le devoir d’obtenir des résultats concrets avant la fin de "
    "l’année. »",
    "« Ce qui se joue aujourd’hui sur {subject} dépasse largement les frontières "
    "{de_place}. »",
    "« Nous ne renoncerons à rien sur {subject}, mais nous sommes prêts à discuter de la "
    "méthode. »",
    "« Personne ne pourra dire qu’il ne savait pas. Les signaux d’alerte sur {subject} sont "
    "là depuis longtemps. »",
)

_CONCLUSIONS = (
    "Les prochaines semaines diront si cet élan se confirme. À {place}, beaucoup veulent y "
    "croire, sans pour autant baisser la garde sur {subject}.",
    "Une chose est sûre : le dossier restera au cœur des débats dans les mois à venir, et "
    "{name} le sait mieux que quiconque.",
    "Rendez-vous est déjà pris pour le mois {de_month_next}, date à laquelle un premier bilan "
    "sur {subject} doit être présenté à {place}.",
    "Reste à savoir si les engagements pris {day} par {name} résisteront à l’épreuve des "
    "faits. Le Journal du Monde suivra de près l’évolution du dossier.",
    "En attendant, {actor} a promis de revenir devant la presse « dès que des avancées "
    "concrètes seront obtenues » sur {subject}.",
)

_HEADINGS = (
    "Un calendrier serré pour {name}",
    "À {place}, l’incertitude pèse sur {subject}",
    "Des réactions contrastées après l’intervention {de_name}",
    "Le pari {de_name}",
    "Quelles suites pour {subject} ?",
    "Ce que change l’annonce {de_name}",
    "{Name} face aux critiques",
    "Sur {subject}, les attentes du terrain",
    "Une méthode contestée par les détracteurs {de_name}",
    "Ce qui se joue pour {subject}",
)

_ORGS = {
    "international": ("l’Union européenne", "l’Organisation des Nations unies",
                      "le Conseil de l’Europe", "l’Organisation mondiale du commerce"),
    "politique": ("le gouvernement", "Matignon", "l’Élysée", "le Conseil d’État"),
    "economie": ("l’Insee", "la Banque de France", "Bercy", "l’OCDE"),
    "culture": ("le ministère de la Culture", "le Centre national du cinéma",
                "la région", "la Bibliothèque nationale de France"),
    "sport": ("la Fédération française", "le Comité national olympique", "la Ligue",
              "le ministère des Sports"),
}

_EXPERTS = {
    "international": (("Nathalie Berthier", "chercheuse à l’Institut de relations "
                       "internationales"),
                      ("Gilles Ravel", "ancien ambassadeur"),
                      ("Yasmina Cherif", "spécialiste des questions de sécurité")),
    "politique": (("Dominique Aubry", "politologue à Sciences Po"),
                  ("Claire-Marie Tessier", "constitutionnaliste"),
                  ("Frédéric Hamon", "sondeur")),
    "economie": (("Paul Girardin", "économiste à l’OFCE"),
                 ("Agnès Leclerc", "directrice de la recherche d’une banque d’affaires"),
                 ("Romain Petitjean", "professeur à l’université Paris-Dauphine")),
    "culture": (("Béatrice Valette", "historienne de l’art"),
                ("Samuel Ogier", "critique"),
                ("Louise Perrault", "sociologue de la culture")),
    "sport": (("Christophe Lemaître-Roux", "consultant"),
              ("Aurélie Mangin", "ancienne internationale"),
              ("Didier Pasquet", "préparateur physique")),
}

_OTHER_CITIES = ("Dijon", "Rouen", "Limoges", "Brest", "Poitiers", "Nancy", "Metz", "Tours")


# ----------------------------------------------------------------------------- helpers


_SLUG_TAIL_WORDS = frozenset("a au aux d de des du en et l la le les par pour sur un une".split())


def slugify(text: str) -> str:
    """WordPress-like slug: accents and apostrophes dropped, other punctuation → hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    while len("-".join(words)) > 72:  # editors shorten long titles, never mid-word
        words.pop()
    while len(words) > 1 and words[-1] in _SLUG_TAIL_WORDS:
        words.pop()
    return "-".join(words)


def paris_tz(d: date) -> timezone:
    """Europe/Paris offset without tzdata: CEST between the last Sundays of March/October."""

    def last_sunday(year: int, month: int) -> date:
        last = date(year, month, 31)
        return last - timedelta(days=(last.weekday() + 1) % 7)

    summer = last_sunday(d.year, 3) <= d < last_sunday(d.year, 10)
    return timezone(timedelta(hours=2 if summer else 1))


def paris_datetime(d: date, hour: int, minute: int) -> datetime:
    """A local Paris wall-clock time with the right UTC offset for that day."""
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=paris_tz(d))


def french_date(dt: datetime) -> str:
    """"13 février 2025" as printed under WordPress titles."""
    day = "1er" if dt.day == 1 else str(dt.day)
    return f"{day} {MONTHS_FR[dt.month - 1]} {dt.year}"


def _elide(prep: str, word: str) -> str:
    """"de"/"que" + word with French elision (d’Isabelle, qu’Odile, de Paris)."""
    if word[:1].lower() in "aeiouhéèêàâîôû":
        return f"{prep[:-1]}’{word}"
    return f"{prep} {word}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def _summary(lead: str, limit: int = 160) -> str:
    """Meta description / teaser excerpt: the lead cut on a word boundary, as WordPress does."""
    if len(lead) <= limit:
        return lead
    return lead[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _amount(rng: random.Random, section: str) -> str:
    if section in ("international", "economie", "politique") and rng.random() < 0.6:
        units = rng.randint(1, 9)
        return f"{units},{rng.randint(1, 9)} milliard{'s' if units > 1 else ''}"
    if section in ("culture", "sport"):
        return f"{rng.randint(2, 60)} millions"
    return f"{rng.randint(120, 950)} millions"


def _count(rng: random.Random) -> str:
    value = rng.randint(12, 95) * 1000 + rng.randint(1, 9) * 100
    return f"{value // 1000} {value % 1000:03d}"


def _build_article(topic: _Topic, index: int, published: datetime,
                   modified: datetime) -> Article:
    """Assemble one generated article from templates; the rng is per-article and fixed."""
    rng = random.Random(RANDOM_SEED * 1000 + index)
    month = published.month
    expert_name, expert_title = rng.choice(_EXPERTS[topic.section])
    org, org2 = rng.sample(_ORGS[topic.section], 2)
    prev_day = published.date() - timedelta(days=rng.randint(8, 40))
    slots = {
        "subject": topic.subject,
        "actor": f"{topic.role}, {topic.name},",  # subject position: apposition commas
        "Actor": _cap(f"{topic.role}, {topic.name},"),
        "actor_obj": f"{topic.role}, {topic.name}",
        "name": topic.name,
        "Name": topic.name,
        "de_name": _elide("de", topic.name),
        "place": topic.place,
        "de_place": _elide("de", topic.place),
        "de_place_alt": _elide("de", rng.choice(_OTHER_CITIES)),
        "day": DAYS_FR[published.weekday()],
        "Day": _cap(DAYS_FR[published.weekday()]),
        "il": "elle" if topic.fem else "il",
        "e": "e" if topic.fem else "",
        "org": org,
        "Org": _cap(org2),
        "expert": f"{expert_name}, {expert_title}",
        "expert_name": expert_name,
        "pct": str(rng.randint(18, 74)),
        "dec": f"{rng.randint(0, 3)},{rng.randint(1, 9)}",
        "sign": rng.choice(("+", "-")),
        "amount": _amount(rng, topic.section),
        "count": _count(rng),
        "years": rng.choice(("deux", "trois", "cinq", "dix", "quinze")),
        "month_next": MONTHS_FR[month % 12],
        "month_prev": MONTHS_FR[(month - 2) % 12],
        "de_month_next": _elide("de", MONTHS_FR[month % 12]),
        "de_month_prev": _elide("de", MONTHS_FR[(month - 2) % 12]),
        "que_name": _elide("que", topic.name),
        "date_prev": french_date(datetime(prev_day.year, prev_day.month, prev_day.day)),
    }

    n_paragraphs = rng.randint(4, 10)
    pool = list(_BODY_GENERIC) + list(_BODY_BY_SECTION[topic.section])
    if topic.section in ("international", "politique", "economie"):
        pool += _BODY_POLICY
    body = rng.sample(pool, n_paragraphs - 2)
    if n_paragraphs >= 5 and rng.random() < 0.6:
        body[rng.randrange(1, len(body))] = rng.choice(_QUOTE_PARAGRAPHS)
    paragraphs = [rng.choice(_LEADS), *body, rng.choice(_CONCLUSIONS)]
    texts = [_fill(p, slots) for p in paragraphs]

    n_headings = 1 if n_paragraphs < 6 else rng.randint(1, 2)
    headings = [_fill(h, slots) for h in rng.sample(_HEADINGS, n_headings)]
    heading_after = [2] if n_headings == 1 else [2, 2 + (n_paragraphs - 2) // 2]
    quote_after = rng.randint(1, n_paragraphs - 2) if rng.random() < 0.35 else None

    blocks: list[Block] = []
    for i, text in enumerate(texts):
        if i in heading_after:
            blocks.append(Block("h2", headings[heading_after.index(i)]))
        blocks.append(Block("p", text))
        if quote_after == i:
            blocks.append(Block("quote", _fill(rng.choice(_BLOCKQUOTES), slots), topic.name))

    author = _SECTION_AUTHOR[topic.section]
    if rng.random() < 0.25:  # the generalist reporter fills in across sections
        author = "mathieu-lefevre"
    return Article(
        post_id=45000 + 41 * index,
        slug=slugify(topic.title),
        title=topic.title,
        section=topic.section,
        author=author,
        tags=topic.tags,
        published=published,
        modified=modified,
        description=_summary(texts[0]),
        image_alt=topic.image_alt,
        blocks=tuple(blocks),
    )


@cache
def all_articles() -> tuple[Article, ...]:
    """Every published article (seed included), oldest first. Excludes the private draft."""
    rng = random.Random(RANDOM_SEED)
    start = date(2024, 6, 3)
    span = (date(2025, 3, 28) - start).days
    dated: list[tuple[datetime, int, _Topic]] = []
    for index, topic in enumerate(_TOPICS):
        if topic.title in _WHEN:
            year, month = (int(part) for part in _WHEN[topic.title].split("-"))
            day = date(year, month, rng.randint(1, 28))
        else:
            day = start + timedelta(days=rng.randint(0, span))
        published = paris_datetime(day, rng.randint(6, 20), rng.choice(range(0, 60, 5)))
        dated.append((published, index, topic))
    dated.sort(key=lambda item: (item[0], item[1]))

    articles = [SEED_ARTICLE]
    for order, (published, index, topic) in enumerate(dated):
        modified = published
        if order % 7 == 3:  # some posts get updated later, as newsrooms do
            later = published + timedelta(hours=rng.randint(2, 40), minutes=rng.randint(1, 59))
            local = later.replace(tzinfo=None)
            modified = local.replace(tzinfo=paris_tz(local.date()))
        article = _build_article(topic, index, published, modified)
        articles.append(replace(article, post_id=45000 + 41 * order))  # ids grow with time
    articles.sort(key=lambda a: (a.published, a.post_id))
    paths = [a.path for a in articles]
    assert len(set(paths)) == len(paths), "duplicate article paths"
    return tuple(articles)
