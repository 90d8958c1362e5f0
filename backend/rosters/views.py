"""Thin API views for rosters: parse, call one service or selector, serialize."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation, Person
from rosters import selectors, services
from rosters.models import (
    AutofillAssignment,
    AvailabilityException,
    AvailabilityWindow,
    ShiftTemplate,
    VolunteerLimits,
)
from rosters.rules import zone
from rosters.serializers import (
    AutofillInput,
    AvailabilityInput,
    AvailabilityOutput,
    CoverageOutput,
    EmptyInput,
    ExceptionInput,
    ExceptionOutput,
    ExceptionUpdateInput,
    GeneratedShiftOutput,
    GenerateOutput,
    GrantInput,
    GrantOutput,
    LimitsInput,
    LimitsOutput,
    ProposalOutput,
    QualificationInput,
    QualificationOutput,
    RangeInput,
    TemplateInput,
    TemplateOutput,
    TemplateUpdateInput,
    WindowOutput,
)
from scheduling.models import PersonQualification, Qualification, Roster
from village.api import DomainError, Pagination

MAX_COVERAGE_DAYS = 92
_NO_CONTENT = {204: OpenApiResponse(description="Done.")}


def _me(request: Request) -> Person:
    user = request.user
    assert isinstance(user, Person)  # IsAuthenticated is the default permission
    return user


def _parse(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _paginate(view: APIView, request: Request, queryset: QuerySet[Any], serializer: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _template(*, roster: Roster, template_id: int) -> ShiftTemplate:
    template = (
        selectors.templates_for_roster(roster=roster).select_related("roster").filter(pk=template_id).first()
    )
    if template is None:
        raise Http404
    return template


class TemplateListView(APIView):
    pagination_class = Pagination

    @extend_schema(responses=TemplateOutput(many=True))
    def get(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        return _paginate(self, request, selectors.templates_for_roster(roster=roster), TemplateOutput)

    @extend_schema(request=TemplateInput, responses={201: TemplateOutput})
    def post(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        data = _parse(TemplateInput, request.data)
        template = services.template_create(roster=roster, actor=_me(request), **data)
        return Response(TemplateOutput(_template(roster=roster, template_id=template.pk)).data, status=201)


class TemplateDetailView(APIView):
    @extend_schema(responses=TemplateOutput)
    def get(self, request: Request, roster_id: int, template_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        return Response(TemplateOutput(_template(roster=roster, template_id=template_id)).data)

    @extend_schema(request=TemplateUpdateInput, responses=TemplateOutput)
    def patch(self, request: Request, roster_id: int, template_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        data = _parse(TemplateUpdateInput, request.data)
        template = services.template_update(
            template=_template(roster=roster, template_id=template_id), actor=_me(request), **data
        )
        return Response(TemplateOutput(_template(roster=roster, template_id=template.pk)).data)

    @extend_schema(responses=_NO_CONTENT)
    def delete(self, request: Request, roster_id: int, template_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        services.template_delete(
            template=_template(roster=roster, template_id=template_id), actor=_me(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class GenerateView(APIView):
    @extend_schema(request=RangeInput, responses={200: GenerateOutput, 201: GenerateOutput})
    def post(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        data = _parse(RangeInput, request.data)
        result = services.shifts_generate(
            roster=roster, actor=_me(request), start=data["start"], end=data["end"], now=timezone.now()
        )
        body = {
            "created": len(result.created),
            "already_there": result.existing,
            "time_zone": roster.time_zone,
            "shifts": GeneratedShiftOutput(result.created, many=True).data,
        }
        return Response(body, status=201 if result.created else 200)


class CoverageView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First local date (default today)"),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Last local date, inclusive (default start + 27 days)"
            ),
        ],
        responses=CoverageOutput,
    )
    def get(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        today = timezone.now().astimezone(zone(roster.time_zone)).date()
        params: dict[str, Any] = {"start": today.isoformat(), "end": (today + timedelta(days=27)).isoformat()}
        params.update({k: v for k, v in request.query_params.items()})
        data = _parse(RangeInput, params)
        if data["end"] < data["start"]:
            raise DomainError("The end date is before the start date.", fields={"end": ["Before start."]})
        if (data["end"] - data["start"]).days + 1 > MAX_COVERAGE_DAYS:
            raise DomainError(
                f"Show at most {MAX_COVERAGE_DAYS} days at a time.",
                code="range_too_long",
                fields={"end": [f"At most {MAX_COVERAGE_DAYS} days after start."]},
            )
        return Response(
            selectors.coverage(roster=roster, start=data["start"], end=data["end"], now=timezone.now())
        )


class AutofillView(APIView):
    @extend_schema(request=AutofillInput, responses={201: ProposalOutput})
    def post(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_for_coordinator(roster_id=roster_id, person=_me(request))
        data = _parse(AutofillInput, request.data)
        rosters = [roster]
        for other_id in data.get("rosters", []):
            if other_id not in {r.pk for r in rosters}:
                rosters.append(selectors.roster_for_coordinator(roster_id=other_id, person=_me(request)))
        proposal = services.autofill_propose(
            rosters=rosters, actor=_me(request), start=data["start"], end=data["end"]
        )
        return Response(
            ProposalOutput(selectors.proposal_with_assignments(proposal=proposal)).data, status=201
        )


class ProposalView(APIView):
    @extend_schema(responses=ProposalOutput)
    def get(self, request: Request, proposal_id: int) -> Response:
        proposal = selectors.proposal_visible_to(proposal_id=proposal_id, person=_me(request))
        return Response(ProposalOutput(selectors.proposal_with_assignments(proposal=proposal)).data)


class AssignmentDropView(APIView):
    @extend_schema(responses=_NO_CONTENT)
    def delete(self, request: Request, proposal_id: int, assignment_id: int) -> Response:
        proposal = selectors.proposal_visible_to(proposal_id=proposal_id, person=_me(request))
        assignment = AutofillAssignment.objects.filter(pk=assignment_id, proposal=proposal).first()
        if assignment is None:
            raise Http404
        assignment.proposal = proposal
        services.autofill_assignment_drop(assignment=assignment, actor=_me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptView(APIView):
    @extend_schema(request=EmptyInput, responses=ProposalOutput)
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = selectors.proposal_visible_to(proposal_id=proposal_id, person=_me(request))
        _parse(EmptyInput, request.data)
        proposal = services.autofill_accept(proposal=proposal, actor=_me(request))
        return Response(ProposalOutput(selectors.proposal_with_assignments(proposal=proposal)).data)


class QualificationListView(APIView):
    pagination_class = Pagination

    @extend_schema(responses=QualificationOutput(many=True))
    def get(self, request: Request) -> Response:
        return _paginate(
            self, request, selectors.qualifications_visible_to(person=_me(request)), QualificationOutput
        )

    @extend_schema(request=QualificationInput, responses={201: QualificationOutput})
    def post(self, request: Request) -> Response:
        data = _parse(QualificationInput, request.data)
        organisation = Organisation.objects.filter(pk=data.pop("organisation")).first()
        if organisation is None:
            raise DomainError("No such organisation.", fields={"organisation": ["Unknown organisation."]})
        qualification = services.qualification_create(organisation=organisation, actor=_me(request), **data)
        return Response(QualificationOutput(qualification).data, status=201)


def _qualification(request: Request, qualification_id: int) -> Qualification:
    qualification = (
        selectors.qualifications_visible_to(person=_me(request)).filter(pk=qualification_id).first()
    )
    if qualification is None:
        raise Http404
    if not selectors.is_org_coordinator(organisation_id=qualification.organisation_id, person=_me(request)):
        raise DomainError(
            "Only a coordinator of this organisation can do that.", code="permission_denied", status_code=403
        )
    return qualification


class GrantListView(APIView):
    pagination_class = Pagination

    @extend_schema(responses=GrantOutput(many=True))
    def get(self, request: Request, qualification_id: int) -> Response:
        qualification = _qualification(request, qualification_id)
        grants = qualification.holders.select_related("person").order_by("person__name", "pk")
        return _paginate(self, request, grants, GrantOutput)

    @extend_schema(request=GrantInput, responses={201: GrantOutput})
    def post(self, request: Request, qualification_id: int) -> Response:
        qualification = _qualification(request, qualification_id)
        data = _parse(GrantInput, request.data)
        person = Person.objects.filter(pk=data["person"]).first()
        if person is None:
            # Same words as for a non-member, so ids cannot be probed for who has an account.
            raise DomainError(
                "That person is not a member of this organisation; invite them first.",
                fields={"person": ["Not a member of this organisation."]},
            )
        grant = services.qualification_grant(
            qualification=qualification, person=person, actor=_me(request), expires_at=data.get("expires_at")
        )
        return Response(GrantOutput(grant).data, status=201)


class GrantDetailView(APIView):
    @extend_schema(responses=_NO_CONTENT)
    def delete(self, request: Request, qualification_id: int, grant_id: int) -> Response:
        qualification = _qualification(request, qualification_id)
        grant = (
            PersonQualification.objects.select_related("qualification")
            .filter(pk=grant_id, qualification=qualification)
            .first()
        )
        if grant is None:
            raise Http404
        services.qualification_revoke(grant=grant, actor=_me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAvailabilityView(APIView):
    def _body(self, person: Person) -> dict[str, Any]:
        windows = AvailabilityWindow.objects.filter(person=person)
        return {"time_zone": person.time_zone, "windows": WindowOutput(windows, many=True).data}

    @extend_schema(responses=AvailabilityOutput)
    def get(self, request: Request) -> Response:
        return Response(self._body(_me(request)))

    @extend_schema(request=AvailabilityInput, responses=AvailabilityOutput)
    def put(self, request: Request) -> Response:
        data = _parse(AvailabilityInput, request.data)
        services.availability_replace(person=_me(request), windows=data["windows"])
        return Response(self._body(_me(request)))


class MyExceptionsView(APIView):
    pagination_class = Pagination

    @extend_schema(responses=ExceptionOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = AvailabilityException.objects.filter(person=_me(request)).order_by("starts_at", "pk")
        return _paginate(self, request, rows, ExceptionOutput)

    @extend_schema(request=ExceptionInput, responses={201: ExceptionOutput})
    def post(self, request: Request) -> Response:
        data = _parse(ExceptionInput, request.data)
        exception = services.availability_exception_create(person=_me(request), **data)
        return Response(ExceptionOutput(exception).data, status=201)


class MyExceptionDetailView(APIView):
    def _get(self, request: Request, exception_id: int) -> AvailabilityException:
        exception = AvailabilityException.objects.filter(pk=exception_id, person=_me(request)).first()
        if exception is None:
            raise Http404
        return exception

    @extend_schema(responses=ExceptionOutput)
    def get(self, request: Request, exception_id: int) -> Response:
        return Response(ExceptionOutput(self._get(request, exception_id)).data)

    @extend_schema(request=ExceptionUpdateInput, responses=ExceptionOutput)
    def patch(self, request: Request, exception_id: int) -> Response:
        data = _parse(ExceptionUpdateInput, request.data)
        exception = services.availability_exception_update(exception=self._get(request, exception_id), **data)
        return Response(ExceptionOutput(exception).data)

    @extend_schema(responses=_NO_CONTENT)
    def delete(self, request: Request, exception_id: int) -> Response:
        services.availability_exception_delete(exception=self._get(request, exception_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyLimitsView(APIView):
    @extend_schema(responses=LimitsOutput)
    def get(self, request: Request) -> Response:
        limits = VolunteerLimits.objects.filter(person=_me(request)).first() or VolunteerLimits()
        return Response(LimitsOutput(limits).data)

    @extend_schema(request=LimitsInput, responses=LimitsOutput)
    def put(self, request: Request) -> Response:
        data = _parse(LimitsInput, request.data)
        limits = services.limits_set(person=_me(request), **data)
        return Response(LimitsOutput(limits).data)
