"""The Emulator: GitLab, PagerDuty REST and PagerDuty Events over real HTTPS on loopback."""

from __future__ import annotations

import shutil
import ssl
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import trustme

from chatops_emulator import seed
from chatops_emulator.core import App
from chatops_emulator.gitlab import GitLabApp
from chatops_emulator.gitlab_state import GitLabState
from chatops_emulator.pagerduty import PagerDutyRestApp
from chatops_emulator.pagerduty_events import PagerDutyEventsApp
from chatops_emulator.pagerduty_state import PagerDutyState
from chatops_emulator.server import Fault, Hub, RecordedRequest, TLSServer


class Emulator:
    """Three HTTPS servers with shared latency, faults and a request log."""

    def __init__(self, latency: float = 0.0, tier: str = "free") -> None:
        self._hub = Hub(latency=latency)
        self._tmp = Path(tempfile.mkdtemp(prefix="chatops-emulator-"))
        ca = trustme.CA(organization_name="ChatOps emulator")
        self.ca_file = str(self._tmp / "emulator-ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.gitlab = GitLabState(tier=tier)  # "free" or "premium" (gitlab_scoped.py)
        self.pagerduty = PagerDutyState()
        apps: list[App] = [GitLabApp(self.gitlab), PagerDutyRestApp(self.pagerduty),
                           PagerDutyEventsApp(self.pagerduty)]
        self._servers = [TLSServer(app, self._hub, context) for app in apps]
        self._threads: list[threading.Thread] = []
        urls = [f"https://127.0.0.1:{server.server_port}" for server in self._servers]
        self.gitlab_url, self.pagerduty_api_url, self.pagerduty_events_url = urls
        self.gitlab.base_url, self.pagerduty.api_base = self.gitlab_url, self.pagerduty_api_url
        seed.seed_gitlab(self.gitlab)
        seed.seed_pagerduty(self.pagerduty)

    @classmethod
    def start(cls, latency: float = 0.0, tier: str = "free") -> Emulator:
        """Create, seed and start serving (daemon threads)."""
        emulator = cls(latency, tier)
        for server in emulator._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"emulator-{server.app.service}", daemon=True)
            thread.start()
            emulator._threads.append(thread)
        return emulator

    def stop(self) -> None:
        """Stop the servers and remove the CA directory."""
        self._hub.stopping.set()
        if self._threads:
            stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
            for stopper in stoppers:
                stopper.start()
            for stopper in [*stoppers, *self._threads]:
                stopper.join(timeout=5)
        for server in self._servers:
            server.server_close()
        self._threads = []
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def latency(self) -> float:
        """Seconds slept before answering every request."""
        return self._hub.latency

    @latency.setter
    def latency(self, value: float) -> None:
        self._hub.latency = float(value)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests in arrival order, including ones still being handled (status 0)."""
        return self._hub.snapshot()

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._hub.lock:
            self._hub.records.clear()

    def add_fault(self, fault: Fault) -> Fault:
        """Inject a fault; faults are consumed in order of addition."""
        with self._hub.lock:
            self._hub.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove every fault, used or not."""
        with self._hub.lock:
            self._hub.faults.clear()

    def secrets(self) -> list[str]:
        """Every token and routing key the emulator accepts."""
        with self.gitlab.lock, self.pagerduty.lock:
            return [*self.gitlab.tokens, *sorted(self.pagerduty.tokens),
                    *self.pagerduty.routing_keys()]

    def env(self) -> dict[str, str]:
        """Environment variables for running the ChatOps CLI against the emulator."""
        return {
            "GITLAB_URL": self.gitlab_url,
            "GITLAB_TOKEN": seed.GITLAB_TOKEN,
            "PAGERDUTY_API_URL": self.pagerduty_api_url,
            "PAGERDUTY_API_TOKEN": seed.PAGERDUTY_REST_TOKEN,
            "PAGERDUTY_EVENTS_URL": self.pagerduty_events_url,
            "PAGERDUTY_ROUTING_KEY_GITALY": seed.ROUTING_KEY_GITALY,
            "PAGERDUTY_ROUTING_KEY_DATABASE": seed.ROUTING_KEY_DATABASE,
            "SSL_CERT_FILE": self.ca_file,
            "REQUESTS_CA_BUNDLE": self.ca_file,
        }
