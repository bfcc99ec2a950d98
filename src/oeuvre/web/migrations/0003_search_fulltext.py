"""The full-text side of the search index, one per database.

SQLite: an FTS5 table over (reference, title, body) with external content (the rows of ``web_searchentry``),
folded accents (``unicode61 remove_diacritics 2``) and prefix indexes, kept in step by three triggers.
PostgreSQL: ``unaccent``, two text search configurations (French and English stemming after unaccent), a
trigger that fills ``vector`` and a GIN index on it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE web_searchentry_fts USING fts5(
        reference, title, body, content='web_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER web_searchentry_fts_insert AFTER INSERT ON web_searchentry BEGIN
        INSERT INTO web_searchentry_fts(rowid, reference, title, body)
        VALUES (new.id, new.reference, new.title, new.body);
    END""",
    """CREATE TRIGGER web_searchentry_fts_delete AFTER DELETE ON web_searchentry BEGIN
        INSERT INTO web_searchentry_fts(web_searchentry_fts, rowid, reference, title, body)
        VALUES ('delete', old.id, old.reference, old.title, old.body);
    END""",
    """CREATE TRIGGER web_searchentry_fts_update AFTER UPDATE ON web_searchentry BEGIN
        INSERT INTO web_searchentry_fts(web_searchentry_fts, rowid, reference, title, body)
        VALUES ('delete', old.id, old.reference, old.title, old.body);
        INSERT INTO web_searchentry_fts(rowid, reference, title, body)
        VALUES (new.id, new.reference, new.title, new.body);
    END""",
    "INSERT INTO web_searchentry_fts(web_searchentry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS web_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS web_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS web_searchentry_fts_update",
    "DROP TABLE IF EXISTS web_searchentry_fts",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS oeuvre_fr",
    "CREATE TEXT SEARCH CONFIGURATION oeuvre_fr (COPY = french)",
    "ALTER TEXT SEARCH CONFIGURATION oeuvre_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS oeuvre_en",
    "CREATE TEXT SEARCH CONFIGURATION oeuvre_en (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION oeuvre_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    """CREATE OR REPLACE FUNCTION web_searchentry_vector() RETURNS trigger AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('oeuvre_fr', coalesce(NEW.reference, '') || ' ' || coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('oeuvre_en', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('oeuvre_fr', coalesce(NEW.body, '')), 'B')
            || setweight(to_tsvector('oeuvre_en', coalesce(NEW.body, '')), 'B');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER web_searchentry_vector BEFORE INSERT OR UPDATE OF reference, title, body
        ON web_searchentry FOR EACH ROW EXECUTE FUNCTION web_searchentry_vector()""",
    "UPDATE web_searchentry SET title = title",
    "CREATE INDEX web_searchentry_vector_gin ON web_searchentry USING gin (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS web_searchentry_vector_gin",
    "DROP TRIGGER IF EXISTS web_searchentry_vector ON web_searchentry",
    "DROP FUNCTION IF EXISTS web_searchentry_vector()",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS oeuvre_fr",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS oeuvre_en",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("web", "0002_search_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
