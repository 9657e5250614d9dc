"""HTTPS, recording, latency, faults and the `python -m chatops_emulator` entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gitlab
import pytest
import requests

from chatops_emulator import Emulator, Fault

PRODUCTION = "gitlab-com/gl-infra/production"
PRODUCTION_API = "/api/v4/projects/gitlab-com%2Fgl-infra%2Fproduction"


def test_serves_real_tls_trusted_only_through_the_emulator_ca(emu: Emulator) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{emu.gitlab_url}/api/v4/projects/7", timeout=5)
    response = requests.get(f"{emu.gitlab_url}/api/v4/projects/2009", verify=emu.ca_file,
                            timeout=5)
    assert response.status_code == 200
    assert response.raw.version == 11
    assert response.headers["Content-Type"] == "application/json"
    assert int(response.headers["Content-Length"]) == len(response.content)
    for url in (emu.gitlab_url, emu.pagerduty_api_url, emu.pagerduty_events_url):
        assert url.startswith("https://127.0.0.1:")
    localhost = emu.gitlab_url.replace("127.0.0.1", "localhost")
    assert requests.get(f"{localhost}/api/v4/projects/2009", verify=emu.ca_file,
                        timeout=5).status_code == 200


def test_keep_alive_connection_is_reused(emu: Emulator, glapi: requests.Session) -> None:
    first = glapi.get(f"{emu.gitlab_url}/api/v4/projects/7", stream=True)
    assert first.raw.connection is not None
    sock = first.raw.connection.sock
    first.content  # noqa: B018 - read the body so the connection goes back to the pool
    second = glapi.get(f"{emu.gitlab_url}/api/v4/projects/7", stream=True)
    assert second.raw.connection is not None and second.raw.connection.sock is sock
    assert second.headers.get("Connection", "").lower() != "close"


def test_requests_are_recorded_in_arrival_order(emu: Emulator, glapi: requests.Session) -> None:
    glapi.get(f"{emu.gitlab_url}{PRODUCTION_API}/issues",
              params=[("iids[]", "1"), ("iids[]", "2"), ("state", "opened")])
    glapi.post(f"{emu.gitlab_url}{PRODUCTION_API}/issues", json={"title": "recorded"})
    first, second = emu.requests
    assert (first.service, first.method, first.status) == ("gitlab", "GET", 200)
    assert first.path == f"{PRODUCTION_API}/issues"
    assert first.query == [("iids[]", "1"), ("iids[]", "2"), ("state", "opened")]
    assert first.headers["private-token"] == emu.env()["GITLAB_TOKEN"]
    assert second.body == '{"title": "recorded"}' and second.status == 201
    assert first.started <= first.finished <= second.started and not second.dropped
    emu.clear_requests()
    assert emu.requests == []


def test_latency_is_applied_to_every_request_and_settable(emu: Emulator,
                                                          glapi: requests.Session) -> None:
    emu.latency = 0.2
    started = time.monotonic()
    glapi.get(f"{emu.gitlab_url}/api/v4/projects/7")
    assert time.monotonic() - started >= 0.2
    assert emu.requests[-1].finished - emu.requests[-1].started >= 0.2
    emu.latency = 0.0
    glapi.get(f"{emu.gitlab_url}/api/v4/projects/7")
    # Server-side handling time: a client-side wall clock also counts TLS and scheduling,
    # which on a loaded machine can pass 0.2 s by themselves (a timing-fragile bound).
    assert emu.requests[-1].finished - emu.requests[-1].started < 0.2


def test_fault_status_times_and_order(emu: Emulator, glapi: requests.Session) -> None:
    first = emu.add_fault(Fault(service="gitlab", method="GET", path=r"/projects/7$",
                                status=500, times=2))
    second = emu.add_fault(Fault(service="gitlab", method="*", path=r"/projects/7$",
                                 status=502))
    url = f"{emu.gitlab_url}/api/v4/projects/7"
    statuses = [glapi.get(url).status_code for _ in range(4)]
    assert statuses == [500, 500, 502, 200]
    assert (first.hits, second.hits) == (2, 1)
    assert glapi.get(url).json()["id"] == 7
    assert glapi.post(url).status_code == 404  # method did not match any remaining fault


def test_fault_path_matches_the_decoded_path_and_other_methods_pass(
        emu: Emulator, glapi: requests.Session) -> None:
    fault = emu.add_fault(Fault(service="gitlab", method="POST",
                                path=f"{PRODUCTION}/issues$", status=503))
    assert glapi.get(f"{emu.gitlab_url}{PRODUCTION_API}/issues").status_code == 200
    response = glapi.post(f"{emu.gitlab_url}{PRODUCTION_API}/issues", json={"title": "x"})
    assert response.status_code == 503
    assert response.json() == {"message": "503 Service Unavailable"}
    assert fault.hits == 1 and emu.gitlab.issues(PRODUCTION) == []


def test_rate_limit_fault_has_gitlab_headers_and_python_gitlab_obeys_it(
        emu: Emulator, gl: gitlab.Gitlab) -> None:
    fault = emu.add_fault(Fault(service="gitlab", path=r"/projects/", status=429,
                                retry_after=1))
    started = time.monotonic()
    project = gl.projects.get(PRODUCTION)
    assert project.id == 7 and fault.hits == 1
    assert time.monotonic() - started >= 1.0
    throttled = emu.requests[0]
    assert throttled.status == 429 and emu.requests[1].status == 200
    emu.add_fault(Fault(service="gitlab", path=r"/projects/", status=429, retry_after=7))
    response = requests.get(f"{emu.gitlab_url}/api/v4/projects/7", verify=emu.ca_file,
                            timeout=10)
    assert response.status_code == 429 and response.text == "Retry later\n"
    assert response.headers["Retry-After"] == "7"
    assert response.headers["RateLimit-Remaining"] == "0"
    assert int(response.headers["RateLimit-Reset"]) >= int(time.time()) + 6
    assert response.headers["RateLimit-ResetTime"].endswith("GMT")
    assert {"RateLimit-Limit", "RateLimit-Observed", "RateLimit-Name"} <= set(response.headers)


def test_drop_closes_the_connection_without_a_response(emu: Emulator,
                                                      glapi: requests.Session) -> None:
    emu.add_fault(Fault(service="gitlab", method="POST", path=r"/issues$", drop=True))
    with pytest.raises(requests.exceptions.ConnectionError):
        glapi.post(f"{emu.gitlab_url}{PRODUCTION_API}/issues", json={"title": "lost"})
    assert emu.gitlab.issues(PRODUCTION) == []
    record = emu.requests[-1]
    assert record.dropped and record.status == 0


def test_apply_first_processes_the_request_then_fails(emu: Emulator,
                                                     glapi: requests.Session) -> None:
    emu.add_fault(Fault(service="gitlab", method="POST", path=r"/issues$", status=502,
                        apply_first=True))
    response = glapi.post(f"{emu.gitlab_url}{PRODUCTION_API}/issues", json={"title": "ghost"})
    assert response.status_code == 502
    assert [i["title"] for i in emu.gitlab.issues(PRODUCTION)] == ["ghost"]
    emu.add_fault(Fault(service="gitlab", method="POST", path=r"/issues$", drop=True,
                        apply_first=True))
    with pytest.raises(requests.exceptions.ConnectionError):
        glapi.post(f"{emu.gitlab_url}{PRODUCTION_API}/issues", json={"title": "ghost 2"})
    assert len(emu.gitlab.issues(PRODUCTION)) == 2


def test_delay_forces_a_client_timeout(emu: Emulator, glapi: requests.Session) -> None:
    emu.add_fault(Fault(service="gitlab", path=r"/projects/7$", status=503, delay=1.0))
    with pytest.raises(requests.exceptions.ReadTimeout):
        glapi.get(f"{emu.gitlab_url}/api/v4/projects/7", timeout=0.3)
    emu.add_fault(Fault(service="gitlab", path=r"/projects/7$", status=None, delay=0.3))
    started = time.monotonic()
    assert glapi.get(f"{emu.gitlab_url}/api/v4/projects/7", timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_in_flight_requests_are_visible_before_they_are_answered(
        emu: Emulator, glapi: requests.Session) -> None:
    emu.add_fault(Fault(service="gitlab", method="POST", path=r"/issues$", status=None,
                        delay=0.5))
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(glapi.post, f"{emu.gitlab_url}{PRODUCTION_API}/issues",
                             json={"title": "slow"})
        deadline = time.monotonic() + 5
        while not emu.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        (pending,) = emu.requests
        assert (pending.status, pending.finished, pending.body) == (0, 0.0, '{"title": "slow"}')
        assert future.result().status_code == 201
    (done,) = emu.requests
    assert done.status == 201 and done.finished - done.started >= 0.5


def test_fault_body_override(emu: Emulator) -> None:
    emu.add_fault(Fault(service="pd-events", path="enqueue", status=500,
                        body={"status": "error", "message": "boom"}))
    response = requests.post(f"{emu.pagerduty_events_url}/v2/enqueue", json={},
                             verify=emu.ca_file, timeout=10)
    assert response.status_code == 500 and response.json()["message"] == "boom"


def test_env_and_secrets(emu: Emulator) -> None:
    env = emu.env()
    assert env["GITLAB_URL"] == emu.gitlab_url
    assert env["PAGERDUTY_API_URL"] == emu.pagerduty_api_url
    assert env["PAGERDUTY_EVENTS_URL"] == emu.pagerduty_events_url
    assert env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"] == emu.ca_file
    assert Path(emu.ca_file).read_text().startswith("-----BEGIN CERTIFICATE-----")
    secrets = set(emu.secrets())
    assert {env["GITLAB_TOKEN"], env["PAGERDUTY_API_TOKEN"],
            env["PAGERDUTY_ROUTING_KEY_GITALY"], env["PAGERDUTY_ROUTING_KEY_DATABASE"]} == secrets
    assert len(env["PAGERDUTY_ROUTING_KEY_GITALY"]) == 32


def test_stop_releases_ports_and_ca_directory() -> None:
    emulator = Emulator.start()
    url, ca_file = emulator.gitlab_url, emulator.ca_file
    emulator.stop()
    assert not os.path.exists(ca_file)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{url}/api/v4/projects/2009", timeout=2)


def test_module_entry_point_prints_env_and_serves() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "chatops_emulator"], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        env = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(9))
        assert set(env) >= {"GITLAB_URL", "GITLAB_TOKEN", "SSL_CERT_FILE"}
        response = requests.get(f"{env['GITLAB_URL']}/api/v4/user", verify=env["SSL_CERT_FILE"],
                                headers={"PRIVATE-TOKEN": env["GITLAB_TOKEN"]}, timeout=5)
        assert response.json()["username"] == "chatops-bot"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
