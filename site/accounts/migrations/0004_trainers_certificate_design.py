"""Trainers edit the certificate design (issuer, logo, signatories, wording,
number prefix) and preview it. Issued certificates, revocation and
downloads stay with site administrators.

The grant was certificates' migration 0002 until the plugins stopped knowing
this site's Trainers group; a database that ran that one already has it, and
running this again changes nothing (get_or_create, add)."""

from django.db import migrations

TRAINERS = "Trainers"
PERMISSIONS = [("certificatesettings", "change_certificatesettings", "Can change แบบเกียรติบัตร")]


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    group, _ = Group.objects.get_or_create(name=TRAINERS)
    for model, codename, name in PERMISSIONS:
        # Default permissions only appear after migrate ends (post_migrate).
        content_type, _ = ContentType.objects.get_or_create(app_label="certificates", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name=TRAINERS).first()
    if group is None:
        return
    codenames = [codename for _model, codename, _name in PERMISSIONS]
    group.permissions.remove(
        *Permission.objects.filter(content_type__app_label="certificates", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_findable_by_trainers"),
        ("certificates", "0002_trainers_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
