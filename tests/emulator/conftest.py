"""Fixtures for the emulator tests: one fresh emulator per test and ready-made clients."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import gitlab
import pagerduty
import pytest
import requests

from chatops_emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A freshly seeded emulator without latency."""
    with Emulator.start() as emulator:
        yield emulator


@pytest.fixture
def gl(emu: Emulator) -> gitlab.Gitlab:
    """python-gitlab, authenticated as the ChatOps bot."""
    return gitlab.Gitlab(emu.gitlab_url, private_token=emu.env()["GITLAB_TOKEN"],
                         ssl_verify=emu.ca_file)


@pytest.fixture
def glapi(emu: Emulator) -> Iterator[requests.Session]:
    """A requests session for the GitLab API with the bot token."""
    with requests.Session() as session:
        session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment beats .verify
        session.verify = emu.ca_file
        session.headers["PRIVATE-TOKEN"] = emu.env()["GITLAB_TOKEN"]
        yield session


@pytest.fixture
def pd_rest(emu: Emulator) -> pagerduty.RestApiV2Client:
    """The official PagerDuty REST client pointed at the emulator."""
    return pagerduty.RestApiV2Client(emu.env()["PAGERDUTY_API_TOKEN"],
                                     base_url=emu.pagerduty_api_url, verify=_context(emu))


@pytest.fixture
def pd_events(emu: Emulator) -> pagerduty.EventsApiV2Client:
    """The official Events API v2 client for the Gitaly service."""
    return pagerduty.EventsApiV2Client(emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"],
                                       base_url=emu.pagerduty_events_url, verify=_context(emu))


def _context(emu: Emulator) -> ssl.SSLContext:
    """httpx2 deprecates verify=<path>; give it a context trusting the emulator CA."""
    return ssl.create_default_context(cafile=emu.ca_file)
