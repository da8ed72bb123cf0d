from django.urls import path

from . import tracking_book_views
from .views import detail, intake, interlink, queue

app_name = "dossiers"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("new/", intake.intake, name="new"),
    path("new/applicant/", intake.applicant_lookup, name="applicant_lookup"),
    path("new/procedures/", intake.procedure_suggest, name="procedure_suggest"),
    path("new/checklist/", intake.checklist, name="checklist"),
    path("tracking-book/", tracking_book_views.tracking_book, name="tracking_book"),
    path("<str:code>/", detail.detail, name="detail"),
    path("<str:code>/actions/<str:action>/", detail.act, name="act"),
    path("<str:code>/attachments/", detail.attach, name="attach"),
    path("<str:code>/interlink/", interlink.send, name="interlink_send"),
    path("<str:code>/interlink/result/", interlink.result, name="interlink_result"),
    path("<str:code>/attachments/<uuid:public_id>/", detail.attachment, name="attachment"),
]
