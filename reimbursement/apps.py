from django.apps import AppConfig


class ReimbursementConfig(AppConfig):
    name = "reimbursement"
    verbose_name = "县域外补偿"
