"""Care circles: a family's private space on top of a scheduling roster, and its help requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Organisation
from scheduling.models import Roster, Shift, Signup


class Allergen(models.TextChoices):
    """The major food allergens (FDA's nine plus the EU's extra ones); anything else goes in free text."""

    MILK = "milk", "Milk"
    EGGS = "eggs", "Eggs"
    FISH = "fish", "Fish"
    SHELLFISH = "shellfish", "Shellfish"
    TREE_NUTS = "tree_nuts", "Tree nuts"
    PEANUTS = "peanuts", "Peanuts"
    WHEAT = "wheat", "Wheat"
    GLUTEN = "gluten", "Gluten"
    SOY = "soy", "Soy"
    SESAME = "sesame", "Sesame"
    MUSTARD = "mustard", "Mustard"
    CELERY = "celery", "Celery"
    LUPIN = "lupin", "Lupin"
    MOLLUSCS = "molluscs", "Molluscs"
    SULPHITES = "sulphites", "Sulphites"


class DietaryPreference(models.TextChoices):
    VEGETARIAN = "vegetarian", "Vegetarian"
    VEGAN = "vegan", "Vegan"
    PESCATARIAN = "pescatarian", "Pescatarian"
    HALAL = "halal", "Halal"
    KOSHER = "kosher", "Kosher"
    GLUTEN_FREE = "gluten_free", "Gluten-free"
    DAIRY_FREE = "dairy_free", "Dairy-free"
    LOW_SODIUM = "low_sodium", "Low sodium"
    NO_PORK = "no_pork", "No pork"
    NO_BEEF = "no_beef", "No beef"


class Circle(models.Model):
    """One family's private space. Its roster holds the help requests' shifts and the members."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    roster = models.OneToOneField(Roster, on_delete=models.CASCADE, related_name="circle")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="circles"
    )
    name = models.CharField(max_length=160)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Household profile: what helpers need to help well (no diagnoses, no clinical notes).
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.JSONField(default=list, blank=True)  # [{"name": "Mia", "birth_date": "2026-10-02"}]
    dietary_preferences = models.JSONField(default=list, blank=True)  # DietaryPreference values
    allergies = models.JSONField(default=list, blank=True)  # Allergen values
    allergies_other = models.CharField(max_length=300, blank=True)
    likes = models.TextField(blank=True)
    dislikes = models.TextField(blank=True)
    dropoff_instructions = models.TextField(blank=True)
    delivery_window_start = models.TimeField(null=True, blank=True)
    delivery_window_end = models.TimeField(null=True, blank=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    visitor_policy = models.TextField(blank=True)
    illness_policy = models.TextField(blank=True)
    pets = models.CharField(max_length=300, blank=True)
    # Shown only to those who need them (coordinators; volunteers near an active commitment).
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the family deleted the circle: the row stays as a nameless, memberless tombstone
    # while its cancelled shifts tell calendars, then ``practical.export`` purges it.
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class HelpRequest(models.Model):
    """A piece of practical help the family needs, built on one shift of the circle's roster."""

    class Kind(models.TextChoices):
        MEAL = "meal", "Meal"
        LAUNDRY = "laundry", "Laundry"
        CHILDCARE = "childcare", "Childcare"
        ERRAND = "errand", "Errand"
        VISIT = "visit", "Visit / companionship"
        RIDE = "ride", "Ride"
        OTHER = "other", "Other"

    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="help_request")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    details = models.JSONField(default=dict, blank=True)  # kind-specific, validated per kind
    received_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["circle", "kind"])]


class Contribution(models.Model):
    """What a volunteer said they will bring or do for a claimed request (the dish, for meals)."""

    signup = models.OneToOneField(Signup, on_delete=models.CASCADE, related_name="contribution")
    dish = models.CharField(max_length=200, blank=True)
    contains_allergens = models.JSONField(default=list, blank=True)  # Allergen values
    notes = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class AddressRead(models.Model):
    """Every time a volunteer was shown the family's address or phone (visible to the family)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="address_reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)
    via = models.CharField(max_length=40, default="api")

    class Meta:
        indexes = [models.Index(fields=["circle", "read_at"])]


class CircleStatusChange(models.Model):
    """Who paused, resumed or closed a circle and when, so nobody wonders why the meals stopped."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=8, choices=Circle.Status.choices)
    to_status = models.CharField(max_length=8, choices=Circle.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["circle", "changed_at"])]


class ChildcareApproval(models.Model):
    """The family trusts this volunteer with their children."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="childcare_approvals")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "person"], name="one_childcare_approval")]


class CircleAuditEntry(models.Model):
    """Something a coordinator (or the family) did to the circle, for the family to look back on.

    Written by practical's services inside the same transaction as the change (``practical.audit``),
    so an entry never describes a change that was rolled back. ``detail`` names what changed, never
    the values of the address or phone.
    """

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    target_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["circle", "created_at"])]
