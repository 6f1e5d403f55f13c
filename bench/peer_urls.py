"""URLs for the peer's Django process: only django-invitations' own (for ``reverse``)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("invitations/", include("invitations.urls", namespace="invitations"))]
