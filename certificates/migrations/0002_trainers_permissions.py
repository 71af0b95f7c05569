"""Trainers edit the certificate design (issuer, logo, signatories, wording,
number prefix) and preview it. Issued certificates, revocation and
downloads stay with site administrators."""

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
        ("certificates", "0001_initial"),
        ("accounts", "0002_trainers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
