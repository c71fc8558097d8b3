"""Boilerplate: what a page carries that is not the article.

Two kinds, both independent of any particular site:

- Page-level furniture, recognised on one page alone: elements the page hides from readers,
  and short blocks whose wording is that of site furniture in any news site ("Lire aussi : …",
  "Abonnez-vous à notre newsletter", "© 2025 …", "Anzeige", "Aktualisiert am …", a date on its
  own line).
  Every rule is a generic pattern of a kind of furniture, in several languages; none names a
  site. Only short blocks are tested, so an article paragraph that mentions a newsletter stays.
- Site-level blocks, learnt from many pages of one site (:class:`SiteBoilerplate`): a block that
  recurs on many distinct pages of a site (a donation box, a legal line, a "read more" teaser
  placed inside the article element) is that site's boilerplate, wherever it sits. The
  knowledge is kept in the archive (``boilerplate_blocks``) and earlier rows of the site are
  re-cleaned once a block is recognised (:func:`reclean`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml.etree import XPath, _Element
from sqlite_utils import Database

from core.items import Article, utc_now
from pipelines import store
from pipelines.keys import article_hash

# --- page-level furniture -------------------------------------------------------------------

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# the elements with a style or a hidden attribute, in document order: reached through the
# attributes, this walks the page at half the cost of testing every element
_STYLED_OR_HIDDEN = XPath("//@style/..|//@hidden/..")

_MONTHS = (
    r"jan(?:uary|vier|uar)?|feb(?:ruary|ruar)?|f[ée]vrier|m[äa]r(?:ch|z|s)|apr(?:il)?|avril|"
    r"ma[iy]|juin|june?|juni|jul(?:y|i)?|juillet|aug(?:ust)?|ao[uû]t|sep(?:t(?:ember)?)?|"
    r"septembre|o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|de[cz](?:ember)?|d[ée]cembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)

#: kind -> (largest block in words the rule applies to, pattern). The kinds are those of news
#: site furniture; each pattern lists the usual wordings in English, French, German, Spanish,
#: Italian, Portuguese and Polish.
FURNITURE: dict[str, tuple[int, re.Pattern[str]]] = {
    # teasers of other articles: "Read more: …", "Lire aussi", "Mehr zum Thema", "Lea también"
    "cross-reference": (
        25,
        re.compile(
            r"^\W*(?:(?:also )?read (?:more|also|next)|see (?:also|more)|watch (?:more|also)|"
            r"related(?: articles?| stories| posts| news| content| coverage)?\b|"
            r"more(?: on this)?:|don'?t miss|you (?:may|might) (?:also )?like|recommended|"
            r"most (?:read|popular)|trending|"
            r"(?:à )?lire (?:aussi|également|la suite)|voir aussi|sur le même sujet|à découvrir|"
            r"en savoir plus|"
            r"lesen sie (?:auch|mehr|hier)|mehr zum thema|mehr themen|auch interessant|"
            r"weitere (?:artikel|beiträge|themen|informationen|nachrichten|infos|news|meldungen)|"
            r"top[- ]themen|zum weiterlesen|das könnte sie (?:auch )?interessieren|"
            r"le(?:a|e|er) (?:también|más|además)|lea:|(?:le|te) puede interesar|"
            r"vea (?:también|más)|mira:|noticias relacionadas|relacionad[oa]s?:|"
            r"leggi anche|leia (?:também|mais)|veja também|czytaj (?:też|także|więcej)|"
            r"zobacz (?:też|także)|więcej)",
            re.IGNORECASE,
        ),
    ),
    # newsletters, subscriptions, apps, social accounts, share buttons
    "subscription or social": (
        30,
        re.compile(
            r"newsletter|\bsubscri(?:be|ption)|\bsign(?:ing)? up\b|s'abonner|abonnez|inscrivez|"
            r"abonnieren|jetzt anmelden|suscr[ií]b|download (?:our|the) .*app|"
            r"\bapps? for (?:ios|android)|follow (?:us|him|her|me|them|the\b.*\bon)|"
            r"suivez[- ]nous|folg(?:en sie|t) uns|s[ií]guenos|telegram|whatsapp|únete|join our|"
            r"^\W*(?:share (?:this|on|via)|teilen mit|partager|compartir)|click here|"
            r"cliquez ici|klicken sie hier|haga clic",
            re.IGNORECASE,
        ),
    ),
    # advertising labels and disclosures, membership appeals: "Anzeige", "*Werbung", "This
    # post contains affiliate links", "We may earn a commission", "Hazte miembro". A label is
    # the word alone (or before a colon, a full stop), not a sentence that starts with it.
    "advertising or membership": (
        40,
        re.compile(
            r"^\W*(?:werbung|anzeige|advertisement|sponsored|publicité|publicidad|pubblicità)"
            r"\s*(?:$|[:.)\]|/-])|"
            r"affiliate[- ]?(?:links?|partner)|provisionslinks?|enthält werbung|"
            r"(?:may|might) (?:earn|receive) (?:a )?(?:small )?(?:commission|compensation)|"
            r"advertisers do not influence|"
            r"(?:hazte|hágase) (?:miembro|socio)|werden sie mitglied|"
            r"become a (?:member|subscriber)|devenez (?:membre|abonné)",
            re.IGNORECASE,
        ),
    ),
    # copyright and legal lines, picture credits
    "legal or credit": (
        20,
        re.compile(
            r"©|\bcopyright\b|all rights reserved|tous droits réservés|alle rechte vorbehalten|"
            r"derechos reservados|"
            r"^\W*(?:photo|foto|bild|image|crédits? photos?|credits?|quelle|fuente|source)\s*"
            r"(?:credit)?\s*:|image credit|getty images|ohne gewähr|sofern nicht anders|"
            r"datenschutz|privacy policy|terms of (?:use|service)|nutzungsbedingungen|cookies?\b",
            re.IGNORECASE,
        ),
    ),
    # comment counters and comment-form prompts
    "comments": (
        15,
        re.compile(
            r"^\W*(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?)\W*$|"
            r"no comments|keine kommentare|leave a (?:comment|reply)|view comments|"
            r"be the first to comment|log ?in to (?:comment|reply)|nicht eingeloggt|"
            r"kommentar schreiben|laisser un commentaire|deja un comentario|letter to the editor",
            re.IGNORECASE,
        ),
    ),
    # publication metadata printed as a line: "Updated: …", "Kategorie: …", "Tags: …"
    "metadata line": (
        10,
        re.compile(
            r"^\W*(?:last (?:modified|updated)|updated(?: on| at)?|aktualisiert(?: am)?|"
            r"letzte änderung|ver[öo]ffentlich(?:t|ung)(?: am)?|release date|published(?: on)?|"
            r"publié le|mis à jour|kategorie|category|categories|tags|schlagw[öo]rter|temas|"
            r"themen|stichw[öo]rter)\b\s*:?",
            re.IGNORECASE,
        ),
    ),
    # a date or a time alone on its line
    "date line": (
        8,
        re.compile(
            rf"^\W*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s*)?"
            rf"(?:\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}|\d{{1,2}}\.?\s+(?:{_MONTHS})\.?,?\s*\d{{0,4}}"
            rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{0,4}})"
            rf"(?:,?\s*(?:um|at|à|a las)?\s*\d{{1,2}}[:h.]\d{{2}}(?:\s*(?:uhr|am|pm|h))?)?\W*$"
            rf"|^\W*\d{{1,2}}[:h]\d{{2}}\s*(?:uhr|am|pm|h)?\W*$",
            re.IGNORECASE,
        ),
    ),
}


def furniture_kind(text: str) -> str | None:
    """The kind of site furniture a block of text is, or None for article text."""
    words = len(text.split())
    if not words:
        return None
    for kind, (max_words, pattern) in FURNITURE.items():
        if words <= max_words and pattern.search(text):
            return kind
    return None


def drop_hidden(tree: _Element) -> int:
    """Remove the elements a page hides from its readers (inline ``display:none``,
    ``visibility:hidden``, the ``hidden`` attribute): schema.org copies of the metadata,
    collapsed menus, templates. A reader never sees them, so they are not the article.

    Text following a removed element (its tail) is kept. Returns how many were removed.
    """
    removed = 0
    for elem in _STYLED_OR_HIDDEN(tree):
        if elem.tag in ("html", "body"):
            continue
        if elem.get("hidden") is None and not _HIDDEN_STYLE.search(elem.get("style") or ""):
            continue
        parent = elem.getparent()
        if parent is None:
            continue
        _remove_keep_tail(elem)
        removed += 1
    return removed


def _remove_keep_tail(elem: _Element) -> None:
    parent = elem.getparent()
    if parent is None:
        return
    if elem.tail and elem.tail.strip():
        previous = elem.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + elem.tail
        else:
            parent.text = (parent.text or "") + elem.tail
    parent.remove(elem)


# --- site-level learning ---------------------------------------------------------------------

TABLE = store.BOILERPLATE_BLOCKS
_NON_WORD = re.compile(r"[\W_]+")


def normalise_block(text: str) -> str:
    """The form under which two copies of a block compare equal: case, accents' composition,
    spacing and punctuation do not matter. Numbers do: two sentences that differ only by a
    number ("story 12", "story 13", a score, a toll) are different text, not furniture."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=8192)
