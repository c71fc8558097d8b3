"""Datasette plugin: the facets of the whole ``articles`` table read the writer's counts.

Datasette counts a facet by grouping the table's rows: over a million articles that reads a
whole index for ``site``, ``language`` and ``author`` and every row's JSON for ``tags``, past
its facet time limit (200 ms). The archive's writer keeps those counts current instead
(``article_counts``, migration ``m020_article_counts`` in ``pipelines/store.py``), so:

- ``counted`` facets (``- counted: site`` in ``datasette/archive.yml``) read
  ``article_counts`` when the table is shown whole, and count like Datasette's column facet
  when it is filtered or searched;
- ``counted_array`` facets (``- counted_array: tags``) do the same for a JSON array column,
  counting like Datasette's array facet when filtered.

A table without ``article_counts`` (an archive not yet migrated) is counted by Datasette.
"""

from typing import Any

from datasette.facets import ArrayFacet, ColumnFacet
from datasette.hookspecs import hookimpl
from datasette.utils import path_with_added_args, path_with_removed_args

#: The writer's counts (pipelines/store.py, migration m020_article_counts).
COUNTS = "article_counts"
COUNTS_SQL = (
    f"select value, articles as count from {COUNTS} where facet = :facet "
    "order by articles desc, value limit :limit"
)


def whole_table(facet: Any) -> bool:
    """Whether the facet counts the whole table (no filter, no search)."""
    return not facet.params and " where " not in f" {facet.sql.lower()} "


class _Counted:
    """What both kinds share: the counts of the whole table from ``article_counts``."""

    type: str
    #: The query-string argument selecting a value (``{column}`` or ``{column}__arraycontains``).
    select_arg = "{column}"
    #: The query-string argument that removes the facet.
    facet_arg = "_facet"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        db = self.ds.get_database(self.database)
        if not whole_table(self) or COUNTS not in await db.table_names():
            return await super().facet_results()
        size = self.get_facet_size()
        results = []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            rows = (await db.execute(COUNTS_SQL, {"facet": column, "limit": size + 1})).rows
            argument = self.select_arg.format(column=column)
            results.append({
                "name": column,
                "type": self.type,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {self.facet_arg: column})),
                "truncated": len(rows) > size,
                "results": [{
                    "value": row["value"],
                    "label": row["value"],
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(
                        path_with_added_args(self.request, {argument: row["value"]}))),
                    "selected": False,
                } for row in rows[:size]],
            })
        return results, []


class CountedFacet(_Counted, ColumnFacet):
    type = "counted"

    async def suggest(self) -> list[dict[str, Any]]:
        return []


class CountedArrayFacet(_Counted, ArrayFacet):
    type = "counted_array"
    select_arg = "{column}__arraycontains"
    facet_arg = "_facet_array"

    async def suggest(self) -> list[dict[str, Any]]:
        return []


@hookimpl
def register_facet_classes() -> list[type]:
    return [CountedFacet, CountedArrayFacet]
