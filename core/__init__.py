"""The vocabulary both sides of the project speak: items, crawl outcomes, URL shapes, paths.

``crawler/`` (the Scrapy side: spider, middlewares, scheduling) and ``pipelines/`` (the
processing side: extraction, keys, the archive) both import this package; it imports neither,
as ``scrapy/utils/`` is imported by the whole of Scrapy and imports nothing of its engine.
Nothing here imports trafilatura: the crawler process never loads the extraction code.
"""
