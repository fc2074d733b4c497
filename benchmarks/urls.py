"""The portal's URLs plus a minimal view over the same rows as the case list: the floor the
real pages are compared with (benchmarks/throughput.sh)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal
from reimbursement.models import ReimbursementCase


def floor(request: HttpRequest) -> HttpResponse:
    cases = ReimbursementCase.objects.for_user(request.user).select_related("resident")[:25]
    return HttpResponse("\n".join(f"{c.resident.name} {c.total_cost}" for c in cases))


urlpatterns = [*portal, path("bench/floor/", floor)]
