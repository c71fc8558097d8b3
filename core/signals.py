"""The project's own Scrapy signals."""

#: Sent with ``row=`` (a ``fetches`` row without crawl id) for every response and failed attempt.
fetch_recorded = object()

#: Sent with ``knowledge=`` (a pipelines.boilerplate.SiteBoilerplate) when a site's pages made
#: new blocks boilerplate: the store re-cleans the site's archived articles.
boilerplate_learnt = object()

#: Sent with ``row=`` (a ``rejections`` row: url, site, reason, failed, fetched_at) for every
#: fetched page that gave no article, so that the reason is kept where a user sees it.
page_rejected = object()
