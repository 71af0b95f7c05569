"""Trainers manage training cohorts (only the ones they train: the admin
filters by cohort) and may look at the village register."""

from django.db import migrations

TRAINERS = "Trainers"
GRANTS = {
    "trainingcohort": ("add", "change", "delete", "view"),
    "village": ("view",),
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    group, _ = Group.objects.get_or_create(name=TRAINERS)
    for model, actions in GRANTS.items():
        # Default permissions only exist after post_migrate, so make them here.
        content_type, _ = ContentType.objects.get_or_create(app_label="cohorts", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name=TRAINERS).first()
    if group is None:
        return
    for model, actions in GRANTS.items():
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="cohorts",
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0002_provinces"),
        ("accounts", "0002_trainers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
