"""Writes the labelled non-article pages of this folder (HTML files and ``pages.json``).

Pages a news crawler fetches and must not archive, in the structures real sites give them:
section fronts and topic hubs (headline links over teasers), tag, author and staff pages,
search results, about/contact/legal pages, forum indexes and topic lists, shop product pages,
a home page, date archives, video hubs, newsletter and event listings. Several site
"themes" (WordPress with Yoast, a custom newspaper CMS, a German regional paper, a French
paper, phpBB, Discourse, a shop), some declaring what the page is (JSON-LD, og:type) and
many declaring nothing, and at URLs that often say nothing either: the text's shape alone
must then tell. ``pages.json`` maps each file to its path on the test server and its kind.

    .venv/bin/python tests/data/nonarticles/generate.py     # rewrites the files
"""

from __future__ import annotations

import json
import random
import sys
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.faultsite import prose  # noqa: E402

HEADLINES = {
    "en": [
        "Council approves budget after a night of heated debate",
        "Rail strike to go ahead on Monday, union says",
        "Flood defences delayed again as costs rise",
        "New tram line opens to long queues and a few complaints",
        "Hospital waiting lists fall for the first time in three years",
        "School meals: what the new rules mean for parents",
        "Police appeal for witnesses after harbour fire",
        "Local brewery wins national award for its winter stout",
        "Cycle lanes divide shopkeepers on the high street",
        "Wind farm plan returns with fewer turbines",
        "Mayor promises answers over bridge repairs",
        "Library reopens after two-year renovation",
        "Bus fares frozen until the end of next year",
        "Former factory site to become 300 homes",
        "Heatwave warning issued for the weekend",
        "Opinion: our town centre needs more than new benches",
    ],
    "de": [
        "Stadtrat beschließt Haushalt nach langer Debatte",
        "Bahnstreik: Was Pendler am Montag wissen müssen",
        "Hochwasserschutz verzögert sich erneut",
        "Neue Straßenbahnlinie startet mit langen Schlangen",
        "Wartezeiten im Klinikum sinken erstmals seit Jahren",
        "Schulessen: Was die neuen Regeln für Eltern bedeuten",
        "Polizei sucht Zeugen nach Brand am Hafen",
        "Brauerei aus der Region gewinnt Bundespreis",
        "Radwege spalten die Händler in der Innenstadt",
        "Windpark-Pläne kehren mit weniger Anlagen zurück",
        "Bürgermeister verspricht Antworten zur Brückensanierung",
        "Stadtbibliothek öffnet nach zwei Jahren Umbau",
    ],
    "fr": [
        "Le conseil municipal adopte le budget après un long débat",
        "Grève à la SNCF : ce qui vous attend lundi",
        "La digue prend encore du retard",
        "La nouvelle ligne de tramway ouvre sous les critiques",
        "Les délais d’attente aux urgences reculent enfin",
        "Cantine : ce que changent les nouvelles règles",
        "Incendie sur le port : la police lance un appel à témoins",
        "Une brasserie locale primée au concours national",
        "Les pistes cyclables divisent les commerçants",
        "Le projet de parc éolien revient avec moins d’éoliennes",
    ],
}

SLUG_CHARS = str.maketrans({c: "-" for c in " :’',?."})


def slug(text: str) -> str:
    return "-".join(filter(None, text.lower().translate(SLUG_CHARS).split("-")))[:60]


