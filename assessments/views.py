from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Assessment


def home(request: HttpRequest) -> HttpResponse:
    assessments = (
        Assessment.objects.visible_to(request.user)
        .select_related("owner_unit", "author")
        .order_by("-updated_at")
    )
    return render(request, "assessments/home.html", {"assessments": assessments})
