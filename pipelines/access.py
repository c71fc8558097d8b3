"""Whether an archived text is the whole article: ``free``, ``paywalled`` or ``partial``.

A researcher who counts words or quotes an article must know when the archive holds only
the part before a paywall. Two kinds of evidence, one meaning each:

- ``paywalled``: the page declares that the article is for subscribers (schema.org
  ``isAccessibleForFree: false``, a ``hasPart`` with a ``cssSelector`` that is not free, or
  an ``article:content_tier`` of ``locked``/``metered``), whatever text was served;
- ``partial``: the archived text stops where the page goes on with a subscription prompt
  ("Subscribe to continue reading", "Lesen Sie jetzt weiter", "Réservé aux abonnés"...): what
  the archive holds is the teaser of a longer article, declared or not;
- ``free``: neither.
"""

from __future__ import annotations

import re
from typing import Any

from pipelines import metadata as md

FREE, PAYWALLED, PARTIAL = "free", "paywalled", "partial"
# characters of page text after the end of the archived text where a prompt is looked for
PROMPT_WINDOW = 1500

# phrases that only a paywall or a subscriber gate says (never a newsletter box)
SUBSCRIPTION_PROMPT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|to continue reading,? (?:please )?"
    r"(?:subscribe|log ?in|sign in)|already a subscriber\?|"
    r"this (?:article|content|story) is (?:only )?(?:available |reserved )?(?:exclusively )?"
    r"(?:for|to) (?:subscribers|members)|subscriber[- ]only|for subscribers only|"
    r"(?:sie sind )?bereits (?:digital-)?abonnent|exklusiv für (?:abonnenten|abonnent\*innen)|"
    r"lesen sie (?:jetzt )?(?:weiter|mit)|weiterlesen mit|jetzt (?:weiter)?lesen mit|"
    r"dieser (?:artikel|beitrag|inhalt) ist (?:nur )?(?:für|exklusiv)|mit (?:\w+\+|plus) lesen|"
    r"réservé aux abonnés|pour lire la suite|la suite (?:de cet article )?est réservée|"
    r"déjà abonné|abonnez-vous pour lire|"
    r"(?:contenido|artículo) (?:exclusivo )?para suscriptores|ya (?:eres|soy) suscriptor|"
    r"suscríbete para (?:seguir|continuar) leyendo|"
    r"contenuto riservato agli abbonati|sei già abbonato|abbonati per continuare",
    re.IGNORECASE,
)
_LOCKED_TIERS = ("locked", "metered", "premium", "paid")


def declared_access(decl: md.Declarations) -> tuple[str | None, str | None]:
    """``(PAYWALLED, source)`` when the page declares its article not free, else (None, None)."""
    node = md.article_node(decl)
    if node is not None:
        if _is_false(node.get("isAccessibleForFree")):
            return PAYWALLED, "json-ld:isAccessibleForFree"
        parts = node.get("hasPart") or []
        for part in parts if isinstance(parts, list) else [parts]:
            part = md.resolve(decl, part)
            if isinstance(part, dict) and _is_false(part.get("isAccessibleForFree")):
                return PAYWALLED, "json-ld:hasPart"
    tier, key = decl.meta("article:content_tier")
    if tier and tier.strip().lower() in _LOCKED_TIERS:
        return PAYWALLED, f"meta:{key}"
    return None, None


def stops_at_prompt(text: str, page_text: str) -> bool:
    """True when the page goes on, right after the archived text, with a subscription prompt."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines or not page_text:
        return False
    tail = " ".join(lines[-1].split())[-60:]
    page = " ".join(page_text.split())
    end = page.rfind(tail) if tail else -1
    if end < 0:
        return False
    return bool(SUBSCRIPTION_PROMPT.search(page, end + len(tail), end + len(tail) + PROMPT_WINDOW))


def article_access(
    decl: md.Declarations, text: str, page_text: str
) -> tuple[str, str | None]:
    """``(access, source)`` of an extracted article (see the module doc)."""
    if stops_at_prompt(text, page_text):
        return PARTIAL, "subscription prompt after the text"
    declared, source = declared_access(decl)
    return (declared, source) if declared else (FREE, None)


def _is_false(value: Any) -> bool:
    if isinstance(value, list):
        value = value[0] if value else None
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")
