"""order_agent_status ends with the id too, so that one status of one agent comes out of
it in the list's order (created_at, id) without a sort: the per-status ranges that
selectors.order_list merges for a tab of several statuses."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_order_created_name")]

    operations = [
        migrations.RemoveIndex(model_name="order", name="order_agent_status"),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["assigned_agent", "status", "-created_at", "-id"],
                name="order_agent_status",
            ),
        ),
    ]
