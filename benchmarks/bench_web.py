"""Benchmark: the web app under load, many users browsing at once on loopback, against the target.

The requirement: 50 concurrent users browsing, p95 latency of at most 200 ms for every page
tested, and no errors. A throwaway hub is made here (the demo organisations and users, the
register of agreements, a few airlock outputs) and served by `joinedup serve` (waitress) in its
own process on 127.0.0.1, so that server and clients do not share one GIL. Each virtual user is
a thread with its own connection and cookies: it signs in through the real sign-in form (and
the two-factor form for the roles that need it), waits for everyone to be signed in, then
browses the pages of its role (PAGES), starting within one think time (users are not in step)
and thinking between requests, until the run's request budget or time limit is used up.
Sign-in (Argon2 is slow on purpose) is timed apart and is not in the page figures. Each run
signs in fresh accounts; counts are summed over the runs, latencies are medians of the runs'.

    uv run python benchmarks/bench_web.py                      # 50 users, three runs
    uv run python benchmarks/bench_web.py --users 80 --requests 5000 --duration 90 --repeats 1
    uv run python benchmarks/bench_web.py --smoke              # CI: 7 users, a few seconds
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple

import pyotp

from joinedup.web.accounts.policy import Role
from measure import machine

P95_TARGET_MS = 200.0
ERRORS_TARGET = 0


class Page(NamedTuple):
    """A page by its URL name; each argument is formatted with the user's context (Account.context)."""

    url_name: str
    args: tuple[str, ...] = ()


# The pages each role browses, chosen at random (uniformly) one after another. Every one must
# answer 200 to that role. Context keys: {agreement} (a reference from the seed register),
# {own_output} (the user's own approved output), {pending_output} (someone else's output waiting
# for review), {other_user} (the demo executive's user id), {own_case} (a case the user works
# on: practitioners and the coordinator). A new key is filled in `seed`. The person page is not
# here: it needs a linked person index, which this throwaway hub does not have.
EVERYONE = (Page("home"), Page("accounts:api_tokens"))
PAGES: dict[Role, tuple[Page, ...]] = {
    Role.HUB_COORDINATOR: (
        *EVERYONE,
        Page("governance:agreements"),
        Page("governance:agreement", ("{agreement}",)),
        Page("airlock:outputs"),
        Page("airlock:output", ("{own_output}",)),
        Page("airlock:queue"),
        Page("airlock:review", ("{pending_output}",)),
        Page("api:agreements"),
        Page("referrals:triage"),
        Page("cases:cases"),
        Page("cases:case", ("{own_case}",)),
        Page("mdt:meetings"),
        Page("community:directory"),
        Page("jobs:jobs"),
    ),
    Role.ANALYST: (
        *EVERYONE,
        Page("airlock:outputs"),
        Page("airlock:output", ("{own_output}",)),
        Page("airlock:request_table"),
        Page("airlock:download", ("{own_output}", "csv")),
        Page("api:outputs"),
    ),
    Role.PRACTITIONER: (
        *EVERYONE,
        Page("cases:cases"),
        Page("cases:case", ("{own_case}",)),
        Page("api:case", ("{own_case}",)),
        Page("mdt:meetings"),
        Page("referrals:mine"),
        Page("referrals:start"),
    ),
    Role.EXECUTIVE_MEMBER: (
        *EVERYONE,
        Page("dashboard:dashboard"),
        Page("programme:overview"),
        Page("programme:risks"),
        Page("workforce:overview"),
    ),
    Role.PROGRAMME_OFFICER: (
        *EVERYONE,
        Page("programme:overview"),
        Page("programme:timeline"),
        Page("programme:grants"),
        Page("programme:risks"),
        Page("programme:meetings"),
        Page("programme:actions"),
        Page("programme:measures"),
        Page("workforce:overview"),
        Page("community:directory"),
    ),
    Role.IG_LEAD: (
        *EVERYONE,
        Page("governance:agreements"),
        Page("governance:agreement", ("{agreement}",)),
        Page("governance:agreement_edit", ("{agreement}",)),
        Page("audit:events"),
        Page("people:break_glass_reviews"),
        Page("people:requests"),
        Page("airlock:queue"),
        Page("airlock:review", ("{pending_output}",)),
    ),
    Role.ADMINISTRATOR: (
        *EVERYONE,
        Page("accounts:users"),
        Page("accounts:user_roles", ("{other_user}",)),
        Page("governance:agreements"),
    ),
}
# Users are given roles in turn, in this order: with 50 users, 7 or 8 per role.
ROLES = tuple(Role)


