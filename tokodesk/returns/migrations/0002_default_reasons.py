"""The return reasons a new shop starts with (the owner edits the list; "other" takes the
customer's own words). In Indonesian, the language of the seeds' sellers."""

from django.db import migrations

REASONS = [
    ("size_too_small", "Ukuran kekecilan", False),
    ("size_too_big", "Ukuran kebesaran", False),
    ("damaged", "Barang rusak atau cacat", False),
    ("wrong_item", "Barang tidak sesuai pesanan", False),
    ("not_as_described", "Tidak sesuai deskripsi", False),
    ("changed_mind", "Berubah pikiran", False),
    ("other", "Lainnya", True),
]


def create_reasons(apps, schema_editor):
    ReturnReason = apps.get_model("returns", "ReturnReason")
    for position, (code, label, needs_text) in enumerate(REASONS):
        ReturnReason.objects.get_or_create(
            code=code, defaults={"label": label, "needs_text": needs_text, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(create_reasons, migrations.RunPython.noop)]
