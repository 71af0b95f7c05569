"""Kept, empty, so the migration history of existing databases stays whole:
it used to grant this site's "Trainers" group the certificate design, which a
plugin must not know about. The Net Pracharat site now does that in its
accounts migration 0004; another host grants what it wants to its own
groups."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = []
