from django.urls import path

from . import attachment_views, report_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("assessments/", views.assessment_list, name="list"),
    path("assessments/export.csv", views.assessment_export, name="export"),
    path("assessments/export.xlsx", views.assessment_export_xlsx, name="export_xlsx"),
    path("assessments/new/", views.assessment_new, name="new"),
    path("review/", views.review_queue, name="review_queue"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/edit/", views.assessment_resume, name="resume"),
    path("assessments/<int:pk>/steps/<slug:step>/", views.assessment_step, name="step"),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("assessments/<int:pk>/review/", views.assessment_review, name="review"),
    path("assessments/<int:pk>/approve/", views.assessment_approve, name="approve"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="return"),
    path("assessments/<int:pk>/report.pdf", report_views.report_download, name="download"),
    path("assessments/<int:pk>/draft.pdf", views.assessment_draft_pdf, name="draft_pdf"),
    path("assessments/<int:pk>/issue/", report_views.report_retry, name="retry_issue"),
    path("assessments/<int:pk>/issue/status/", report_views.issue_status, name="issue_status"),
    path(
        "assessments/<int:pk>/attachments/",
        attachment_views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "assessments/<int:pk>/attachments/<int:attachment_id>/remove/",
        attachment_views.attachment_remove,
        name="attachment_remove",
    ),
    path(
        "assessments/<int:pk>/attachments/<str:sha256>/",
        attachment_views.attachment_download,
        name="attachment_download",
    ),
]