def teasers(lang: str, seed: str, count: int, *, style: str = "card",
            summary_words: int = 28, full: bool = True) -> str:
    """A list of article cards as news CMSs print them."""
    rng = random.Random(seed)
    heads = HEADLINES[lang][:]
    rng.shuffle(heads)
    out = []
    for i in range(count):
        head = heads[i % len(heads)]
        url = f"/{2025 - i // 8}/{(i % 12) + 1:02d}/{(i * 7) % 28 + 1:02d}/{slug(head)}/"
        words = prose(f"{seed}{i}", lang=lang, words=summary_words)[0].split()
        if full:  # whole sentences, as most fronts print a standfirst
            summary = ""
            for sentence in " ".join(words).replace(". ", ".|").split("|"):
                if summary and len((summary + sentence).split()) > summary_words + 10:
                    break
                summary = f"{summary} {sentence}".strip()
        else:  # cut by the CMS, as others do
            summary = " ".join(words[:summary_words + rng.randint(-6, 8)]) + " …"
        date = f"2025-{(i % 12) + 1:02d}-{(i * 7) % 28 + 1:02d}"
        if style == "card":
            out.append(
                f'<article class="card"><a href="{url}"><img src="/img/{i}.jpg" alt=""></a>'
                f'<h3 class="card__title"><a href="{url}">{escape(head)}</a></h3>'
                f'<p class="card__summary">{escape(summary)}</p>'
                f'<time datetime="{date}">{date}</time></article>')
        elif style == "wp":
            out.append(
                f'<article class="post type-post status-publish format-standard hentry">'
                f'<header class="entry-header"><h2 class="entry-title"><a href="{url}" '
                f'rel="bookmark">{escape(head)}</a></h2><div class="entry-meta"><span '
                f'class="posted-on"><time class="entry-date published" datetime="{date}">'
                f'{date}</time></span></div></header><div class="entry-summary"><p>'
                f'{escape(summary)} […]</p></div><a class="more-link" href="{url}">Read more'
                '</a></article>')
        elif style == "plain":
            out.append(f'<li><a href="{url}">{escape(head)}</a> <span class="date">{date}'
                       '</span></li>')
        elif style == "search":
            out.append(
                f'<div class="search-result"><h3><a href="{url}">{escape(head)}</a></h3>'
                f'<div class="url">{url}</div><p class="snippet">… {escape(summary)} …</p>'
                '</div>')
    if style == "plain":
        return '<ul class="article-list">' + "".join(out) + "</ul>"
    return "\n".join(out)


NAV = {
    "en": ["News", "Politics", "Business", "Sport", "Culture", "Opinion", "Weather"],
    "de": ["Nachrichten", "Politik", "Wirtschaft", "Sport", "Kultur", "Meinung"],
    "fr": ["Actualités", "Politique", "Économie", "Sport", "Culture", "Opinions"],
}
FOOTER = {
    "en": "About us · Contact · Privacy policy · Terms · Advertise · Careers",
    "de": "Impressum · Datenschutz · Kontakt · Mediadaten · Abo",
    "fr": "Mentions légales · Contact · Confidentialité · Publicité · Abonnement",
}
SITE = {"en": "The Harbour Gazette", "de": "Regionalzeitung Nord", "fr": "Le Courrier du Sud"}


def page(lang: str, title: str, main: str, *, head: str = "", sidebar: bool = True) -> str:
    """A complete page in a news site's chrome: header menu, main, sidebar, footer."""
    nav = "".join(f'<li><a href="/{slug(n)}/">{escape(n)}</a></li>' for n in NAV[lang])
    most_read = teasers(lang, "most-read" + title, 5, style="plain") if sidebar else ""
    footer = "".join(f'<a href="/{slug(p)}/">{escape(p)}</a> '
                     for p in FOOTER[lang].split(" · "))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} | {SITE[lang]}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{head}</head>\n<body>\n"
        f'<header class="site-header"><a class="logo" href="/">{SITE[lang]}</a>'
        f'<nav class="main-nav"><ul>{nav}</ul></nav>'
        '<form class="search" action="/search"><input name="q"></form></header>\n'
        f'<div class="layout"><main id="main">\n{main}\n</main>\n'
        + (f'<aside class="sidebar"><h2>Most read</h2>{most_read}</aside>' if sidebar else "")
        + f'</div>\n<footer class="site-footer"><nav>{footer}</nav>'
        f"<p>© 2025 {SITE[lang]}</p></footer>\n"
        '<div class="cookie-banner">We use cookies to improve your experience. '
        '<button>Accept</button></div>\n</body>\n</html>\n'
    )


def og(kind: str, title: str) -> str:
    return (f'<meta property="og:type" content="{kind}">\n'
            f'<meta property="og:title" content="{escape(title, quote=True)}">\n')


def ld(*nodes: dict) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(n)}</script>\n'
                   for n in nodes)


def paragraphs(seed: str, lang: str, words: int) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in prose(seed, lang=lang, words=words))


def pagination(base: str) -> str:
    return ('<nav class="pagination">' + "".join(
        f'<a href="{base}page/{n}/">{n}</a> ' for n in range(2, 6)) + "</nav>")


