from django.urls import path

from .views import (
    attachments,
    deadlines,
    editing,
    filing,
    lists,
    notifications,
    reports,
    review,
    tracking,
)

app_name = "assessments"

urlpatterns = [
    path("", lists.home, name="home"),
    path("assessments/", lists.assessment_list, name="list"),
    path("assessments/export.csv", lists.assessment_export, name="export"),
    path("assessments/export.xlsx", lists.assessment_export_xlsx, name="export_xlsx"),
    path("assessments/new/", editing.assessment_new, name="new"),
    path("review/", lists.review_queue, name="review_queue"),
    path("dashboard/", lists.dashboard, name="dashboard"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path("assessments/<int:pk>/publicity/", deadlines.publicity_edit, name="publicity"),
    path("assessments/<int:pk>/", editing.assessment_detail, name="detail"),
    path("assessments/<int:pk>/edit/", editing.assessment_resume, name="resume"),
    path("assessments/<int:pk>/copy/", editing.assessment_copy, name="copy"),
    path("assessments/<int:pk>/steps/<slug:step>/", editing.assessment_step, name="step"),
    path("assessments/<int:pk>/submit/", editing.assessment_submit, name="submit"),
    path("assessments/<int:pk>/review/", review.assessment_review, name="review"),
    path("assessments/<int:pk>/approve/", review.assessment_approve, name="approve"),
    path("assessments/<int:pk>/return/", review.assessment_return, name="return"),
    path("assessments/<int:pk>/report.pdf", reports.report_download, name="download"),
    path("assessments/<int:pk>/archive.zip", reports.archive_download, name="archive_package"),
    path("assessments/<int:pk>/draft.pdf", editing.assessment_draft_pdf, name="draft_pdf"),
    path("assessments/<int:pk>/issue/", reports.report_retry, name="retry_issue"),
    path("assessments/<int:pk>/issue/status/", reports.issue_status, name="issue_status"),
    path("assessments/<int:pk>/tracking/new/", tracking.tracking_edit, name="tracking_new"),
    path(
        "assessments/<int:pk>/tracking/<int:record_id>/",
        tracking.tracking_edit,
        name="tracking_edit",
    ),
    path(
        "assessments/<int:pk>/post-evaluations/new/",
        tracking.post_evaluation_edit,
        name="post_evaluation_new",
    ),
    path(
        "assessments/<int:pk>/post-evaluations/<int:evaluation_id>/",
        tracking.post_evaluation_edit,
        name="post_evaluation_edit",
    ),
    path("assessments/<int:pk>/filing/new/", filing.filing_new, name="filing_new"),
    path("filings/", filing.filing_inbox, name="filing_inbox"),
    path("filings/<int:filing_id>/form.pdf", filing.filing_form_download, name="filing_form"),
    path("filings/<int:filing_id>/<slug:act>/text/", filing.filing_text, name="filing_text"),
    path("filings/<int:filing_id>/<slug:act>/", filing.filing_act, name="filing_act"),
    path(
        "assessments/<int:pk>/attachments/",
        attachments.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "assessments/<int:pk>/attachments/<int:attachment_id>/remove/",
        attachments.attachment_remove,
        name="attachment_remove",
    ),
    path(
        "assessments/<int:pk>/attachments/<str:sha256>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
]
