"""Writing stays fast as the archive grows (issue #15): the writer's settings, the migration
that brings them to existing archives, and the benchmark's resumable synthetic build.

``benchmarks/bench_archive.py`` measures the rates on a big archive; these tests check, on
small ones, that the settings are in force and that a build resumed where it stopped gives
the archive a build in one go gives.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from benchmarks import synthetic
from pipelines.store import Archive, migrations


@pytest.fixture(scope="module", autouse=True)
def short_streams():
    """Texts drawn from 20,000 tokens a language instead of 1.5 million (seconds a build)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(synthetic, "STREAM", 20_000)
        yield


def fts_config(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT k, v FROM articles_fts_config"))
    finally:
        conn.close()


def test_the_writer_settings_are_applied_on_open(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    try:
        assert archive.db.execute("PRAGMA cache_size").fetchone()[0] == -65536
        assert archive.db.execute("PRAGMA secure_delete").fetchone()[0] == 2  # FAST
        assert archive.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        archive.close()
    assert fts_config(tmp_path / "archive.db")["automerge"] == 8


def test_the_automerge_migration_applies_to_an_existing_archive(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m050_ingest_fts_automerge")
    db["articles"].insert({"url": "https://a.example/1", "site": "a.example",
                           "title": "Réforme", "text": "La réforme des retraites."})
    db.close()
    assert "automerge" not in fts_config(path)

    archive = Archive(path)
    try:
        assert [a["url"] for a in archive.search("reforme")] == ["https://a.example/1"]
        assert migrations.pending(archive.db) == []
    finally:
        archive.close()
    assert fts_config(path)["automerge"] == 8


def dump(path: Path) -> dict[str, list]:
    """Every row a build writes (crawl end times aside: they are the clock's)."""
    conn = sqlite3.connect(path)
    try:
        tables = {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                  for table in ("articles", "versions", "fetches", "article_counts")}
        tables["crawls"] = conn.execute("SELECT id, started FROM crawls").fetchall()
        tables["fts"] = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts "
                                     "MATCH 'the' ORDER BY rowid").fetchall()
        return tables
    finally:
        conn.close()


def number(url: str) -> int:
    return int(url.rstrip("/").rsplit("-", 1)[1])


BUILD = {"count": 700, "batch": 100, "crawls": 4}


@pytest.fixture(scope="module")
def one_go(tmp_path_factory) -> dict[str, list]:
    path = tmp_path_factory.mktemp("one-go") / "archive.db"
    synthetic.build(path, **BUILD)
    return dump(path)


def test_a_resumed_build_gives_the_rows_of_a_build_in_one_go(tmp_path, one_go):
    path = tmp_path / "archive.db"
    synthetic.build(path, **BUILD, stop=300)
    assert len(dump(path)["articles"]) == 300
    synthetic.build(path, **BUILD)
    resumed = dump(path)
    assert len(resumed["articles"]) == 700
    assert len(resumed["versions"]) > 700  # some articles have later versions
    for table, rows in one_go.items():
        assert resumed[table] == rows, table


def test_a_build_killed_before_storing_the_later_versions_resumes_them(tmp_path, one_go):
    path = tmp_path / "archive.db"

    class Killed(Exception):
        pass

    def kill(done: int, seconds: float) -> None:
        if done == 400:  # batch 4 stored, its articles' later versions not yet
            raise Killed

    with pytest.raises(Killed):
        synthetic.build(path, **BUILD, progress=kill)
    killed = dump(path)["versions"]
    expected = [row for row in one_go["versions"] if number(row[0]) < 400]
    assert len(killed) < len(expected)  # the later versions of batch 4 are missing
    synthetic.build(path, **BUILD)
    resumed = dump(path)
    for table, rows in one_go.items():
        assert resumed[table] == rows, table


def test_ingest_rates_leave_the_archive_as_it_was(tmp_path):
    path = tmp_path / "archive.db"
    synthetic.build(path, 200, batch=100, crawls=2)
    before = dump(path)
    rates = synthetic.ingest_rates(path, tmp_path / "empty.db", 200, batch=100)
    assert rates.empty > 0 and rates.full > 0 and rates.ratio > 0
    assert dump(path) == before
    assert Database(tmp_path / "empty.db")["articles"].count == 200
