from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    """China's official calendar of working days (调休 included), with the days an
    administrator enters for a year the installed calendar does not know yet."""

    name = "workdays"
    verbose_name = "工作日"
