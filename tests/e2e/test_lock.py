"""The sync lock excludes (issue 10): atomic take-over, release of one's own lock only."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime, timedelta

from chatops.adapters.gitlab import GitLabTracker
from chatops.adapters.gitlab_lock import GitLabLock
from chatops.config import Http
from chatops.core.labels import SYNC_LOCK
from chatops_emulator import Emulator
from tests.e2e.conftest import Harness, chatops_command
from tests.e2e.test_sync import GITALY_42, mark_paged, notes_of_42

PROJECT = "gitlab-com/gl-infra/production"
TTL = timedelta(minutes=15)


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plant(emu: Emulator, expires: datetime, holder: str = "job 1 (dead)") -> int:
    """A lock label as a run leaves it (GitLabLock's own description format)."""
    label = emu.gitlab.ensure_label(PROJECT, SYNC_LOCK)
    label.description = f"chatops lock held by {holder} expires={stamp(expires)}"
    return label.id


def lock(emu: Emulator, holder: str, clock: datetime | None = None) -> GitLabLock:
    env = emu.env()
    tracker = GitLabTracker(env["GITLAB_URL"], env["GITLAB_TOKEN"], emu.ca_file, Http())
    now = (lambda: clock) if clock else (lambda: datetime.now(UTC))
    return GitLabLock(tracker, PROJECT, SYNC_LOCK, holder, TTL, now)


def lock_labels(emu: Emulator) -> list[dict[str, object]]:
    return [lb for lb in emu.gitlab.labels(PROJECT) if lb["name"] == SYNC_LOCK]


def race(runs: list[GitLabLock]) -> list[str | None]:
    """Both runs call acquire() at the same instant; their answers."""
    barrier = threading.Barrier(len(runs))
    answers: list[str | None] = ["not run"] * len(runs)

    def take(n: int) -> None:
        barrier.wait()
        answers[n] = runs[n].acquire()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(len(runs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return list(answers)


def test_two_runs_taking_over_a_stale_lock_never_both_get_it() -> None:
    with Emulator.start(latency=0.03) as emu:
        for round_ in range(6):
            for label in lock_labels(emu):
                emu.gitlab.project(PROJECT).labels.pop(str(label["name"]))
            plant(emu, datetime.now(UTC) - timedelta(minutes=1 + round_))
            runs = [lock(emu, f"job {round_}-{n}") for n in range(2)]
            answers = race(runs)
            assert answers.count(None) == 1, answers  # exactly one holds it
            (label,) = lock_labels(emu)
            winner = runs[answers.index(None)]
            assert f"held by job {round_}-{answers.index(None)} " in str(label["description"])
            loser = runs[1 - answers.index(None)]
            loser.release()  # holds nothing: deletes nothing
            assert len(lock_labels(emu)) == 1
            winner.release()
            assert lock_labels(emu) == []


def test_release_never_deletes_a_lock_another_run_took_over() -> None:
    with Emulator.start() as emu:
        now = datetime.now(UTC)
        first = lock(emu, "job A", now)
        assert first.acquire() is None
        (mine,) = lock_labels(emu)
        later = lock(emu, "job B", now + TTL + timedelta(minutes=1))  # A's lock expired
        assert later.acquire() is None
        assert later.taken_over and "expired" in later.taken_over[0]
        (theirs,) = lock_labels(emu)
        assert theirs["id"] != mine["id"]
        first.release()  # A finishes late: B's lock stays
        assert [lb["id"] for lb in lock_labels(emu)] == [theirs["id"]]
        later.release()
        assert lock_labels(emu) == []


def test_a_far_future_expiry_is_stale_and_a_live_lock_is_respected() -> None:
    with Emulator.start() as emu:
        now = datetime.now(UTC)
        plant(emu, now + timedelta(days=3650), "a forged or clock-skewed run")
        run = lock(emu, "job C", now)
        assert run.acquire() is None
        assert "beyond the lock's lifetime" in run.taken_over[0]
        run.release()
        plant(emu, now + timedelta(minutes=5), "job D")
        busy = lock(emu, "job E", now).acquire()
        assert busy == f"job D, until {stamp(now + timedelta(minutes=5))}"
        assert len(lock_labels(emu)) == 1


def test_two_syncs_racing_on_a_stale_lock_never_both_write(harness: Harness) -> None:
    mark_paged(harness)
    pd, t0 = harness.emu.pagerduty, datetime.now(UTC) - timedelta(minutes=10)
    incident = pd.trigger("PSVCGIT", "x", dedup_key=GITALY_42, at=t0)
    pd.escalate(incident["id"], 2, at=t0 + timedelta(minutes=1))
    pd.acknowledge(incident["id"], "PUSRGRC", at=t0 + timedelta(minutes=2))
    plant(harness.emu, datetime.now(UTC) - timedelta(minutes=1))  # a run died
    harness.emu.latency = 0.05  # delayed answers widen the window in which they overlap
    runs = [subprocess.Popen([*chatops_command(), "sync"], env=harness.env(), cwd=harness.tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    results = [next(ln for ln in out.splitlines() if ln.startswith("RESULT ")) for out in outputs]
    writers = [r for r in results if r.startswith("RESULT outcome=ok")
               and "notes_added=0" not in r]
    assert len(writers) == 1, outputs
    skipped = [out for out in outputs if "RESULT outcome=skipped" in out]
    assert all("WARNING sync did NOT run" in out for out in skipped)
    assert [run.returncode for run in runs].count(0) >= 1
    # One sync comment per issue and run, one marker line per entry: every entry once.
    markers = [line for n in notes_of_42(harness) for line in n.split("\n")
               if line.startswith("<!-- chatops:v1 ")]
    assert len(markers) == len(set(markers)) >= 4
    assert sum("WARNING took over a stale lock" in out for out in outputs) <= 2
    assert lock_labels(harness.emu) == []


def test_a_skipped_sync_fails_loudly(harness: Harness) -> None:
    plant(harness.emu, datetime.now(UTC) + timedelta(minutes=10), "job 7 (still running?)")
    job = harness.run("sync")
    assert job.returncode == 1 and job.result.startswith("RESULT outcome=skipped")
    assert "WARNING sync did NOT run: another run holds the lock (job 7 (still running?), " \
        "until " in job.stdout
    assert f"delete the label {SYNC_LOCK} in {PROJECT}" in job.stdout
    plant(harness.emu, datetime.now(UTC) + timedelta(days=365 * 50), "job 8")
    job = harness.run("sync")  # an expiry beyond the lifetime: taken over, never stuck
    assert job.returncode == 0 and job.result.startswith("RESULT outcome=ok"), job.stdout
    assert f"WARNING took over a stale lock: label {SYNC_LOCK}" in job.stdout
