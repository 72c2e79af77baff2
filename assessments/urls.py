from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("assessments/", views.assessment_list, name="list"),
    path("assessments/new/", views.assessment_new, name="new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/edit/", views.assessment_resume, name="resume"),
    path("assessments/<int:pk>/steps/<slug:step>/", views.assessment_step, name="step"),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="submit"),
]
