"""PostgreSQL ranks the search on narrow rows: ``web_searchrankrow`` (id, project, kind, updated, vector).

Before, the ``tsvector`` lived in ``web_searchentry`` beside the display columns: ranking the ~40,000 matches of a
common word read a wide table that did not fit the buffer cache. Now a trigger on ``web_searchentry`` writes the
vector to a row of its own (``ON CONFLICT`` update, deleted with the entry), the GIN index is on that narrow
table, and the wide table loses its vector column. SQLite keeps its FTS5 table; the narrow table stays empty there.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

_VECTOR = """setweight(to_tsvector('oeuvre_fr', coalesce(reference, '') || ' ' || coalesce(title, '')), 'A')
            || setweight(to_tsvector('oeuvre_en', coalesce(title, '')), 'A')
            || setweight(to_tsvector('oeuvre_fr', coalesce(body, '')), 'B')
            || setweight(to_tsvector('oeuvre_en', coalesce(body, '')), 'B')"""

POSTGRES_FORWARD = [
    "DROP TRIGGER IF EXISTS web_searchentry_vector ON web_searchentry",
    # The entries already there keep the vector the old trigger computed (the same expression): copied, not rebuilt.
    f"""INSERT INTO web_searchrankrow (entry_id, project_id, kind, updated, vector)
        SELECT id, project_id, kind, updated, coalesce(vector, {_VECTOR}) FROM web_searchentry""",
    "DROP INDEX IF EXISTS web_searchentry_vector_gin",
    "DROP FUNCTION IF EXISTS web_searchentry_vector()",
    "ALTER TABLE web_searchentry DROP COLUMN IF EXISTS vector",
    """CREATE OR REPLACE FUNCTION web_searchentry_rank_row() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM web_searchrankrow WHERE entry_id = OLD.id;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.reference IS NOT DISTINCT FROM OLD.reference
                AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.body IS NOT DISTINCT FROM OLD.body THEN
            UPDATE web_searchrankrow SET project_id = NEW.project_id, kind = NEW.kind, updated = NEW.updated
                WHERE entry_id = NEW.id;
            RETURN NEW;
        END IF;
        INSERT INTO web_searchrankrow (entry_id, project_id, kind, updated, vector) VALUES (
            NEW.id, NEW.project_id, NEW.kind, NEW.updated,
            setweight(to_tsvector('oeuvre_fr', coalesce(NEW.reference, '') || ' ' || coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('oeuvre_en', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('oeuvre_fr', coalesce(NEW.body, '')), 'B')
            || setweight(to_tsvector('oeuvre_en', coalesce(NEW.body, '')), 'B'))
        ON CONFLICT (entry_id) DO UPDATE SET project_id = EXCLUDED.project_id, kind = EXCLUDED.kind,
            updated = EXCLUDED.updated, vector = EXCLUDED.vector;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER web_searchentry_rank_row AFTER INSERT OR UPDATE OR DELETE
        ON web_searchentry FOR EACH ROW EXECUTE FUNCTION web_searchentry_rank_row()""",
    "CREATE INDEX web_searchrankrow_vector_gin ON web_searchrankrow USING gin (vector)",
    "ANALYZE web_searchrankrow",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS web_searchentry_rank_row ON web_searchentry",
    "DROP FUNCTION IF EXISTS web_searchentry_rank_row()",
    "DROP INDEX IF EXISTS web_searchrankrow_vector_gin",
    "ALTER TABLE web_searchentry ADD COLUMN vector tsvector NULL",
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
# SQLite never used the column (its FTS5 triggers read reference, title and body): dropped in place, so the
# table is not rebuilt and keeps those triggers.
SQLITE_FORWARD = ["ALTER TABLE web_searchentry DROP COLUMN vector"]
SQLITE_BACKWARD = ["ALTER TABLE web_searchentry ADD COLUMN vector text NULL"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("web", "0006_incident_notification_links"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchRankRow",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True,
                        related_name="+", serialize=False, to="web.searchentry",
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                ("updated", models.DateTimeField()),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+", to="projects.project",
                    ),
                ),
            ],
            options={"default_permissions": ()},
        ),  # fmt: skip
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="searchentry", name="vector")],
            database_operations=[
                migrations.RunPython(
                    _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
                    _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
                )
            ],
        ),
    ]