@dataclass(frozen=True)
class Scale:
    users: int
    requests: int  # page requests per run, at most
    duration: float  # seconds of browsing per run, at most
    think: tuple[float, float]  # seconds between one user's requests, uniform
    ramp: float  # seconds over which the users start signing in
    repeats: int


FULL = Scale(users=50, requests=2500, duration=60.0, think=(0.5, 1.5), ramp=5.0, repeats=3)
SMOKE = Scale(users=len(ROLES), requests=70, duration=10.0, think=(0.05, 0.2), ramp=1.0, repeats=1)


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: Role
    totp_secret: str  # empty for roles that do not need two-factor sign-in
    context: dict[str, str]


# --- The hub ------------------------------------------------------------------------------


def seed(home: Path, users: int, repeats: int) -> list[list[Account]]:
    """A hub at ``home`` with the demo partnership, the register and outputs; returns the
    accounts each run signs in as (run 1 starts with the seven demo users themselves)."""
    from joinedup.web.cli import open_hub

    open_hub(home)
    from django.contrib.auth.hashers import make_password
    from django.db import connections, transaction

    from joinedup.web.accounts.models import User
    from joinedup.web.accounts.policy import Permission, needs_two_factor, permissions_of
    from joinedup.web.airlock import release
    from joinedup.web.airlock.models import Kind
    from joinedup.web.airlock.outputs import table_content
    from joinedup.web.audit.chain import record
    from joinedup.web.cases.casework import open_case
    from joinedup.web.demo import DEMO_USERS, seed_demo, seed_programme
    from joinedup.web.governance.importer import import_register

    report = seed_demo()
    demo_passwords = report.new_passwords
    seed_programme(report)  # the programme's pages show the seed programme, as in the demo
    references = import_register(actor="bench_web").created
    demo = {u.role: User.objects.get(email=u.email) for u in DEMO_USERS}
    # One Argon2 hash for every extra account: hashing each would only slow the seeding down.
    shared_password = secrets.token_urlsafe(15)
    shared_hash = make_password(shared_password)
    table = table_content(b"ward,people\nAstley,112\nChisnall,87\nClayton,240\nEuxton,65\n")

    def output(user: User, title: str, approve: bool) -> str:
        made = release.request_release(
            user, title=title, purpose="Load test", kind=Kind.TABLE, content=table
        )
        if approve:
            release.decide(made.pk, demo[Role.IG_LEAD], approve=True, reason="Load test")
        return str(made.pk)

    pending = output(demo[Role.ANALYST], "Waiting for review", approve=False)
    runs: list[list[Account]] = []
    with transaction.atomic():
        for run in range(repeats):
            accounts = []
            for number in range(users):
                role = ROLES[number % len(ROLES)]
                # Two-factor set up already, as after a first sign-in: codes come from pyotp.
                secret = pyotp.random_base32() if needs_two_factor(frozenset({role})) else ""
                if run == 0 and number < len(ROLES):
                    user, password = demo[role], demo_passwords[demo[role].email]
                    user.totp_secret = secret
                    user.save(update_fields=["totp_secret_encrypted"])
                else:
                    user = User.objects.create_user(
                        f"bench-{run + 1}-{number + 1:03d}.{role.value}@demo.example",
                        None,
                        organisation=demo[role].organisation,
                        full_name=f"Load Test {run + 1}-{number + 1}",
                        roles=(role,),
                        totp_secret=secret,
                    )
                    user.password, password = shared_hash, shared_password
                    user.save(update_fields=["password"])
                    record(
                        "user.created",
                        actor="bench_web",
                        object_type="user",
                        object_id=str(user.pk),
                    )
                context = {
                    "agreement": references[number % len(references)],
                    "pending_output": pending,
                    "other_user": str(demo[Role.EXECUTIVE_MEMBER].pk),
                }
                if Permission.WORK_CASES in permissions_of(frozenset({role})):
                    context["own_case"] = str(
                        open_case(
                            f"P{run:02d}{number:07d}",
                            organisation=user.organisation,
                            opened_by=demo[Role.HUB_COORDINATOR],
                            lead_professional=user,
                        ).pk
                    )
                if Permission.REQUEST_OUTPUTS in permissions_of(frozenset({role})):
                    context["own_output"] = output(user, f"Counts by ward {number}", approve=True)
                accounts.append(Account(user.email, password, role, secret, context))
            runs.append(accounts)
    connections.close_all()
    return runs