def block_hash(text: str) -> str:
    """A short, stable key for a normalised block.

    Cached: in a crawl each line of an article is hashed to learn from it, to remove the
    site's known blocks and again when it is stored, and a site's furniture recurs on every
    page; normalising is most of the cost of learning."""
    return hashlib.sha1(normalise_block(text).encode("utf-8")).hexdigest()[:16]


#: Candidate blocks counted per site before the ones seen only once are forgotten.
MAX_CANDIDATES = 200_000
#: Archived articles of a site re-read (newest first) to resume learning at a crawl's start.
RELOAD_ARTICLES = 1000


@dataclass
class SiteBoilerplate:
    """What one site repeats on many of its pages, learnt from its extracted articles.

    Feed it each article of the site with :meth:`observe` (the article's lines before this
    knowledge removed any); a block becomes boilerplate once it has been seen on at least
    ``min_pages`` distinct pages and on at least ``min_share`` of the site's pages seen so
    far. A block seen on one page only is never boilerplate, and :meth:`clean` keeps an
    article whole when the learnt blocks would take ``max_removed_share`` of its words or more
    (a syndicated or duplicated article shares every paragraph with its copies; its text is
    not boilerplate). Once a block is recognised it stays so.
    """

    site: str
    min_pages: int = 5
    min_share: float = 0.1
    max_removed_share: float = 0.5
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict, repr=False)
    texts: dict[str, str] = field(default_factory=dict, repr=False)
    first_seen: dict[str, str] = field(default_factory=dict, repr=False)
    blocks: set[str] = field(default_factory=set)  # hashes of the recognised boilerplate
    _seen_pages: set[str] = field(default_factory=set, repr=False)

    def observe(self, url: str, lines: Iterable[str]) -> set[str]:
        """Count the distinct blocks of one page; return the hashes that this page made
        boilerplate (callers re-clean the site's earlier rows when it is not empty).

        A page is counted once, however often it is observed (re-crawls, AMP copies)."""
        page_key = hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
        if page_key in self._seen_pages:
            return set()
        self._seen_pages.add(page_key)
        self.pages += 1
        if len(self.counts) > MAX_CANDIDATES:
            self._forget_singletons()
        now = utc_now()
        hashes: dict[str, str] = {}
        for line in lines:
            if line.strip():
                hashes.setdefault(block_hash(line), line.strip())
        for key, text in hashes.items():
            count = self.counts.get(key, 0) + 1
            self.counts[key] = count
            if count == 2:  # keep the text of candidates only, not of every paragraph
                self.texts[key] = text
                self.first_seen[key] = now
        # only this page's blocks gained a page; a growing site only makes the share harder
        newly = {
            key for key in hashes if key not in self.blocks and self._qualifies(self.counts[key])
        }
        self.blocks |= newly
        return newly

    def _forget_singletons(self) -> None:
        """Bound memory on long crawls: forget the blocks seen on fewest pages (first those
        seen once: nearly all of them are an article's own paragraphs) until half the room
        is free. A block repeated site-wide comes back at once and soon qualifies again."""
        floor = 1
        while len(self.counts) > MAX_CANDIDATES // 2:
            self.counts = {k: v for k, v in self.counts.items() if v > floor or k in self.blocks}
            floor += 1
        self.texts = {k: v for k, v in self.texts.items() if k in self.counts}
        self.first_seen = {k: v for k, v in self.first_seen.items() if k in self.counts}

    def _qualifies(self, count: int) -> bool:
        return count >= self.min_pages and count >= self.min_share * self.pages

    def is_boilerplate(self, line: str) -> bool:
        return bool(self.blocks) and block_hash(line) in self.blocks

    def split(self, text: str) -> tuple[list[str], list[str]]:
        """(kept lines, removed lines) of a text, one block per line."""
        lines = [line for line in text.split("\n") if line.strip()]
        if not self.blocks:
            return lines, []
        known = [self.is_boilerplate(line) for line in lines]
        kept = [line for line, boilerplate in zip(lines, known, strict=True) if not boilerplate]
        removed = [line for line, boilerplate in zip(lines, known, strict=True) if boilerplate]
        total = sum(len(line.split()) for line in lines)
        if removed and total and sum(len(r.split()) for r in removed) >= (
            self.max_removed_share * total
        ):
            return lines, []  # the article itself repeats: not boilerplate to cut
        return kept, removed

    def clean(self, text: str) -> str:
        """The text without the site's boilerplate blocks."""
        return "\n".join(self.split(text)[0])


