from django.urls import path

from . import views, views_annual, views_inspection, views_self

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("coverage/", views_self.coverage, name="coverage"),
    path("self/start/<int:case_pk>/", views_self.review_start, name="start"),
    path("self/<int:pk>/", views_self.review_detail, name="detail"),
    path("self/<int:pk>/edit/", views_self.review_edit, name="edit"),
    path("self/<int:pk>/preview/", views_self.review_preview, name="preview"),
    path("self/<int:pk>/sign/", views_self.review_sign, name="sign"),
    path("self/<int:pk>/recheck/", views_self.review_recheck, name="recheck"),
    path("self/<int:pk>/record.pdf", views_self.review_record_pdf, name="record_pdf"),
    path("self/<int:pk>/notice/", views_self.review_notice, name="notice"),
    path("self/<int:pk>/notice.pdf", views_self.review_notice_pdf, name="notice_pdf"),
    path("inspections/", views_inspection.campaign_list, name="campaigns"),
    path("inspections/<int:pk>/", views_inspection.campaign_detail, name="campaign"),
    path("inspections/<int:pk>/draw/", views_inspection.campaign_draw, name="campaign_draw"),
    path("inspections/<int:pk>/verify/", views_inspection.campaign_verify, name="campaign_verify"),
    path("inspections/<int:pk>/members/", views_inspection.campaign_member_add, name="campaign_member_add"),
    path("inspections/<int:pk>/refusals/", views_inspection.campaign_refusal_add, name="campaign_refusal_add"),
    path("inspections/samples/<int:pk>/assign/", views_inspection.sample_assign, name="sample_assign"),
    path("inspections/samples/<int:pk>/grade/", views_inspection.sample_grade, name="sample_grade"),
    path("summaries/", views_annual.summary_page, name="summaries"),
    path("summaries/<int:pk>/receive/", views_annual.summary_receive, name="summary_receive"),
    path("summaries/<int:pk>/attachment/", views_annual.summary_attachment, name="summary_attachment"),
    path("assessment/", views_annual.assessment_page, name="assessment"),
    path("assessment/export/", views_annual.assessment_export, name="assessment_export"),
    path("assessment/assess/<int:officer_pk>/", views_annual.assessment_assess, name="assess"),
    path("assessment/<int:pk>/reinstate/", views_annual.assessment_reinstate, name="reinstate"),
    path("library/", views_self.library, name="library"),
]