def page_paths(accounts: list[Account]) -> dict[str, list[tuple[str, str]]]:
    """For each account's email, its role's pages as (URL name, path)."""
    from django.urls import reverse

    return {
        account.email: [
            (
                page.url_name,
                reverse(page.url_name, args=[a.format(**account.context) for a in page.args]),
            )
            for page in PAGES[account.role]
        ]
        for account in accounts
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(home: Path, port: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "joinedup.cli", "serve", "--home", str(home)]
    command += ["--port", str(port), "--threads", str(threads)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"joinedup serve exited {server.returncode}\n{log.read_text()[-3000:]}"
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    server.kill()
    raise SystemExit(
        f"joinedup serve did not answer /health/ within 60 s\n{log.read_text()[-3000:]}"
    )


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), from /proc; None where there is no /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def queue_depths(log: Path, start: int) -> list[int]:
    """Waitress's warnings that a request waited for a worker thread, written after ``start``."""
    with log.open("rb") as lines:
        lines.seek(start)
        text = lines.read().decode(errors="replace")
    return [int(depth) for depth in re.findall(r"Task queue depth is (\d+)", text)]


# --- One virtual user ---------------------------------------------------------------------

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignInError(Exception):
    pass


class SignInForms(NamedTuple):
    password: str  # the sign-in page's path
    code: str  # the two-factor page's path


class Browser:
    """One user's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        """Status, Location header and body."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        data = response.read()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.getheader("Location", ""), data

    def form(self, path: str, fields: dict[str, str]) -> str:
        """GET the form at ``path``, POST it with its CSRF token; the redirect's Location."""
        status, _, page = self.request("GET", path)
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise SignInError(f"GET {path}: {status}, {'no' if token is None else 'a'} CSRF token")
        fields = {"csrfmiddlewaretoken": token.group(1).decode(), **fields}
        status, location, _ = self.request("POST", path, fields)
        if status != 302:
            raise SignInError(f"POST {path}: {status}, not a redirect")
        return location

    def sign_in(self, account: Account, forms: SignInForms) -> None:
        details = {"email": account.email, "password": account.password, "next": "/"}
        if self.form(forms.password, details) != "/":
            raise SignInError("the sign-in form did not send the user on")
        if account.totp_secret:
            code = pyotp.TOTP(account.totp_secret).now()
            if self.form(forms.code, {"code": code}) != "/":
                raise SignInError("the two-factor form did not send the user on")

    def close(self) -> None:
        self.connection.close()


@dataclass
class Budget:
    """The run's page requests, shared by its users; none left once the time is up."""

    left: int
    deadline: float = math.inf
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


@dataclass
class UserResult:
    sign_in_seconds: float = 0.0
    sign_in_error: str = ""
    samples: list[tuple[str, float, int]] = field(default_factory=list)  # page, ms, status
    exceptions: list[str] = field(default_factory=list)


def virtual_user(
    port: int,
    account: Account,
    forms: SignInForms,
    pages: list[tuple[str, str]],
    scale: Scale,
    start_after: float,
    everyone_in: threading.Barrier,
    budget: Budget,
    rng: random.Random,
    result: UserResult,
) -> None:
    browser = Browser(port)
    try:
        time.sleep(start_after)
        started = time.perf_counter()
        try:
            browser.sign_in(account, forms)
        except (SignInError, OSError, http.client.HTTPException) as error:
            result.sign_in_error = f"{account.email}: {error}"
        result.sign_in_seconds = time.perf_counter() - started
        try:
            everyone_in.wait()
        except threading.BrokenBarrierError:
            return
        if result.sign_in_error:
            return
        # Users are not in step: each starts after a think time, not all 50 in the same instant.
        time.sleep(rng.uniform(0.0, scale.think[1]))
        while budget.take():
            name, path = rng.choice(pages)
            started = time.perf_counter()
            try:
                status, _, _ = browser.request("GET", path)
            except (OSError, http.client.HTTPException) as error:
                result.exceptions.append(f"{name}: {type(error).__name__}: {error}")
                browser.close()  # the next request opens a new connection
                status = 0
            result.samples.append((name, 1000 * (time.perf_counter() - started), status))
            pause = rng.uniform(*scale.think)
            time.sleep(max(0.0, min(pause, budget.deadline - time.monotonic())))
    finally:
        browser.close()


# --- One run, and the figures -------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    count: int
    errors: int
    p50: float
    p95: float
    p99: float
    worst: float


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def figures(samples: list[tuple[float, bool]]) -> Figures:
    """From (time, succeeded) pairs: a failure counts as an error, and its time is kept."""
    ordered = sorted(seconds for seconds, _ in samples) or [math.nan]
    return Figures(
        len(samples),
        sum(1 for _, ok in samples if not ok),
        percentile(ordered, 50),
        percentile(ordered, 95),
        percentile(ordered, 99),
        ordered[-1],
    )


@dataclass(frozen=True)
class Run:
    pages: dict[str, Figures]  # by URL name, and "all pages"
    sign_in: Figures  # seconds, not ms
    sign_in_errors: list[str]
    exceptions: list[str]
    seconds: float  # browsing, from everyone signed in to the last request
    queued: list[int]  # waitress's queue depth each time a request waited for a thread
    throughput: float  # page requests per second


def run_once(port: int, log: Path, accounts: list[Account], scale: Scale, seed_value: int) -> Run:
    from django.urls import reverse

    paths = page_paths(accounts)
    forms = SignInForms(reverse("accounts:login"), reverse("accounts:two_factor_verify"))
    budget = Budget(scale.requests)
    browsing_started: list[float] = []
    log_at: list[int] = []

    def everyone_signed_in() -> None:
        browsing_started.append(time.perf_counter())
        log_at.append(log.stat().st_size)
        budget.deadline = time.monotonic() + scale.duration

    # Past this the server is taken to be stuck: time for every sign-in (Argon2 is slow, more
    # so when 50 come at once on a small machine), then the browsing, with room to spare.
    barrier = threading.Barrier(len(accounts), action=everyone_signed_in)
    results = [UserResult() for _ in accounts]
    threads = [
        threading.Thread(
            target=virtual_user,
            args=(
                port,
                account,
                forms,
                paths[account.email],
                scale,
                scale.ramp * number / len(accounts),
                barrier,
                budget,
                random.Random(seed_value * 1000 + number),
                results[number],
            ),
            daemon=True,
        )
        for number, account in enumerate(accounts)
    ]
    for thread in threads:
        thread.start()
    give_up = time.monotonic() + scale.ramp + 60 + len(accounts) + scale.duration + 30
    for thread in threads:
        thread.join(max(0.0, give_up - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        barrier.abort()
        raise SystemExit("the run did not finish in time: is the server stuck?")
    ended = time.perf_counter()
    by_page: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    by_page["all pages"] = []
    refused: Counter[str] = Counter()
    for result in results:
        for name, ms, status in result.samples:
            by_page[name].append((ms, status == 200))
            by_page["all pages"].append((ms, status == 200))
            if status not in (0, 200):
                refused[f"{name} answered {status}"] += 1
    seconds = ended - browsing_started[0] if browsing_started else math.nan
    sign_ins = [(r.sign_in_seconds, not r.sign_in_error) for r in results]
    return Run(
        pages={name: figures(samples) for name, samples in by_page.items()},
        sign_in=figures(sign_ins),
        sign_in_errors=[r.sign_in_error for r in results if r.sign_in_error],
        exceptions=[e for r in results for e in r.exceptions]
        + [f"{what} ({count}x)" for what, count in refused.items()],
        seconds=seconds,
        queued=queue_depths(log, log_at[0]) if log_at else [],
        throughput=len(by_page["all pages"]) / seconds,
    )


def median_figures(all_runs: list[Figures]) -> Figures:
    """Counts and errors summed over the runs; each latency the median of the runs'."""
    return Figures(
        sum(f.count for f in all_runs),
        sum(f.errors for f in all_runs),
        statistics.median(f.p50 for f in all_runs),
        statistics.median(f.p95 for f in all_runs),
        statistics.median(f.p99 for f in all_runs),
        statistics.median(f.worst for f in all_runs),
    )


def report(runs: list[Run], smoke: bool) -> bool:
    """Print the table; True when every target is met (in --smoke, only the errors count)."""
    names = [n for n in dict.fromkeys(n for r in runs for n in r.pages) if n != "all pages"]
    met = True
    print(
        f"{'page':<28} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'target p95, errors':>19}"
    )
    for name in [*sorted(names), "all pages"]:
        f = median_figures([r.pages[name] for r in runs if name in r.pages])
        slow = f.p95 > P95_TARGET_MS
        verdict = "ERRORS" if f.errors > ERRORS_TARGET else "SLOW" if slow else "ok"
        met = met and f.errors <= ERRORS_TARGET and (smoke or not slow)
        print(
            f"{name:<28} {f.count:>8,} {f.errors:>6} {f.p50:>7.1f} {f.p95:>7.1f} {f.p99:>7.1f} "
            f"{f.worst:>7.1f} {f'<= {P95_TARGET_MS:.0f} ms, {ERRORS_TARGET}':>19} {verdict}"
        )
    s = median_figures([r.sign_in for r in runs])
    print(
        f"{'sign-in (apart, Argon2)':<28} {s.count:>8,} {s.errors:>6} {1000 * s.p50:>7.0f} "
        f"{1000 * s.p95:>7.0f} {1000 * s.p99:>7.0f} {1000 * s.worst:>7.0f} {'-, 0':>19} "
        f"{'ERRORS' if s.errors else 'ok'}"
    )
    met = met and s.errors == 0
    throughput = statistics.median(r.throughput for r in runs)
    seconds = statistics.median(r.seconds for r in runs)
    print(f"throughput: {throughput:.1f} pages/s over {seconds:.1f} s of browsing (medians)")
    if len(runs) > 1:
        each = ", ".join(f"{r.pages['all pages'].p95:.1f}" for r in runs if "all pages" in r.pages)
        print(f"all pages p95 by run: {each} ms")
    queued = [depth for r in runs for depth in r.queued]
    print(
        f"while browsing, a request waited for a free waitress thread {len(queued)} times"
        + (f" (queue up to {max(queued)})" if queued else "")
    )
    for problem in [e for r in runs for e in r.sign_in_errors + r.exceptions][:10]:
        print(f"  error: {problem}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--users",
        type=int,
        default=FULL.users,
        help="concurrent users (waitress takes 100 at most)",
    )
    parser.add_argument(
        "--requests", type=int, default=FULL.requests, help="page requests per run, at most"
    )
    parser.add_argument(
        "--duration", type=float, default=FULL.duration, help="seconds of browsing per run, at most"
    )
    parser.add_argument("--think-min", type=float, default=FULL.think[0], help="seconds")
    parser.add_argument("--think-max", type=float, default=FULL.think[1], help="seconds")
    parser.add_argument(
        "--ramp", type=float, default=FULL.ramp, help="seconds to start every user signing in"
    )
    parser.add_argument("--repeats", type=int, default=FULL.repeats)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--seed", type=int, default=1, help="for the users' choices of page")
    parser.add_argument("--smoke", action="store_true", help="CI: 7 users, a few seconds, once")
    args = parser.parse_args(argv)
    scale = (
        SMOKE
        if args.smoke
        else Scale(
            args.users,
            args.requests,
            args.duration,
            (args.think_min, args.think_max),
            args.ramp,
            args.repeats,
        )
    )
    print(f"{machine()}; load average {os.getloadavg()[0]:.1f} (other work slows the figures)")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as temp:
        home = Path(temp) / "hub"
        started = time.perf_counter()
        accounts = seed(home, scale.users, scale.repeats)
        print(
            f"hub seeded in {time.perf_counter() - started:.1f} s; {scale.users} users "
            f"(roles in turn), at most {scale.requests:,} page requests or {scale.duration:.0f} s "
            f"of browsing per run, think {scale.think[0]}-{scale.think[1]} s, "
            f"{scale.repeats} run{'s' if scale.repeats > 1 else ''}, waitress {args.threads} threads"
        )
        port = free_port()
        log = Path(temp) / "serve.log"
        server = start_server(home, port, args.threads, log)
        try:
            runs = [
                run_once(port, log, accounts[number], scale, args.seed + number)
                for number in range(scale.repeats)
            ]
            peak = peak_rss_mib(server.pid)
        except BaseException:
            print(f"server log, the end:\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
        met = report(runs, args.smoke)
        print(f"server peak resident memory: {f'{peak:.0f} MiB' if peak else 'not known'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