def build() -> dict[str, tuple[str, str, str]]:
    """file name -> (path, kind, html)."""
    p: dict[str, tuple[str, str, str]] = {}
    yoast_collection = ld({"@context": "https://schema.org", "@graph": [
        {"@type": "CollectionPage", "name": "Politics"},
        {"@type": "WebSite", "name": SITE["en"]}]})
    p["wp-category.html"] = ("/category/politics/", "section front", page(
        "en", "Politics", "<h1 class=\"page-title\">Category: Politics</h1>"
        + teasers("en", "wp-cat", 10, style="wp") + pagination("/category/politics/"),
        head=og("website", "Politics") + yoast_collection))
    p["section-front-undeclared.html"] = ("/politics", "section front", page(
        "en", "Politics", "<h1>Politics</h1>" + teasers("en", "politics", 14, full=False)))
    p["section-front-de.html"] = ("/wirtschaft/", "section front", page(
        "de", "Wirtschaft", "<h1>Wirtschaft</h1>" + teasers("de", "wirtschaft", 12,
                                                            summary_words=40),
        head=og("website", "Wirtschaft")))
    p["section-front-og-article.html"] = ("/sport/football", "section front", page(
        "en", "Football", "<h1>Football</h1>" + teasers("en", "football", 12, summary_words=35),
        head=og("article", "Football")))
    p["section-front-fr.html"] = ("/economie", "section front", page(
        "fr", "Économie",
        "<h1>Économie</h1>" + teasers("fr", "eco", 10, summary_words=45, full=False)))
    p["topic-hub.html"] = ("/climate-crisis", "topic page", page(
        "en", "The climate crisis", "<h1>The climate crisis</h1>"
        '<div class="topic-intro">' + paragraphs("climate-intro", "en", 60) + "</div>"
        + teasers("en", "climate", 12)))
    p["tag-page.html"] = ("/tag/harbour/", "tag page", page(
        "en", "harbour", "<h1>Tag: harbour</h1>" + teasers("en", "tag", 8, style="wp"),
        head=og("website", "harbour")))
    p["tag-page-de.html"] = ("/thema/klimawandel", "tag page", page(
        "de", "Klimawandel", "<h1>Thema: Klimawandel</h1>" + teasers("de", "klima", 10)))
    p["author-page.html"] = ("/author/jane-doe/", "author page", page(
        "en", "Jane Doe", '<div class="author-box"><h1>Jane Doe</h1><p>Jane Doe is our '
        "political correspondent. She has covered the council since 2015.</p></div>"
        + teasers("en", "jane", 10, style="wp"),
        head=og("profile", "Jane Doe") + ld({"@type": "ProfilePage", "name": "Jane Doe"})))
    p["staff-profile.html"] = ("/staff/maria-lopez", "author page", page(
        "en", "Maria Lopez", '<div class="profile"><h1>Maria Lopez</h1>'
        '<p class="role">Health reporter</p>' + paragraphs("maria-bio", "en", 90)
        + '<p><a href="mailto:maria@example.org">Email Maria</a> · '
        '<a href="https://twitter.com/example">Twitter</a></p></div>'
        "<h2>Latest from Maria Lopez</h2>" + teasers("en", "maria", 12)))
    p["journalist-fr.html"] = ("/journalistes/claire-martin", "author page", page(
        "fr", "Claire Martin", "<h1>Claire Martin</h1><p>Journaliste au service Économie."
        "</p>" + teasers("fr", "claire", 10, style="plain")))
    p["search-results.html"] = ("/search?q=budget", "search results", page(
        "en", "Search results for budget", '<h1>Search results for “budget”</h1>'
        "<p>128 results</p>" + teasers("en", "search", 10, style="search", full=False),
        head=ld({"@type": "SearchResultsPage"})))
    p["search-results-wp.html"] = ("/?s=inflation", "search results", page(
        "en", "You searched for inflation", "<h1>Search Results for: inflation</h1>"
        + teasers("en", "s-infl", 8, style="wp")))
    p["search-results-de.html"] = ("/suchergebnisse?begriff=hafen", "search results", page(
        "de", "Suchergebnisse", "<h1>Suchergebnisse für „Hafen“</h1><p>57 Treffer</p>"
        + teasers("de", "suche", 10, style="search")))
    p["about-page.html"] = ("/about-us/", "about page", page(
        "en", "About us", "<h1>About us</h1>" + paragraphs("about", "en", 160),
        head=og("website", "About us") + ld({"@type": "AboutPage"})))
    p["about-undeclared.html"] = ("/who-we-are", "about page", page(
        "en", "Who we are", "<h1>Who we are</h1><p>The Harbour Gazette has served the "
        "coast since 1884. We are an independent newsroom of 40 journalists.</p>"
        "<h2>Our team</h2><ul>" + "".join(
            f'<li><a href="/staff/{n.lower().replace(" ", "-")}">{n}</a>, {r}</li>'
            for n, r in [("Maria Lopez", "Health"), ("Jane Doe", "Politics"),
                         ("Tom Reed", "Sport"), ("Ann Kerr", "Editor"),
                         ("Li Wei", "Data"), ("Sam Ortiz", "Photography")])
        + "</ul><h2>Our values</h2><p>We correct our mistakes openly and we never take "
        "money for coverage.</p>", sidebar=False))
    p["contact-page.html"] = ("/contact/", "contact page", page(
        "en", "Contact", "<h1>Contact us</h1><p>Newsroom: news@example.org, "
        "+44 20 7946 0000</p><form><label>Name <input name=n></label><label>Email "
        "<input name=e></label><label>Message <textarea></textarea></label><button>Send"
        "</button></form>", head=ld({"@type": "ContactPage"})))
    p["contact-undeclared-de.html"] = ("/kontakt-redaktion", "contact page", page(
        "de", "Kontakt zur Redaktion", "<h1>Kontakt zur Redaktion</h1><p>Sie haben ein "
        "Thema für uns? Schreiben Sie uns.</p><address>Regionalzeitung Nord, Hafenstraße 12, "
        "24103 Kiel<br>Telefon 0431 123456<br>redaktion@example.de</address><form><input "
        "name=name><textarea></textarea><button>Absenden</button></form>", sidebar=False))
    p["privacy-policy.html"] = ("/privacy-policy/", "legal page", page(
        "en", "Privacy policy", "<h1>Privacy policy</h1>" + "".join(
            f"<h2>{h}</h2><p>We process personal data such as your name, email address and "
            "device identifiers only where the law allows it, for the purposes described in "
            "this section, and we keep it no longer than needed for those purposes. You may "
            "ask us at any time for a copy of the data we hold about you, for its correction "
            "or for its deletion, and you may complain to the supervisory authority.</p>"
            for h in ("Who we are", "What we collect", "Cookies", "Your rights",
                      "How long we keep data")), head=og("article", "Privacy policy")))
    p["terms-de.html"] = ("/agb", "legal page", page(
        "de", "AGB", "<h1>Allgemeine Geschäftsbedingungen</h1>" + "".join(
            f"<h2>§ {i} {h}</h2><p>Diese Bedingungen gelten für alle Verträge über digitale "
            "Abonnements zwischen der Regionalzeitung Nord GmbH und ihren Kundinnen und "
            "Kunden. Abweichende Bedingungen erkennen wir nicht an, es sei denn, wir stimmen "
            "ihrer Geltung ausdrücklich schriftlich zu.</p>"
            for i, h in enumerate(("Geltungsbereich", "Vertragsschluss", "Preise",
                                   "Kündigung", "Haftung"), 1))))
    p["phpbb-index.html"] = ("/forum/index.php", "forum index", page(
        "en", "Board index", "<h1>Reader forum</h1><table class=\"forums\">" + "".join(
            f'<tr><td><a class="forumtitle" href="/forum/viewforum.php?f={i}">{t}</a>'
            f"<br>{d}</td><td>{i * 37} Topics</td><td>{i * 211} Posts</td><td>Last post by "
            f'<a href="/forum/memberlist.php?u={i}">user{i}</a></td></tr>'
            for i, (t, d) in enumerate([
                ("Local news", "Talk about what is happening in town"),
                ("Sport", "Football, rowing and everything else"),
                ("Letters to the editor", "Your views on our coverage"),
                ("Buy and sell", "Classifieds from readers"),
                ("Help", "Questions about the site and your account")], 1))
        + "</table><p>Who is online: 23 users</p>", sidebar=False))
    p["phpbb-viewforum.html"] = ("/forum/viewforum.php?f=1", "forum index", page(
        "en", "Local news - Reader forum", "<h1>Local news</h1><ul class=\"topiclist\">"
        + "".join(f'<li><a href="/forum/viewtopic.php?t={100 + i}">{escape(h)}</a> by '
                  f'user{i} » {i + 2} replies » {i * 40 + 13} views</li>'
                  for i, h in enumerate(HEADLINES["en"])) + "</ul>", sidebar=False))
    p["discourse-latest.html"] = ("/latest", "forum index", page(
        "en", "Latest topics", '<table class="topic-list"><tbody>' + "".join(
            f'<tr><td><a class="title" href="/t/{slug(h)}/{200 + i}">{escape(h)}</a> '
            f'<span class="category">General</span></td><td>{i + 1}</td><td>{i * 9}</td>'
            f"<td>{i + 1}h</td></tr>" for i, h in enumerate(HEADLINES["en"]))
        + "</tbody></table>", sidebar=False))
    p["product-page.html"] = ("/shop/products/annual-digital-subscription", "product page",
                              page("en", "Annual digital subscription",
        "<h1>Annual digital subscription</h1><p class=\"price\">£89.00</p><p>Unlimited "
        "access to every article, the e-paper and our apps, for a full year.</p><button>Add "
        "to basket</button>",
        head=og("product", "Annual digital subscription") + ld({
            "@type": "Product", "name": "Annual digital subscription",
            "offers": {"@type": "Offer", "price": "89.00", "priceCurrency": "GBP"}})))
    p["product-undeclared-fr.html"] = ("/boutique/abonnement-numerique-12-mois",
                                       "product page", page(
        "fr", "Abonnement numérique 12 mois", "<h1>Abonnement numérique 12 mois</h1>"
        '<p class="prix">89,00 € TTC</p><ul><li>Accès illimité au site</li><li>Le journal en '
        "version numérique dès 5 h</li><li>Les newsletters réservées aux abonnés</li></ul>"
        "<p>Sans engagement après la première année. Paiement sécurisé par carte bancaire."
        "</p><button>Ajouter au panier</button><h2>Vous aimerez aussi</h2><ul>"
        '<li><a href="/boutique/abonnement-papier">Abonnement papier</a></li>'
        '<li><a href="/boutique/offre-etudiant">Offre étudiant</a></li></ul>',
        sidebar=False))
    p["home-page.html"] = ("/", "home page", page(
        "en", "Home", '<section class="top-stories">' + teasers("en", "home", 16)
        + "</section>", head=og("website", SITE["en"])))
    p["date-archive.html"] = ("/2024/05/", "date archive", page(
        "en", "May 2024", "<h1>Archives: May 2024</h1>" + teasers("en", "may", 10, style="wp")))
    p["video-hub.html"] = ("/video/", "video hub", page(
        "en", "Video", "<h1>Video</h1>" + "".join(
            f'<div class="video-card"><a href="/video/{slug(h)}-{900 + i}"><img src="/v{i}.jpg"'
            f' alt=""><span class="duration">{i + 1}:2{i % 10}</span></a><h3><a href="/video/'
            f'{slug(h)}-{900 + i}">{escape(h)}</a></h3></div>'
            for i, h in enumerate(HEADLINES["en"][:10]))))
    p["newsletters.html"] = ("/newsletters", "newsletter page", page(
        "en", "Newsletters", "<h1>Our newsletters</h1>" + "".join(
            f'<div class="newsletter"><h2>{n}</h2><p>{d}</p><form><input type="email" '
            'name="email"><button>Sign up</button></form></div>'
            for n, d in [("Morning briefing", "The day’s news before breakfast, every weekday."),
                         ("Sport", "Results and analysis every Monday."),
                         ("Culture", "What to see and do this weekend.")])))
    p["events.html"] = ("/events", "event listing", page(
        "en", "What's on", "<h1>What’s on this week</h1><ul class=\"events\">" + "".join(
            f'<li><time>2025-06-{10 + i}</time> <a href="/events/{slug(e)}">{e}</a>, {v}</li>'
            for i, (e, v) in enumerate([
                ("Harbour jazz night", "The Anchor"), ("Farmers market", "Market square"),
                ("Book talk: coastal history", "Central library"),
                ("Open-air cinema", "Castle park"), ("Charity fun run", "Seafront")]))
        + "</ul>"))
    p["paginated-list.html"] = ("/news?page=3", "section front", page(
        "en", "News - page 3", "<h1>Latest news</h1>" + teasers("en", "news3", 15)))
    p["careers.html"] = ("/careers", "site page", page(
        "en", "Careers", "<h1>Work with us</h1><p>We are hiring.</p><ul>"
        '<li><a href="/careers/data-reporter">Data reporter</a></li>'
        '<li><a href="/careers/night-editor">Night editor</a></li>'
        '<li><a href="/careers/apprentice">Apprentice photographer</a></li></ul>'))
    return p


def main() -> None:
    labels = {}
    for name, (path, kind, html) in build().items():
        (HERE / name).write_text(html, encoding="utf-8")
        labels[name] = {"path": path, "kind": kind}
    (HERE / "pages.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(labels)} pages written to {HERE}")


if __name__ == "__main__":
    main()
