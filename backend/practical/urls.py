from django.urls import include, path

urlpatterns: list = [
    path("", include("practical.help.urls")),
]
