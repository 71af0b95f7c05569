"""The 77 provinces as rows, in Thai dictionary order."""

from django.db import migrations

from npv_site.accounts.provinces import PROVINCES


def add_provinces(apps, schema_editor):
    Province = apps.get_model("cohorts", "Province")
    for order, (thai, english) in enumerate(PROVINCES):
        Province.objects.update_or_create(
            name=thai, defaults={"name_en": english, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0001_initial")]

    operations = [migrations.RunPython(add_provinces, migrations.RunPython.noop)]
