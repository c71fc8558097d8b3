"""Who wrote an article: people kept apart from agencies and desks, names only from the byline.

Researchers count and filter by author, so a wrong name is worse than none: a reader's name
from the comments, the author of a teaser in the sidebar or the site crediting itself must
never be taken. The page's credits are read, in order, from

1. its JSON-LD article node (``author``: persons, or organisations that are news agencies),
2. the byline markup of the common CMS templates (WordPress ``.byline``/``rel=author``,
   Drupal ``field--name-uid``/``node__meta``/``field--name-field-author``, Ghost, Arc,
   Brightspot, Medium-like and AMP templates), outside comments and teasers,
3. a short line right under the headline that starts with a byline word ("By", "Par",
   "Von", "Por", "Di"...),
4. the ``author``-like meta tags,

and every credit is split the same way (:func:`split_credit`): several names ("Par A et B",
"Von A und B", "By A, B and C"), agencies ("avec AFP", "dpa", "Reuters", "PTI") and desks
("Redaktion", "Staff") set apart, roles, places, outlets and dates stripped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from pipelines import metadata as md

# news agencies, as credited in bylines (lowercase key -> the name kept)
AGENCIES = {
    name.lower(): name
    for name in (
        "AFP", "AP", "Associated Press", "The Associated Press", "Reuters", "dpa", "epd",
        "KNA", "APA", "SDA", "Keystone-SDA", "ATS", "ANSA", "Adnkronos", "EFE", "Agencia EFE",
        "Europa Press", "PTI", "IANS", "ANI", "Xinhua", "Belga", "ANP", "TASS", "Kyodo",
        "Yonhap", "AAP", "The Canadian Press", "Canadian Press", "UPI", "Bloomberg", "SID",
        "dts", "AFX", "Lusa", "Agência Brasil", "Notimex", "Télam", "ATS-SDA", "CTK", "PAP",
        "Anadolu", "Agence France-Presse", "Deutsche Presse-Agentur", "Evangelischer Pressedienst",
        "Katholische Nachrichten-Agentur",
    )
}
# a credit naming a desk rather than a person ("Redaktion", "Editorial", "HLNF Staff Report")
_DESK = re.compile(
    r"\b(?:redaktion|editorial|editors?|staff|team|desk|newsroom|r[ée]daction|redacci[óo]n|"
    r"redazione|redactie|agenturen|agencies|agences?|wires?|nachrichtenagentur)\b",
    re.IGNORECASE,
)
# words that open a byline, in the languages the archive meets most
_PREFIX = re.compile(
    r"^(?:(?:text|texte|texto|testo|fotos?|photos?)\s*(?:&|und|and|et|y|e)\s*"
    r"(?:text|texte|fotos?|photos?)\s*:\s*|"
    r"(?:written|posted|reported|published|submitted|created|words)\s+by\s+|"
    r"(?:publicado|escrito)\s+por\s+|escribe\s+|"
    r"(?:gespeichert|erstellt|verfasst|geschrieben|ver[öo]ffentlicht|artikel|ein beitrag|"
    r"beitrag|bericht|text)\s+von\s*:?\s+|"
    r"(?:publi[ée]|[ée]crit)\s+par\s+|(?:pubblicato|scritto)\s+da\s+|"
    r"(?:autor(?:in|/in)?|auteure?|author|autore|text|texte|texto|testo|by|von|par|por|di|da|"
    r"door|av|af|przez)\b\s*:?\s*)",
    re.IGNORECASE,
)
# the first letters of _PREFIX's words (the same case rules): most lines are rejected on it
_PREFIX_START = re.compile(r"[abcdefgprstvwé]", re.IGNORECASE)
# where the names of a byline stop: dates, times, "Updated", reading times, separators
_END = re.compile(
    r"\s*(?:[|·•\u2022\u2013\u2014]|\s-\s|\d|\(|@|"
    r"\b(?i:updated|published|posted|vor|il y a|hace|aktualisiert|mis à jour|actualizado|"
    r"aggiornato|mins? read|veröffentlicht|publicado|publié|pubblicato|last updated)\b|"
    # lowercase only: "on Monday", "le 3 mars", "am 4. März" (never "Marie Le Pen")
    r"\s(?:on|le|am|el|il|em|in|at|um|à|a las)\s|"
    # a month name before a number: "Associated Press November 19, 2019", "PTI, Nov 20"
    r"\s(?i:jan|feb|m[äa]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janv|févr|avr|juil|"
    r"sept|déc|ene|abr|ago|dic|gen|giu|lug|set|ott)[^\W\d_]*\.?\s+\d)"
)
_JOIN = re.compile(
    r"\s*,\s*(?:and|und|et|y|e|and)\s+|\s+(?:and|und|et|y|e|en|och|og|i|with|mit|avec|con|com)\s+"
    r"|\s*&\s*|\s*;\s*|\s*,\s*|\s+/\s+",
    re.IGNORECASE,
)
# role words and degrees that follow or precede a name
_ROLE = re.compile(
    r"\b(?:redakteur(?:in)?|journalist(?:e|in)?|reporter(?:in)?|korrespondent(?:in)?|"
    r"correspondent|contributor|columnist|writer|editor|envoy[ée]e? spéciale?|envoyée?|"
    r"rédact(?:eur|rice)|chroniqueuse|chroniqueur|periodista|corresponsal|redattore|"
    r"redattrice|inviat[oa]|national political writer|political editor|staff writer|"
    r"senior|chief|freelance|freie?r? autor(?:in)?|phd|md|ms|rd|mph|mba|dr\.?|prof\.?)\b.*$",
    re.IGNORECASE,
)
# account names that CMSs put where a name should be
_NOT_NAMES = frozenset(
    "admin administrator administrador editor webmaster user root guest anonymous unknown "
    "redakteur autor author gast".split()
)
# organisation suffixes: a company is not a person ("Deutsches Weininstitut GmbH")
_ORGANISATION = re.compile(
    r"\b(?:gmbh|ag|inc|ltd|llc|plc|corp|s\.?a|e\.?\s?v|media|verlag|group|gruppe|network|"
    r"online|news|zeitung|magazin|magazine|press|presse|tv|radio)\b\.?$",
    re.IGNORECASE,
)
_DEGREE = re.compile(r"^(?:phd|md|ms|rd|mph|mba|msc|ma|ba|bsc|dr\.?|prof\.?)$", re.IGNORECASE)
_NAME_PARTICLES = frozenset(
    "von van der den de da di del della des du la le y bin al el ter ten zu dos das".split()
)
_SPACES = re.compile(r"\s+")

# class/id tokens of byline markup (matched against "-"/"_"/space separated tokens too)
_BYLINE_MARKUP = re.compile(
    r"byline|by-line|author|autor|auteur|writer|verfasser|field--name-uid|"
    r"field-name-field-byline|node__meta|submitted|creator|contributor",
    re.IGNORECASE,
)
# ancestors whose names are never this article's byline
# characters of text above which a container is the page's frame rather than a teaser
MAIN_TEXT_CHARS = 3000
_NOT_HERE = re.compile(
    r"comment|respond|reply|teaser|related|recommend|sidebar|widget|(?<!v)card|popular|trending|"
    r"outbrain|taboola|promo|site-?footer|page-?footer|newsletter|more-|read-?also|authorbox|"
    r"author-?bio|about-?the-?author|author-?box|author-?info-?box",
    re.IGNORECASE,
)


@dataclass
class Credits:
    """A page's credits: people and organisations (agencies, desks) apart."""

    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    source: str | None = None

    def __bool__(self) -> bool:
        return bool(self.authors or self.agencies)

    @property
    def display(self) -> str | None:
        """The people ("A; B"), or the agencies when no person is credited."""
        names = self.authors or self.agencies
        return "; ".join(names) if names else None

    def add(self, other: Credits) -> None:
        for name in other.authors:
            if _key(name) not in {_key(n) for n in self.authors}:
                self.authors.append(name)
        for name in other.agencies:
            if _key(name) not in {_key(n) for n in self.agencies}:
                self.agencies.append(name)


