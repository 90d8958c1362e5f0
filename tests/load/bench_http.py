"""HTTP under load: gunicorn + PostgreSQL on loopback, driven by wrk, against bare Django views.

What a volunteer's phone and calendar do all day, measured through the whole stack (socket,
gunicorn, middleware, DRF, serializers, services, ORM) at 1k and at 100k shifts:

- open slots:      GET rosters/{id}/shifts/?open=true   (first page of 50, with its count)
- my commitments:  GET me/commitments/
- claim:           POST shifts/{id}/signups/ — 200 people on 4 shifts of 3 places, so almost every
                   request loses the race; 201 and 409 both count as answered. Afterwards no shift
                   may hold more than its capacity, and ``filled`` must equal its confirmed sign-ups.
- my feed:         GET /calendars/<token>.ics, plain (200, rendered) and with If-None-Match (304).

Each is a ratio against a bare Django view served by the same gunicorn in the same run
(tests/load/bench_urls.py) that replays the exact SQL the real endpoint ran — recorded here
with ``connection.execute_wrapper`` (the raw statements with their parameters, which
CaptureQueriesContext only gives interpolated) — and serialises the rows with ``json.dumps``.

Load generator: wrk (C, event loop, one thread) rather than a Python client: a Python client
would take a core from the two gunicorn workers and PostgreSQL and measure itself. wrk's Lua
hook picks a random person per request (``Authorization: Token …``) and reports status counts.

The 100k phase adds 99,000 shifts (and a sign-up on each) in 99 other rosters of other people:
the roster being listed and the people measured keep the same data, so per-request cost growth
shows whether the queries stay on their indexes as the tables grow. Time per request on 2 shared
cores moves with the neighbours' load, so the growth rows also give PostgreSQL pages touched per
request (EXPLAIN ANALYZE BUFFERS over the same statements), which does not.

Each side runs in four alternating 2-second rounds (ours, bare, bare, ours, …) at 4 connections against
2 sync gunicorn workers with persistent database connections; the data is removed afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20261123
PEOPLE = 200
LIST_SHIFTS = 1000
BACKGROUND_SHIFTS = 99_000
BACKGROUND_PEOPLE = 2000
CLAIM_SHIFTS = 4
CLAIM_CAPACITY = 3
ROUNDS = 4  # per side, alternating; two shared cores make one short round noisy
ROUND_SECONDS = 2
CONNECTIONS = 4
BENCH_REDIS_DB = 12
REPO = Path(__file__).resolve().parents[2]
GOALS = {"open": 0.80, "commitments": 0.80, "claim": 0.60, "feed304": 0.90}

Statement = tuple[str, list[tuple[str, Any]]]


# --- data ----------------------------------------------------------------------------------------


class World:
    """The people, tokens and rosters the load runs against."""

    def __init__(self) -> None:
        self.users: list[dict[str, Any]] = []
        self.roster_id = 0
        self.claim_roster_id = 0
        self.org_id = 0
        self.other_org_ids: list[int] = []
        self.other_roster_ids: list[int] = []
        self.start = datetime.now().astimezone()


def _build_world(progress: Callable[[str], None]) -> World:
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Organisation, Person, Role
    from calendars.services import feed_rotate
    from scheduling.models import Roster, RosterMembership, Shift, Signup

    rng = random.Random(SEED)
    world = World()
    progress(f"creating {PEOPLE} people and {LIST_SHIFTS} shifts")
    org = Organisation.objects.create(name="Bench helpline")
    world.org_id = org.pk
    roster = Roster.objects.create(name="Bench duty", organisation=org, time_zone="America/New_York")
    claim_roster = Roster.objects.create(name="Bench claims", organisation=org, time_zone="America/New_York")
    world.roster_id, world.claim_roster_id = roster.pk, claim_roster.pk
    people = Person.objects.bulk_create(
        [
            Person(email=f"bench-http-{i}@example.org", name=f"Volunteer {i}", password="!bench")
            for i in range(PEOPLE)
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=p, key=Token.generate_key()) for p in people])
    RosterMembership.objects.bulk_create(
        [
            RosterMembership(roster=r, person=p, role=Role.VOLUNTEER)
            for p in people
            for r in (roster, claim_roster)
        ]
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    world.start = now
    shifts: list[Shift] = []
    takers: list[list[Person]] = []
    for i in range(LIST_SHIFTS):
        starts_at = now + timedelta(days=-60 + i * 0.36, hours=rng.randrange(0, 10))
        taken = rng.sample(people, rng.randrange(0, 5))
        shifts.append(
            Shift(
                roster=roster,
                title=f"Helpline {i}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                capacity=rng.choice([4, 5, 6]),
                filled=len(taken),
                location="Community centre",
                notes="Bring the headset" if i % 3 == 0 else "",
            )
        )
        takers.append(taken)
    Shift.objects.bulk_create(shifts, batch_size=2000)
    Signup.objects.bulk_create(
        [Signup(shift=s, person=p) for s, taken in zip(shifts, takers, strict=True) for p in taken],
        batch_size=5000,
    )
    progress("issuing feed URLs")
    for person, token in zip(people, tokens, strict=True):
        secret = feed_rotate(owner=person, scope="person", scope_id=person.pk).secret
        assert secret is not None
        world.users.append(
            {
                "person": person.pk,
                "key": token.key,
                "feed": secret,
                "feed_hash": hashlib.sha256(secret.encode()).hexdigest(),
            }
        )
    return world


def _claim_shifts(world: World, *, label: str, days: int) -> list[int]:
    """Fresh shifts to fight over, on days of their own so no claim is refused as an overlap."""
    from scheduling.models import Shift

    shifts = []
    for i in range(CLAIM_SHIFTS):
        starts_at = world.start + timedelta(days=days + i)
        shifts.append(
            Shift(
                roster_id=world.claim_roster_id,
                title=f"Claim {label} {i}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                capacity=CLAIM_CAPACITY,
            )
        )
    return [s.pk for s in Shift.objects.bulk_create(shifts)]


def _grow_to_100k(world: World, progress: Callable[[str], None]) -> None:
    """99 more rosters of 1,000 shifts, a sign-up on each, for 2,000 other people.

    One roster is written through the ORM; the other 98 are copied from it server-side
    (INSERT … SELECT over the models' own column lists), which takes seconds, not minutes.
    """
    from django.db import connection, transaction

    from accounts.models import Organisation, Person
    from scheduling.models import Roster, Shift, Signup

    rng = random.Random(SEED + 1)
    per_roster = BACKGROUND_SHIFTS // 99
    progress("bulk-inserting 1 of 99 other rosters")
    with transaction.atomic():
        others = Person.objects.bulk_create(
            [
                Person(email=f"bench-http-other-{i}@example.org", name=f"Other {i}", password="!bench")
                for i in range(BACKGROUND_PEOPLE)
            ],
            batch_size=2000,
        )
        orgs = Organisation.objects.bulk_create([Organisation(name=f"Other org {i}") for i in range(9)])
        rosters = Roster.objects.bulk_create(
            [Roster(name=f"Other roster {i}", organisation=orgs[i % 9]) for i in range(99)]
        )
        world.other_org_ids = [o.pk for o in orgs]
        world.other_roster_ids = [r.pk for r in rosters]
        template = rosters[0]
        shifts = []
        for i in range(per_roster):
            starts_at = world.start + timedelta(days=-200 + i * 0.6, hours=rng.randrange(0, 10))
            shifts.append(
                Shift(
                    roster=template,
                    title=f"Other shift {i}",
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2),
                    capacity=3,
                    filled=1,
                )
            )
        Shift.objects.bulk_create(shifts)
        Signup.objects.bulk_create([Signup(shift=s, person=rng.choice(others)) for s in shifts])

    def columns(model: Any) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if not f.primary_key]

    q = connection.ops.quote_name
    shift_cols = columns(Shift)
    signup_cols = columns(Signup)
    # Only model metadata (table and column names, quoted) goes into the text; values are parameters.
    copy_shifts = (
        f"INSERT INTO {q(Shift._meta.db_table)} ({', '.join(q(c) for c in shift_cols)}) "  # noqa: S608
        f"SELECT {', '.join('r.id' if c == 'roster_id' else 't.' + q(c) for c in shift_cols)} "
        f"FROM {q(Shift._meta.db_table)} t CROSS JOIN unnest(%s::bigint[]) AS r(id) WHERE t.roster_id = %s"
    )
    copy_signups = (
        f"INSERT INTO {q(Signup._meta.db_table)} ({', '.join(q(c) for c in signup_cols)}) "  # noqa: S608
        f"SELECT {', '.join('n.id' if c == 'shift_id' else 'g.' + q(c) for c in signup_cols)} "
        f"FROM {q(Signup._meta.db_table)} g "
        f"JOIN {q(Shift._meta.db_table)} t ON t.id = g.shift_id AND t.roster_id = %s "
        f"JOIN {q(Shift._meta.db_table)} n ON n.title = t.title AND n.roster_id = ANY(%s::bigint[])"
    )
    rest = [r.pk for r in rosters[1:]]
    step = 14
    for at in range(0, len(rest), step):
        batch = rest[at : at + step]
        progress(f"bulk-inserting shifts {(at + len(batch) + 1) * per_roster:,}/{BACKGROUND_SHIFTS:,}")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(copy_shifts, [batch, template.pk])
            cursor.execute(copy_signups, [template.pk, batch])
    # VACUUM as well as ANALYZE: after a bulk load autovacuum would otherwise visit these tables
    # (its insert threshold) while the 100k phase runs, taking CPU from that phase alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    assert (
        Shift.objects.exclude(roster_id__in=[world.roster_id, world.claim_roster_id]).count()
        >= BACKGROUND_SHIFTS
    )


def _clean_up(world: World, progress: Callable[[str], None]) -> None:
    """Leave the shared bench database as we found it: the entries after us measure their own
    data, and 100k extra rows (or their dead tuples) must not weigh on their figures."""
    from django.db import connection, transaction

    from accounts.models import Organisation, Person
    from scheduling.models import Roster, Shift, Signup

    progress("removing the 100k shifts")
    with transaction.atomic():
        # The background rows have nothing pointing at them but each other: plain DELETEs, not
        # the ORM's per-row cascade collection.
        Signup.objects.filter(shift__roster_id__in=world.other_roster_ids)._raw_delete(Signup.objects.db)
        Shift.objects.filter(roster_id__in=world.other_roster_ids)._raw_delete(Shift.objects.db)
        Roster.objects.filter(
            pk__in=[*world.other_roster_ids, world.roster_id, world.claim_roster_id]
        ).delete()
        Organisation.objects.filter(pk__in=[*world.other_org_ids, world.org_id]).delete()
        Person.objects.filter(email__startswith="bench-http-").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE scheduling_shift, scheduling_signup")


# --- recording the real endpoints' SQL --------------------------------------------------------


@contextmanager
def _recording() -> Iterator[list[tuple[str, list[Any]]]]:
    from django.db import connection

    statements: list[tuple[str, list[Any]]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


def _record(call: Callable[[dict[str, Any]], int], user: dict[str, Any]) -> tuple[list[Any], datetime]:
    from django.utils import timezone

    call(user)  # once to settle (first-use writes such as "feed last used"), then record
    began = timezone.now()
    with _recording() as statements:
        call(user)
    return statements, began


_IN_LIST = re.compile(r"IN \((?:%s, )*%s\)")


def _results(statements: list[tuple[str, list[Any]]]) -> list[list[Any]]:
    """What each recorded SELECT returns now (the data has not moved since it was recorded)."""
    from django.db import connection

    rows: list[list[Any]] = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql, params)
                rows.append(list(cursor.fetchall()))
            else:
                rows.append([])
    return rows


def _split_in_lists(
    sql: str, params: list[Any], earlier: list[list[Any]]
) -> tuple[str, list[Any], list[tuple[int, tuple[str, Any]]]]:
    """Turn each ``IN (%s, …)`` whose values came from an earlier result (a prefetch) into
    ``= ANY(%s)`` fed from that result, which is what PostgreSQL makes of an IN list anyway."""
    slots: list[tuple[int, tuple[str, Any]]] = []
    out_sql, out_params, cut, taken = "", [], 0, 0
    for match in _IN_LIST.finditer(sql):
        at = sql[: match.start()].count("%s")
        n = match.group().count("%s")
        values = params[at : at + n]
        source = next(
            (
                (j, c)
                for j in range(len(earlier) - 1, -1, -1)
                for c in range(len(earlier[j][0]) if earlier[j] else 0)
                if {row[c] for row in earlier[j]} == set(values)
            ),
            None,
        )
        if source is None:
            continue
        out_sql += sql[cut : match.start()] + "= ANY(%s)"
        out_params += params[taken:at]
        slots.append((len(out_params), ("col", source)))
        out_params.append(None)
        cut, taken = match.end(), at + n
    out_sql += sql[cut:]
    out_params += params[taken:]
    return out_sql, out_params, slots


def _template(
    a: tuple[list[Any], datetime], b: tuple[list[Any], datetime], va: dict[str, Any], vb: dict[str, Any]
) -> list[Statement]:
    """The statements with each caller-specific parameter named: what differs between two
    people's requests is one of their values (``var``), "now" (``now`` + offset), or the ids an
    earlier statement returned (``col``: a prefetch's IN list)."""
    (sa, ta), (sb, _tb) = a, b
    ra, rb = _results(sa), _results(sb)
    split_a = [_split_in_lists(sql, p, ra[:i]) for i, (sql, p) in enumerate(sa)]
    split_b = [_split_in_lists(sql, p, rb[:i]) for i, (sql, p) in enumerate(sb)]
    if [s for s, _, _ in split_a] != [s for s, _, _ in split_b]:
        diff = [(x, y) for (x, _, _), (y, _, _) in zip(split_a, split_b, strict=False) if x != y][:1]
        raise RuntimeError(f"two people's requests ran different SQL: {len(sa)} vs {len(sb)}: {diff}")
    template: list[Statement] = []
    for (sql, pa, slots), (_sql, pb, _slots) in zip(split_a, split_b, strict=True):
        fixed = dict(slots)
        params: list[tuple[str, Any]] = []
        for i, (x, y) in enumerate(zip(pa, pb, strict=True)):
            if i in fixed:
                params.append(fixed[i])
            elif x == y:
                params.append(("const", x))
            elif isinstance(x, datetime):
                params.append(("now", x - ta))
            else:
                names = [n for n in va if va[n] == x and vb.get(n) == y]
                if len(names) != 1:
                    raise RuntimeError(f"cannot tell which value {x!r} is in {sql[:120]}: {names}")
                params.append(("var", names[0]))
        template.append((sql, params))
    return template


def _room_columns(statement: Statement, values: dict[str, Any]) -> tuple[int, int]:
    """Where ``filled`` and ``capacity`` are in the shift row a claim reads, for the bare view
    to see a full shift as ours does."""
    from django.db import connection
    from django.utils import timezone

    from tests.load.bench_urls import _bind

    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, _bind(params, values, timezone.now(), []))
        names = [column.name for column in cursor.description]
    return names.index("filled"), names.index("capacity")


def _plan(world: World, claim_capture: list[int]) -> dict[str, Any]:
    """Record every measured endpoint's SQL for two people, for the bare views to replay."""
    from rest_framework.test import APIClient

    from scheduling.models import Shift

    a, b = world.users[0], world.users[1]
    client = APIClient()

    def auth(user: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Token {user['key']}"}

    def open_list(user: dict[str, Any]) -> int:
        r = client.get(f"/api/v1/rosters/{world.roster_id}/shifts/?open=true", headers=auth(user))
        assert r.status_code == 200, r.content
        return r.status_code

    def commitments(user: dict[str, Any]) -> int:
        r = client.get("/api/v1/me/commitments/", headers=auth(user))
        assert r.status_code == 200, r.content
        return r.status_code

    def feed_200(user: dict[str, Any]) -> int:
        r = client.get(f"/calendars/{user['feed']}.ics")
        assert r.status_code == 200, r.status_code
        user["etag"] = r["ETag"]
        return r.status_code

    def feed_304(user: dict[str, Any]) -> int:
        r = client.get(f"/calendars/{user['feed']}.ics", HTTP_IF_NONE_MATCH=user["etag"])
        assert r.status_code == 304, r.status_code
        return r.status_code

    plan: dict[str, Any] = {}
    for name, call in [
        ("open_shifts", open_list),
        ("commitments", commitments),
        ("feed_200", feed_200),
        ("feed_304", feed_304),
    ]:
        plan[name] = _template(_record(call, a), _record(call, b), a, b)

    # Claim: a and b each find a full shift (the path nearly every request takes under
    # contention, answered from the shift's row); a and b each win a place on a shift with room,
    # which gives the checks, the conditional UPDATE and the INSERT a winner runs.
    full_a, full_b, roomy_a, roomy_b = claim_capture
    Shift.objects.filter(pk__in=[full_a, full_b]).update(filled=CLAIM_CAPACITY)

    def claim_on(shift_id: int, expect: int) -> Callable[[dict[str, Any]], int]:
        def claim(user: dict[str, Any]) -> int:
            r = client.post(f"/api/v1/shifts/{shift_id}/signups/", {}, format="json", headers=auth(user))
            assert r.status_code == expect, r.content
            return r.status_code

        return claim

    def win(user: dict[str, Any], shift_id: int) -> tuple[list[Any], datetime]:
        from django.utils import timezone

        began = timezone.now()  # a place can be won once, so no settling call first
        with _recording() as statements:
            claim_on(shift_id, 201)(user)
        end = next(
            i for i, (sql, _) in enumerate(statements) if sql.startswith('INSERT INTO "scheduling_signup"')
        )
        return statements[: end + 1], began

    lost = _template(
        _record(claim_on(full_a, 409), a),
        _record(claim_on(full_b, 409), b),
        {**a, "shift": full_a},
        {**b, "shift": full_b},
    )
    won = _template(win(a, roomy_a), win(b, roomy_b), {**a, "shift": roomy_a}, {**b, "shift": roomy_b})
    if [sql for sql, _ in won[: len(lost)]] != [sql for sql, _ in lost]:
        raise RuntimeError("a winning claim did not begin with the reads a full shift's claim made")
    update_at = next(i for i, (sql, _) in enumerate(won) if sql.startswith('UPDATE "scheduling_shift"'))
    plan["claim"] = {
        "read": lost,
        "room": _room_columns(lost[-1], {**a, "shift": full_a}),
        "checks": won[len(lost) : update_at],
        "update": won[update_at],
        "insert": won[-1],
    }
    plan["users_by_key"] = {u["key"]: u for u in world.users}
    plan["users_by_feed_hash"] = {u["feed_hash"]: u for u in world.users}
    plan["statement_counts"] = {
        "open": len(plan["open_shifts"]),
        "commitments": len(plan["commitments"]),
        "feed200": len(plan["feed_200"]),
        "feed304": len(plan["feed_304"]),
        "claim_lost": len(lost),
        "claim_won": len(won),
    }
    return plan


def _buffers(plan: dict[str, Any], world: World, full_shift: int) -> dict[str, int]:
    """PostgreSQL pages touched (shared hit + read) by one request's SELECTs, per endpoint.

    Unlike a time on shared cores this does not move with the neighbours' load, so it says
    whether a query stays on its index as the tables grow.
    """
    from django.db import connection
    from django.utils import timezone

    from tests.load.bench_urls import _bind

    values = {**world.users[0], "shift": full_shift}
    statements = {
        "open": plan["open_shifts"],
        "commitments": plan["commitments"],
        "feed200": plan["feed_200"],
        "feed304": plan["feed_304"],
        "claim": plan["claim"]["read"],
    }
    pages: dict[str, int] = {}
    with connection.cursor() as cursor:
        for kind, template in statements.items():
            results: list[list[Any]] = []
            total = 0
            now = timezone.now()
            for sql, params in template:
                bound = _bind(params, values, now, results)
                if bound is None or not sql.lstrip().upper().startswith("SELECT"):
                    results.append([])
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, bound)
                top = cursor.fetchone()[0][0]["Plan"]
                total += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
                cursor.execute(sql, bound)
                results.append(list(cursor.fetchall()))
            pages[kind] = total
    return pages


def _refresh_etags(world: World) -> None:
    from django.test import Client

    client = Client()
    for user in world.users:
        r = client.get(f"/calendars/{user['feed']}.ics")
        assert r.status_code == 200, r.status_code
        user["etag"] = r["ETag"]


# --- gunicorn and wrk -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _gunicorn(plan_path: Path, log_path: Path) -> Iterator[str]:
    from django.db import connection

    port = _free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.load.bench_settings",
        "PYTHONPATH": os.pathsep.join([str(REPO / "backend"), str(REPO)]),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "false",
        # Persistent connections, as a deployment would run; without them every request
        # (ours and bare alike) would pay a PostgreSQL connection set-up.
        "DB_CONN_MAX_AGE": "600",
        "THROTTLE_FEED": "1000000000/min",
        "LOG_LEVEL": "WARNING",
        "VILLAGE_BENCH_PLAN": str(plan_path),
    }
    if env.get("REDIS_URL"):
        # A Redis database of the benchmark's own: the claims' notification messages must not
        # wait in the team's queue for a worker that would look them up in another database.
        env["REDIS_URL"] = env["REDIS_URL"].rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "--workers=2",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--chdir",
            str(REPO),
            "village.wsgi:application",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up: {log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: `apt-get install -y wrk` (make bench does it when root)")
    return found


_LUA = r"""
local users = %(users)s
local shifts = %(shifts)s
local kind = "%(kind)s"
local prefix = "%(prefix)s"
local roster = %(roster)d
counts = {}
local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(%(seed)d + tid)
end

function request()
  local u = users[math.random(#users)]
  local h = {}
  if kind == "open" then
    h["Authorization"] = "Token " .. u[1]
    return wrk.format("GET", prefix .. "/api/v1/rosters/" .. roster .. "/shifts/?open=true", h)
  elseif kind == "commitments" then
    h["Authorization"] = "Token " .. u[1]
    return wrk.format("GET", prefix .. "/api/v1/me/commitments/", h)
  elseif kind == "claim" then
    h["Authorization"] = "Token " .. u[1]
    h["Content-Type"] = "application/json"
    local s = shifts[math.random(#shifts)]
    return wrk.format("POST", prefix .. "/api/v1/shifts/" .. s .. "/signups/", h, "{}")
  elseif kind == "feed200" then
    return wrk.format("GET", prefix .. "/calendars/" .. u[2] .. ".ics", h)
  else
    h["If-None-Match"] = u[3]
    return wrk.format("GET", prefix .. "/calendars/" .. u[2] .. ".ics", h)
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do
      agg[tostring(k)] = (agg[tostring(k)] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, string.format('"%%s": %%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"errors": %%d, "status": {%%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def _lua_string(s: str) -> str:
    return json.dumps(s)  # a JSON string of [A-Za-z0-9_-"] is a valid Lua string


def _load(
    base: str, workdir: Path, *, kind: str, bare: bool, world: World, shifts: list[int], seconds: float
) -> dict[str, Any]:
    users = (
        "{"
        + ", ".join(
            "{" + ", ".join(_lua_string(u.get(k, "")) for k in ("key", "feed", "etag")) + "}"
            for u in world.users
        )
        + "}"
    )
    script = workdir / f"{kind}-{'bare' if bare else 'ours'}.lua"
    script.write_text(
        _LUA
        % {
            "users": users,
            "shifts": "{" + ", ".join(str(s) for s in shifts or [0]) + "}",
            "kind": kind,
            "prefix": "/bare" if bare else "",
            "roster": world.roster_id,
            "seed": SEED,
        }
    )
    url = base + ("/bare" if bare else "")
    done = subprocess.run(
        [
            _wrk(),
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout=10s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-1500:]} {done.stdout[-1500:]}")
    out = done.stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("WRKJSON "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def _check_answers(result: dict[str, Any], allowed: set[str], label: str) -> None:
    unexpected = {k: v for k, v in result["status"].items() if k not in allowed}
    if unexpected or result["errors"]:
        raise RuntimeError(f"{label}: unexpected answers {unexpected}, socket errors {result['errors']}")


def _check_not_overfilled(shift_ids: list[int]) -> tuple[int, int]:
    """(places taken, capacity) over the shifts; raises when any is over-filled or miscounted."""
    from django.db.models import Count, Q

    from scheduling.models import Shift, Signup

    taken = capacity = 0
    rows = Shift.objects.filter(pk__in=shift_ids).annotate(
        confirmed=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED))
    )
    for shift in rows:
        if shift.filled > shift.capacity or shift.filled != shift.confirmed:
            raise RuntimeError(
                f"shift {shift.pk}: filled {shift.filled}, capacity {shift.capacity}, "
                f"confirmed sign-ups {shift.confirmed}"
            )
        taken += shift.filled
        capacity += shift.capacity
    return taken, capacity


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


MEASURES = [
    # kind, short name, name, answers counted as served, goal
    ("open", "open slots", "rosters/{id}/shifts/?open=true", {"200"}, "open"),
    ("commitments", "my commitments", "me/commitments/", {"200"}, "commitments"),
    ("feed200", "my feed 200", "/calendars/<token>.ics, rendered", {"200"}, None),
    ("feed304", "my feed 304", "/calendars/<token>.ics with If-None-Match", {"304"}, "feed304"),
    ("claim", "claim under contention", "POST shifts/{id}/signups/", {"201", "409"}, "claim"),
]


def _merge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one side added up; percentiles are the mean of the rounds' percentiles."""
    status: dict[str, int] = {}
    for r in rounds:
        for k, v in r["status"].items():
            status[k] = status.get(k, 0) + v
    requests = sum(r["requests"] for r in rounds)
    duration = sum(r["duration_us"] for r in rounds)
    merged = {p: sum(r[p] for r in rounds) / len(rounds) for p in ("p50", "p95", "p99")}
    return {
        **merged,
        "requests": requests,
        "duration_us": duration,
        "rate": requests / (duration / 1e6),
        "errors": sum(r["errors"] for r in rounds),
        "status": status,
    }


def _phase(
    base: str, workdir: Path, world: World, *, scale: str, days: int, progress: Callable[[str], None]
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    rows: list[dict[str, Any]] = []
    cost: dict[str, float] = {}
    _refresh_etags(world)
    for kind, short, name, allowed, goal in MEASURES:
        shifts: dict[bool, list[int]] = {}
        if kind == "claim":
            shifts = {
                bare: _claim_shifts(world, label=f"{scale}-{bare}", days=days + 20 * bare)
                for bare in (False, True)
            }
        rounds: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
        load = os.getloadavg()[0]
        # Alternating short rounds (ours, bare, bare, ours): the 2 cores are shared, and a
        # neighbour's burst then lands on both sides instead of on one.
        for r in range(ROUNDS):
            for bare in (False, True) if r % 2 == 0 else (True, False):
                progress(f"{scale}: {kind} ({'bare' if bare else 'ours'}) {r + 1}/{ROUNDS}")
                rounds[bare].append(
                    _load(
                        base,
                        workdir,
                        kind=kind,
                        bare=bare,
                        world=world,
                        shifts=shifts.get(bare, []),
                        seconds=ROUND_SECONDS,
                    )
                )
        load = max(load, os.getloadavg()[0])
        ours, bare_r = _merge(rounds[False]), _merge(rounds[True])
        _check_answers(ours, allowed, f"{scale} {kind} ours")
        _check_answers(bare_r, allowed, f"{scale} {kind} bare")
        note = (
            f"p50/p95/p99 ours {_ms(ours['p50'])}/{_ms(ours['p95'])}/{_ms(ours['p99'])} ms, "
            f"bare {_ms(bare_r['p50'])}/{_ms(bare_r['p95'])}/{_ms(bare_r['p99'])} ms; "
            f"{ours['requests']}+{bare_r['requests']} requests; load avg {load:.1f}"
        )
        if kind == "claim":
            taken_o, cap_o = _check_not_overfilled(shifts[False])
            taken_b, cap_b = _check_not_overfilled(shifts[True])
            answers = ", ".join(f"{k}×{v}" for k, v in sorted(ours["status"].items()))
            note += (
                f"; ours answered {answers}; places taken ours {taken_o}/{cap_o}, "
                f"bare {taken_b}/{cap_b}: none over-filled, filled = confirmed sign-ups"
            )
        rows.append(
            {
                "name": f"{short}: {name}, {scale} shifts",
                "ours": ours["rate"],
                "baseline": bare_r["rate"],
                "unit": "req/s",
                "higher_is_better": True,
                "goal": f"≥ {GOALS[goal]:.2f}× bare view" if goal else "none (render cost, reported)",
                **({"met": ours["rate"] >= GOALS[goal] * bare_r["rate"]} if goal else {}),
                "note": note,
            }
        )
        cost[kind] = 1000 / ours["rate"]  # ms of server capacity per request, at fixed concurrency
        cost[f"{kind}-bare"] = 1000 / bare_r["rate"]
    return rows, cost


def run(progress: Callable[[str], None]) -> list[dict[str, Any]]:
    from django.db import connection

    world = _build_world(progress)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")  # both phases start vacuumed, as _grow_to_100k explains
    progress("recording the real endpoints' SQL")
    capture_shifts = _claim_shifts(world, label="capture", days=600)
    plan = _plan(world, capture_shifts)
    _wrk()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="village-bench-http-") as tmp:
        workdir = Path(tmp)
        plan_path = workdir / "plan.pickle"
        plan_path.write_bytes(pickle.dumps(plan))
        progress("starting gunicorn")
        with _gunicorn(plan_path, workdir / "gunicorn.log") as base:
            try:
                # Warm both workers (imports, connections, first queries) before anything counts.
                _refresh_etags(world)
                for kind, *_rest in MEASURES:
                    for bare in (False, True):
                        progress(f"warming up: {kind}")
                        _load(
                            base,
                            workdir,
                            kind=kind,
                            bare=bare,
                            world=world,
                            shifts=capture_shifts[:2],
                            seconds=1,
                        )
                pages_small = _buffers(plan, world, capture_shifts[0])
                small, cost_small = _phase(base, workdir, world, scale="1k", days=400, progress=progress)
                _grow_to_100k(world, progress)
                pages_big = _buffers(plan, world, capture_shifts[0])
                big, cost_big = _phase(base, workdir, world, scale="100k", days=450, progress=progress)
            except Exception:
                log = (workdir / "gunicorn.log").read_text()[-3000:]
                print(f"gunicorn log:\n{log}", file=sys.stderr)
                raise
    _clean_up(world, progress)
    counts = plan["statement_counts"]
    rows += small + big
    for kind, short, _name, _allowed, _goal in MEASURES:
        rows.append(
            {
                "name": f"{short}: cost per request, 100k vs 1k shifts",
                "ours": cost_big[kind],
                "baseline": cost_small[kind],
                "unit": "ms/req",
                "higher_is_better": False,
                "goal": "growth ≤ 1.3× (ratio ≥ 0.77)",
                "met": cost_big[kind] <= 1.3 * cost_small[kind],
                "note": (
                    f"growth {cost_big[kind] / cost_small[kind]:.2f}×, bare view "
                    f"{cost_big[kind + '-bare'] / cost_small[kind + '-bare']:.2f}×; "
                    f"1/throughput at {CONNECTIONS} connections; PostgreSQL pages read per request "
                    f"{pages_small[kind]} → {pages_big[kind]} in "
                    f"{counts.get(kind, counts.get('claim_lost'))} SQL statements"
                ),
            }
        )
    return rows


if __name__ == "__main__":  # a quick run against the configured database
    sys.path[:0] = [str(REPO / "backend"), str(REPO)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")
    import django

    django.setup()
    for row in run(lambda message: print(message, file=sys.stderr)):
        ratio = row["ours"] / row["baseline"] if row["higher_is_better"] else row["baseline"] / row["ours"]
        print(row, f"ratio {ratio:.2f}")
