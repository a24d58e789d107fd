from django.db import migrations


class Migration(migrations.Migration):
    """`Option` was an authentication option, while MADR's considered options are scenarios."""

    dependencies = [
        ("decisions", "0003_log_order_index"),
    ]

    operations = [
        migrations.RenameModel("Option", "AuthOption"),
    ]
