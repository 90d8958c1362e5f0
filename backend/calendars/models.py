"""Feed tokens: the secret in a calendar subscription URL.

A feed URL is read by calendar servers (Google, Apple, Outlook) that cannot log in, so the
token in it is the credential. Only its SHA-256 is stored: a leaked database backup does not
leak working feed URLs. The plain token is therefore shown once, when it is issued or rotated.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class FeedToken(models.Model):
    class Scope(models.TextChoices):
        PERSON = "person", "My commitments"
        CIRCLE = "circle", "A circle's requests"
        ROSTER = "roster", "A roster's shifts"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    scope = models.CharField(max_length=8, choices=Scope.choices)
    # The circle's or roster's id; the owner's own id for a personal feed.
    scope_id = models.PositiveBigIntegerField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The feed's last ETag and when it first answered with it: Last-Modified for clients that
    # only send If-Modified-Since. The engine changes rows with UPDATEs that leave updated_at
    # alone, so the rows' own timestamps cannot be trusted to move on every change.
    etag = models.CharField(max_length=40, blank=True)
    etag_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Two tabs opening "my calendar" at once must not leave two live URLs behind.
            models.UniqueConstraint(
                fields=["owner", "scope", "scope_id"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_feed_per_owner_and_scope",
            )
        ]
        indexes = [models.Index(fields=["owner", "scope", "scope_id"])]

    def __str__(self) -> str:
        return f"{self.scope} feed {self.scope_id} of person {self.owner_id}"
