"""The Trainers group: edits and publishes course pages, images and documents,
and reaches the admin. Never users, groups or site settings. Later apps add
their own permissions to this group in their own migrations."""

from django.db import migrations

TRAINERS = "Trainers"


def create_trainers_group(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    group, _ = Group.objects.get_or_create(name=TRAINERS)

    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    group.permissions.add(access_admin)

    root = Page.objects.filter(depth=1).first()
    # Default model permissions are only created after migrations have run
    # (post_migrate), so they are made here if they do not exist yet.
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    for codename in ("add_page", "change_page", "publish_page"):
        permission, _ = Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": codename}
        )
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)

    root_collection = Collection.objects.filter(depth=1).first()
    for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in ("add", "change", "choose"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )


def remove_trainers_group(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name=TRAINERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_trainers_group, remove_trainers_group)]
