"""Notifications about an incident written before incidents had their own page link to the incidents' list: point
them at the incident's page (``/p/<code>/mep/incidents/<id>/``), under the project's code of today."""

from django.db import migrations


def link_incidents(apps, schema_editor):
    Notification = apps.get_model("web", "Notification")
    stale = Notification.objects.filter(object_type="mep.incident", url__endswith="/mep/incidents/").exclude(
        project=None
    )
    for notification in stale.select_related("project").iterator():
        if not notification.object_id.isdigit():
            continue
        notification.url = f"/p/{notification.project.code}/mep/incidents/{int(notification.object_id)}/"
        notification.save(update_fields=["url"])


class Migration(migrations.Migration):
    dependencies = [("web", "0005_saved_searches")]

    operations = [migrations.RunPython(link_incidents, migrations.RunPython.noop, elidable=True)]
