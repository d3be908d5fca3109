from django.urls import path

from .views import applications as a
from .views import catalogue, complaints, corrections, publications, risk

app_name = "tolerance"
urlpatterns = [
    path("", a.index, name="index"),
    path("catalogue/", catalogue.catalogue_page, name="catalogue"),
    path("applications/new/", a.application_create, name="application_create"),
    path("applications/<int:pk>/", a.application_detail, name="application"),
    path("applications/<int:pk>/edit/", a.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", a.application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", a.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/investigate/", a.application_investigate, name="application_investigate"),
    path("applications/<int:pk>/evidence/", a.evidence_upload, name="evidence_upload"),
    path("applications/<int:pk>/decide/", a.decision_create, name="decide"),
    path("applications/<int:pk>/notify/", a.decision_notify, name="notify"),
    path("applications/<int:pk>/publish/", a.decision_publish, name="publish"),
    path("applications/<int:pk>/close/", a.application_close, name="application_close"),
    path("applications/<int:pk>/decision.pdf", publications.decision_pdf_view, name="decision_pdf"),
    path("evidence/<int:pk>/", a.evidence_download, name="evidence"),
    path("notices/<int:pk>/ack/", a.notice_acknowledge, name="notice_ack"),
    path("corrections/<int:pk>/", corrections.correction_detail, name="correction"),
    path("corrections/<int:pk>/issue/", corrections.correction_issue, name="correction_issue"),
    path("corrections/<int:pk>/extension/", corrections.extension_create, name="extension_create"),
    path("correction-items/<int:pk>/report/", corrections.item_report, name="item_report"),
    path("extensions/<int:pk>/decide/", corrections.extension_decide, name="extension_decide"),
    path("publications/", publications.publications, name="publications"),
    path("risk/", risk.risk, name="risk"),
    path("complaints/", complaints.complaint_list, name="complaints"),
    path("complaints/export/", complaints.complaint_export, name="complaint_export"),
    path("complaints/new/", complaints.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/reporter/", complaints.complaint_reporter, name="complaint_reporter"),
    path("complaints/<int:pk>/conclude/", complaints.complaint_conclude, name="complaint_conclude"),
    path("complaints/<int:pk>/feedback/", complaints.complaint_feedback, name="complaint_feedback"),
    path("complaints/<int:pk>/close/", complaints.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/clarify/", complaints.clarification_create, name="clarify"),
]
