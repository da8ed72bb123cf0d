from django.urls import path

from .views import incoming, outgoing, registers

app_name = "documents"
urlpatterns = [
    path("", outgoing.outgoing_list, name="outgoing_list"),
    path("outgoing/new/", outgoing.outgoing_new, name="outgoing_new"),
    path("outgoing/compose/", outgoing.outgoing_compose, name="outgoing_compose"),
    path("outgoing/<uuid:public_id>/", outgoing.outgoing_detail, name="outgoing"),
    path(
        "outgoing/<uuid:public_id>/recipients/",
        outgoing.outgoing_recipients,
        name="outgoing_recipients",
    ),
    path(
        "outgoing/<uuid:public_id>/actions/<str:action>/",
        outgoing.outgoing_act,
        name="outgoing_act",
    ),
    path("outgoing/<uuid:public_id>/versions/", outgoing.outgoing_version, name="outgoing_version"),
    path("outgoing/<uuid:public_id>/comments/", outgoing.outgoing_comment, name="outgoing_comment"),
    path("outgoing/<uuid:public_id>/send/", outgoing.outgoing_send, name="outgoing_send"),
    path("incoming/", incoming.incoming_list, name="incoming_list"),
    path("incoming/new/", incoming.incoming_new, name="incoming_new"),
    path("incoming/<uuid:public_id>/", incoming.incoming_detail, name="incoming"),
    path(
        "incoming/<uuid:public_id>/register/", incoming.incoming_register, name="incoming_register"
    ),
    path("incoming/<uuid:public_id>/assign/", incoming.incoming_assign, name="incoming_assign"),
    path("incoming/<uuid:public_id>/opinion/", incoming.incoming_opinion, name="incoming_opinion"),
    path(
        "incoming/<uuid:public_id>/complete/", incoming.incoming_complete, name="incoming_complete"
    ),
    path("registers/<str:kind>/<int:year>/", registers.register, name="register"),
]