# --- persistence in the archive (through pipelines.store, which owns the schema) --------------


def save_blocks(db: Database, knowledge: SiteBoilerplate) -> int:
    """Write the site's recognised blocks (text, pages seen on, first seen); returns how many."""
    rows = [
        {
            "site": knowledge.site,
            "hash": key,
            "text": knowledge.texts.get(key, ""),
            "pages": knowledge.counts.get(key, 0),
            "first_seen": knowledge.first_seen.get(key) or utc_now(),
        }
        for key in sorted(knowledge.blocks)
    ]
    store.save_site_blocks(db, rows)
    return len(rows)


def load_site(db: Database, site: str, **options: Any) -> SiteBoilerplate:
    """The knowledge of one site from the archive: its recognised blocks from
    ``boilerplate_blocks``, and its candidate blocks re-counted from the site's archived
    articles (so that a new crawl goes on learning where the last one stopped, and an article
    archived before is not counted twice)."""
    knowledge = SiteBoilerplate(site, **options)
    for row in store.site_blocks(db, site):
        knowledge.blocks.add(row["hash"])
        knowledge.texts[row["hash"]] = row["text"]
        knowledge.first_seen[row["hash"]] = row["first_seen"]
        knowledge.counts[row["hash"]] = row["pages"]
    for url, text in store.recent_site_texts(db, site, RELOAD_ARTICLES):
        knowledge.observe(url, [line for line in (text or "").split("\n") if line.strip()])
    for key in knowledge.blocks:  # the rows were cleaned: their blocks are not in them
        knowledge.counts[key] = max(knowledge.counts.get(key, 0), knowledge.min_pages)
    return knowledge


def clean_article(article: Article, knowledge: SiteBoilerplate) -> Article:
    """The article without the site's recognised blocks (text, word count and hash in step).

    For articles extracted before a block was learnt that reach the archive after its rows
    were re-cleaned (extraction and storing run concurrently).
    """
    kept, removed = knowledge.split(article.text)
    if not removed:
        return article
    text = "\n".join(kept)
    return dataclasses.replace(
        article,
        text=text,
        word_count=len(text.split()),
        content_hash=article_hash(article, text=text),
    )


def reclean(db: Database, site: str, knowledge: SiteBoilerplate) -> int:
    """Remove the site's recognised blocks from its archived articles and their versions,
    in one transaction.

    ``text``, ``word_count`` and ``content_hash`` are rewritten together, so that the next
    crawl of an unchanged article (extracted with the same knowledge) finds the same hash,
    and its history is compared like for like (a block learnt later is no new version).
    Returns the number of article rows changed.
    """
    if not knowledge.blocks:
        return 0

    def without_blocks(text: str) -> str | None:
        kept, removed = knowledge.split(text)
        return "\n".join(kept) if removed else None

    return store.rewrite_site_texts(db, site, without_blocks)