def find_credits(
    tree: HtmlElement, decl: md.Declarations, url: str = "", site_name: str | None = None,
    area: BylineArea | None = None,
) -> Credits:
    """The page's credits from the first source that names someone (see the module doc).
    ``area``: the page's :class:`BylineArea` when the caller shares it with the dates."""
    own = _own_names(decl, url, site_name)
    found = jsonld_credits(decl, own)
    if found.authors:
        return found
    area = area or BylineArea(tree)
    for finder, source in ((markup_byline, "byline"), (text_byline, "byline-text")):
        visible = finder(area, own)
        if visible:
            visible.source = source
            if found.agencies and not visible.authors:
                continue  # the declared agency says as much and is cleaner
            visible.add(Credits(agencies=found.agencies))
            return visible
    if found:
        return found
    return meta_credits(decl, own)


# --- sources ------------------------------------------------------------------------------------


def jsonld_credits(decl: md.Declarations, own: set[str]) -> Credits:
    """``author`` of the JSON-LD article node: persons, and organisations that are agencies
    (an organisation that is the site itself is the publisher crediting itself)."""
    node = md.article_node(decl)
    credits = Credits(source="json-ld")
    if not node:
        return credits
    for value in _as_list(node.get("author")):
        value = md.resolve(decl, value)
        name: Any = value.get("name") if isinstance(value, dict) else value
        if isinstance(name, list):
            name = name[0] if name else None
        if not isinstance(name, str) or not name.strip():
            continue
        if any((" " in o or len(o) > 7) and o in _key(name) for o in own):
            continue  # "Noticias de El Salvador - La Prensa Gráfica": the site, not a person
        is_org = isinstance(value, dict) and any(
            t != "Person" for t in md.type_names(value)
        ) and "Person" not in md.type_names(value)
        part = split_credit(name, own)
        if is_org:
            part.agencies += [n for n in part.authors if _agency(n)]
            part.authors = []
        credits.add(part)
    return credits


