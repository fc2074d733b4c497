from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_history_without_search_indexes")]

    operations = [
        migrations.RemoveField(model_name="residentimport", name="path"),
        migrations.AddField(
            model_name="residentimport",
            name="sheet",
            field=models.FileField(
                blank=True, max_length=300, upload_to="imports/", verbose_name="表格文件"
            ),
        ),
        migrations.AddField(
            model_name="residentimport",
            name="error_count",
            field=models.PositiveIntegerField(default=0, verbose_name="错误行数"),
        ),
        migrations.AddField(
            model_name="residentimport",
            name="refused_rows",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="residentimport",
            name="resume_after",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="residentimport",
            name="lease",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="residentimport",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="residentimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="residentimport",
            name="errors",
            field=models.JSONField(blank=True, default=list, verbose_name="错误"),
        ),
    ]
