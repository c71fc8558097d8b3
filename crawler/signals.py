"""The project's own Scrapy signals."""

#: Sent with ``row=`` (a ``fetches`` row without crawl id) for every response and failed attempt.
fetch_recorded = object()