def meta_credits(decl: md.Declarations, own: set[str]) -> Credits:
    """The author meta tags (a Facebook profile URL or the site's own name is no author)."""
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "byl", "byline"):
        credits = Credits(source=f"meta:{key}")
        for value in decl.meta_all(key):
            credits.add(split_credit(value, own, declared=True))
        if credits:
            return credits
    label, _ = decl.meta("twitter:label1")
    if label and re.match(r"(?:written by|verfasst von|écrit par|escrito por)", label, re.I):
        value, _ = decl.meta("twitter:data1")
        if value:
            credits = split_credit(value, own, declared=True)
            credits.source = "meta:twitter:data1"
            return credits
    return Credits()


def markup_byline(area: BylineArea, own: set[str]) -> Credits:
    """The first byline element of a CMS template, outside comments and teasers.

    A byline element that holds name elements of its own ("By <span class=author>A</span>
    and <span class=author>B</span>, Florida Today, Published ...") is read through them.
    """
    candidates = [
        elem for elem in area.marked(_names_an_author) if _is_byline_markup(elem)
    ]
    is_candidate = set(candidates)
    for elem in candidates:
        if area.outside(elem):
            continue
        text = text_of(elem)
        if not text or len(text) > 160:
            continue
        inner = [d for d in elem.iterdescendants() if d in is_candidate]
        credits = Credits()
        leaves = [child for child in inner if not inner_of_other(child, inner)]
        for child in leaves:
            found = split_credit(text_of(child), own)
            if len(leaves) > 1:  # "Über", "Autorenseite": labels beside the names
                found.authors = [n for n in found.authors if " " in n]
            credits.add(found)
        if not credits:
            credits = split_credit(text, own)
        if credits:
            return credits
    return Credits()


# byline markup: a class holding one of these (case as written: "uthor" finds "author" and
# "Author"), or rel/itemprop/data-testid naming an author
_BYLINE_CLASS = re.compile(
    "yline|uthor|utor|uteur|field--name-uid|node__meta|submitted|writer|creator"
)
_AUTHOR_ATTRIBUTES = {"rel": "author", "itemprop": "author", "data-testid": "authorName"}


def _names_an_author(name: str, value: str) -> bool:
    if name == "class":
        return _BYLINE_CLASS.search(value) is not None
    return _AUTHOR_ATTRIBUTES.get(name) == value


def _is_byline_markup(elem: HtmlElement) -> bool:
    if elem.tag in ("html", "body", "main", "article", "section", "meta", "link", "img"):
        return False
    marker = f"{elem.get('class') or ''} {elem.get('rel') or ''} {elem.get('itemprop') or ''}"
    if not _BYLINE_MARKUP.search(marker) and elem.get("data-testid") != "authorName":
        return False
    return not _NOT_HERE.search(elem.get("class") or "")


