"""What the extraction of one page yields, and the site knowledge applied to it afterwards.

No trafilatura here: the crawler process receives extractions from its worker processes and
applies what it has learnt of a site's boilerplate to them (:func:`apply_site_knowledge`),
without loading the extractor itself (:mod:`pipelines.extract` runs in the workers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.boilerplate import SiteBoilerplate


@dataclass
class Extraction:
    """The result of extracting one page; is_article=False results still carry what was found."""

    is_article: bool
    reason: str
    canonical: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    text: str = ""
    word_count: int = 0
    sources: dict[str, str] = field(default_factory=dict)
    # the text's lines before the site's learnt boilerplate was removed: what
    # SiteBoilerplate.observe() learns from
    blocks: list[str] = field(default_factory=list, repr=False)
    # the lines removed as the site's boilerplate
    site_boilerplate: list[str] = field(default_factory=list, repr=False)
    # why trafilatura's bare_extraction ran instead of the project's cascade (the installed
    # trafilatura failed the cascade's guard: pipelines.cascade.FALLBACK); None normally
    cascade_fallback: str | None = None


def apply_site_knowledge(ex: Extraction, site: SiteBoilerplate) -> Extraction:
    """Remove the site's recognised blocks from an extraction's text (in place, returned).

    ``extract_article(html, url, site)`` calls it; a caller that extracts in worker processes
    can extract without ``site`` and call it in the process that holds the site knowledge
    (the lines it works on are ``ex.blocks``, the text before any site cleaning).
    """
    kept, ex.site_boilerplate = site.split("\n".join(ex.blocks))
    if ex.site_boilerplate:
        ex.text = "\n".join(kept)
        ex.word_count = len(ex.text.split())
        ex.sources["text"] = "trafilatura, site boilerplate removed"
    return ex
