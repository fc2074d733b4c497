from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `scripts/run.sh` and scale data for the benchmarks, made through the
    same rules as the counter's."""

    name = "demo"
    verbose_name = "演示数据"