def inner_of_other(elem: HtmlElement, others: list[HtmlElement]) -> bool:
    """True when another of ``others`` holds ``elem`` (its text is read through that one)."""
    return any(other is not elem and other in elem.iterancestors() for other in others)


def text_byline(area: BylineArea, own: set[str]) -> Credits:
    """A short line after the headline that opens with a byline word: "Von Vorname Nachname"."""
    for elem in area.lines:
        text = text_of(elem)
        if len(text) > BYLINE_CHARS:
            continue  # a line the dates read, too long for names only
        if _NOT_HERE.search(elem.get("class") or "") or area.outside(elem):
            continue
        if _reads_like_a_sentence(text):
            continue  # "Von PUBLIC VOICE mit osAlliance zur ALLMENDA": a sentence, no byline
        credits = split_credit(text, own)
        if credits:
            return credits
    return Credits()


#: characters of a line that names the authors (the dates read lines up to DATE_LINE_CHARS)
BYLINE_CHARS = 100
DATE_LINE_CHARS = 200


# Read as values: ``//*[contains(@class, 'a') or contains(@class, 'b') ...]`` makes libxml2
# build a string of the attribute for every ``contains`` of every element (4 ms a page for the
# dozen words of bylines and dates); each attribute read once and searched in Python with one
# regex costs a sixth of that, and credits and dates share the pass.
_MARKUP = etree.XPath(
    "(//h1)[1] | //time | //@class | //@itemprop | //@rel | //@data-testid"
)


class BylineArea:
    """What the credits and the dates both read around the headline, worked out once a page:
    the main ``<article>`` and the byline lines after the headline (each costs a walk over
    hundreds of elements)."""

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree
        self._outside: dict[HtmlElement, bool] = {}

    @cached_property
    def main(self) -> HtmlElement | None:
        return main_article(self.tree)

    @cached_property
    def markup(self) -> list[Any]:
        """The first headline, the ``<time>`` elements and the attributes that may mark a
        byline or a date, in document order (an element's attributes right after it)."""
        return _MARKUP(self.tree)

    def marked(
        self, attribute: Callable[[str, str], bool], tags: frozenset[str] = frozenset()
    ) -> list[HtmlElement]:
        """The elements of :attr:`markup` among ``tags`` or with an attribute for which
        ``attribute(name, value)`` holds, in document order and each once."""
        elements: list[HtmlElement] = []
        last = None
        for node in self.markup:
            if isinstance(node, str):  # an attribute value, its element a getparent() away
                if not attribute(node.attrname, node):  # type: ignore[attr-defined]
                    continue
                node = node.getparent()  # type: ignore[attr-defined]
            elif node.tag not in tags:
                continue
            if node is not last:
                elements.append(node)
                last = node
        return elements

    def outside(self, elem: HtmlElement) -> bool:
        """Inside comments, teasers, navigation or another <article> than the main one (the
        classes of <body>, <html> and of the main article itself say nothing of the
        element). The answer of each ancestor on the way is remembered: the elements read
        share most of their ancestors."""
        walked: list[HtmlElement] = []
        answer = False
        for node in elem.iterancestors():
            known = self._outside.get(node)
            if known is not None:
                answer = known
                break
            walked.append(node)
            verdict = _ancestor_verdict(node, self.main)
            if verdict is not None:
                answer = verdict
                break
        for node in walked:  # what the walk from each of them up gives
            self._outside[node] = answer
        return answer

    @cached_property
    def lines(self) -> list[HtmlElement]:
        """:func:`byline_lines` of up to ``DATE_LINE_CHARS`` characters."""
        return list(byline_lines(self.tree, max_chars=DATE_LINE_CHARS))


def byline_lines(tree: HtmlElement, limit: int = 300, max_chars: int = BYLINE_CHARS
                 ) -> Iterator[HtmlElement]:
    """Elements among the ``limit`` after the first headline whose short text (at most
    ``max_chars``) opens with a byline word ("Von …", "By …", "Written by …")."""
    h1 = next(iter(tree.iter("h1")), None)
    if h1 is None:
        return
    seen = 0
    for elem in _after(tree, h1):
        seen += 1
        if seen > limit:
            return
        if elem.tag not in _LINE_TAGS or not _opens_with_byline_word(elem):
            continue
        text = text_of(elem)
        if text and len(text) <= max_chars:
            yield elem


_LINE_TAGS = frozenset({"p", "span", "div", "address", "li", "strong", "em", "small"})


def _after(tree: HtmlElement, h1: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after ``h1`` in document order (its descendants excluded)."""
    node: HtmlElement | None = h1
    while node is not None:
        for sibling in node.itersiblings():
            yield from sibling.iter(etree.Element)  # elements only: no comments
        node = node.getparent()


def _opens_with_byline_word(elem: HtmlElement) -> bool:
    """The first words of the element open with a byline word (read without joining all its
    text: most elements are rejected on their first characters)."""
    head = elem.text or ""  # the first piece of itertext(), often long enough by itself
    if len(head.strip()) < 24:
        head = ""
        for piece in elem.itertext():
            head += piece
            if len(head.strip()) >= 24:
                break
    head = head.lstrip()
    return bool(_PREFIX_START.match(head) and _PREFIX.match(_clean(head)))


def _reads_like_a_sentence(text: str) -> bool:
    """Lowercase words among the names (before any comma) that are no joining word."""
    words = _END.split(" " + _PREFIX.sub("", text), maxsplit=1)[0].split(",")[0].split()
    joins = {"and", "und", "et", "y", "e", "en", "i", "with", "mit", "avec", "con", "com"}
    return any(w[0].islower() and w.lower() not in joins | _NAME_PARTICLES for w in words)


# --- one credit line ----------------------------------------------------------------------------


def split_credit(text: str, own: Iterable[str] = (), declared: bool = False) -> Credits:
    """ "By A, B and C · 5 min read" -> people [A, B, C]; "Par A avec AFP" -> [A] + [AFP]."""
    own_keys = {k for k in (_key(o) for o in own) if k}
    text = _clean(unicodedata.normalize("NFC", text)).lstrip("|·•-–—:,; ")
    text = re.sub(r"^(?:(?:by|par|von|por|di)\s+)?", "", _PREFIX.sub("", text), flags=re.I)
    # "Disko Von Ernst Lohoff", "Opinion By Jane Doe": a kicker before the byline word
    text = re.sub(r"^[^\W\d_]+(?:\s[^\W\d_]+)?\s+(?:by|von|par|por)\s+(?=[^\W\d_])", "",
                  text, flags=re.I)
    # "(AFP)", "(dpa)": an agency credit in brackets
    credits = Credits()
    for bracketed in re.findall(r"\(([^)]{2,40})\)", text):
        if _agency(bracketed):
            credits.agencies.append(_agency(bracketed) or bracketed)
    text = re.sub(r"\([^)]*\)", " ", text)
    text = _END.split(" " + text, maxsplit=1)[0].strip()
    parts = [p.strip(" .,;:|-") for p in _JOIN.split(text)]
    parts = [p for p in parts if p]
    for index, part in enumerate(parts):
        part = _PREFIX.sub("", part).strip(" .,;:|-")
        agency = _agency(part) or _agency_prefix(part)
        if agency:
            credits.agencies.append(agency)
            continue
        if _is_own(part, own_keys, declared) or _is_domain(part) or _ORGANISATION.search(part):
            continue  # the site crediting itself, an outlet or a company
        if _DESK.search(part):
            if len(part.split()) <= 4 and not any(c.isdigit() for c in part):
                credits.agencies.append(part)
            continue
        name = _person(part)
        if not name:
            continue
        if index > 0 and name.isupper() and len(name) <= 5:
            credits.agencies.append(name)  # "Sandee LaMotte, CNN": an outlet's acronym
            continue
        # "Markus Balser, Berlin", "PTI, Washington": a lone word after the first credit is
        # a place (a dateline), not a co-author
        if index > 0 and len(name.split()) == 1:
            continue
        credits.authors.append(name)
    credits.authors = list(dict.fromkeys(credits.authors))
    credits.agencies = list(dict.fromkeys(credits.agencies))
    return credits


def _person(part: str) -> str | None:
    """A plausible person's name, tidied ("STEVE PEOPLES" -> "Steve Peoples"), or None."""
    part = _ROLE.sub("", part).strip(" .,;:|-")
    words = [w for w in part.split() if not _DEGREE.match(w.strip(".,"))]
    if not words or len(words) > 5:
        return None
    if any(ch.isdigit() for ch in part) or "@" in part or "://" in part or "/" in part:
        return None
    if not all(re.match(r"^[^\W\d_][\w'’.\-]*$", w) for w in words):
        return None
    name = " ".join(words)
    if len(name) < 2 or len(name) > 60 or name.lower() in _NOT_NAMES:
        return None
    if words[-1].lower() in ("von", "by", "par", "por", "di", "da", "de"):
        return None
    capitals = [w for w in words if w.lower() not in _NAME_PARTICLES]
    if len(words) > 1 and not all(w[0].isupper() for w in capitals):
        return None
    if name.isupper() and len(words) > 1:
        name = " ".join(w.capitalize() if len(w) > 2 else w for w in words)
    return name


def _is_own(text: str, own_keys: set[str], declared: bool = False) -> bool:
    """The site's own name, its host, its initials ("Deutsche Welle" on dw.com) or, for a
    declared credit (a meta tag), a part of its host ("gto" on gto-normativy.ru; a visible
    "Posted by Vortex" on vortexcannon.org is a person's handle)."""
    key = _key(text)
    if not key:
        return False
    initials = "".join(w[0] for w in key.split())
    for own in own_keys:
        if key == own or (declared and " " not in key and len(key) > 2
                          and key in own.replace(" ", "")):
            return True
        if len(initials) > 1 and own.split() and initials == own.split()[0]:
            return True
    return False


def _agency(text: str) -> str | None:
    return AGENCIES.get(_clean(text).strip(" .,").lower())


def _agency_prefix(text: str) -> str | None:
    """ "AP National Political Writer" -> "AP"; "dpa/lno" -> "dpa"."""
    first = re.split(r"[\s/]+", text.strip(), maxsplit=1)
    if len(first) == 2 and _agency(first[0]) and (_ROLE.search(first[1]) or "/" in text):
        return _agency(first[0])
    return None


def _is_domain(text: str) -> bool:
    return bool(re.search(r"\w\.(?:com|de|fr|org|net|at|ch|co\.uk|es|it|cl|uk|io)\b", text, re.I))


def _own_names(decl: md.Declarations, url: str, site_name: str | None) -> set[str]:
    """Names under which the site credits itself (og:site_name, publisher, host)."""
    names = {n for n in (site_name, md.jsonld_publisher(decl), md.jsonld_website_name(decl),
                         decl.meta("og:site_name")[0], decl.meta("application-name")[0]) if n}
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        names |= {host, host.split(".")[0]}
    return {k for k in (_key(n) for n in names) if k}


def main_article(tree: HtmlElement) -> HtmlElement | None:
    articles = list(tree.iter("article"))
    return max(articles, key=lambda a: len(a.text_content())) if len(articles) > 1 else None


def _ancestor_verdict(node: HtmlElement, main: HtmlElement | None) -> bool | None:
    """What an ancestor says of an element under it (:meth:`BylineArea.outside`): True
    (outside), False (inside: the walk stops at it) or None (ask its parent)."""
    if node.tag in ("body", "html") or node is main:
        return False
    if node.tag in ("nav", "aside", "form"):
        return True
    if node.tag == "footer" and not any(a.tag == "article" for a in node.iterancestors()):
        return True
    if node.tag == "article" and main is not None:
        return True
    marker = f"{node.get('class') or ''} {node.get('id') or ''}"
    if marker.strip() and _NOT_HERE.search(marker) and not _holds_the_page(node):
        return True
    return None


def _holds_the_page(node: HtmlElement) -> bool:
    """A container that holds the headline or most of the page ("widget Blog" on Blogger) is
    the page's frame, whatever its class says."""
    if node.find(".//h1") is not None or len(node.text_content()) > MAIN_TEXT_CHARS:
        return True
    return bool(node.xpath(
        ".//*[@itemprop='articleBody' or contains(@class,'hentry')"
        " or contains(@class,'entry-content') or contains(@class,'post-body')"
        " or contains(@class,'article-body')]"
    ))


def text_of(elem: HtmlElement) -> str:
    """The element's text with its parts spaced ("JILL LAWLESS</span>Associated Press")."""
    return _clean(" ".join(elem.itertext()))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _key(name: str) -> str:
    """A name for comparisons: accents, case, punctuation and single initials ignored."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(w for w in letters.split() if len(w) > 1)


name_key = _key
