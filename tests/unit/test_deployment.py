"""The shipped CI files and Dockerfile: deployable as README's set-up describes them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"workflow", "stages", "variables", "include", "default", "spec"}


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _jobs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in data.items() if k not in KEYWORDS and not k.startswith(".")}


def test_no_duplicate_pipelines_for_merge_requests() -> None:
    for name in (".gitlab-ci.yml", "ci/chatops-jobs.yml"):
        rules = _load(name)["workflow"]["rules"]
        assert rules[0] == {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}, name
        assert "$CI_OPEN_MERGE_REQUESTS" in rules[1]["if"] and rules[1]["when"] == "never", name


def test_image_build_logs_in_as_documented_and_pins_versions() -> None:
    job = _load(".gitlab-ci.yml")["build-image"]
    assert "kaniko" not in str(job)
    assert re.fullmatch(r"docker:\d+\.\d+\.\d+-cli", job["image"])
    assert [re.fullmatch(r"docker:\d+\.\d+\.\d+-dind", s) is not None for s in job["services"]] \
        == [True]
    login = " ".join(job["before_script"])
    assert '"$CI_REGISTRY_PASSWORD" | docker login "$CI_REGISTRY" -u "$CI_REGISTRY_USER" ' \
           "--password-stdin" in login


def test_dockerfile_pins_its_base_and_keeps_sources_out_of_the_final_image() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base)
    final = text.rsplit("\nFROM ", 1)[1]
    assert "COPY" not in final and "ADD " not in final
    assert "--mount=type=bind,from=build" in final and "--no-index" in final


def test_chatops_jobs_need_no_sources_and_install_nothing() -> None:
    jobs = _jobs(_load("ci/chatops-jobs.yml"))
    assert set(jobs) == {"page", "oncall", "drill", "escalation", "check", "sync", "webhook",
                         "feedback"}
    own = _jobs(_load(".gitlab-ci.yml"))
    assert not set(jobs) & set(own)  # test and build-image never run in a ChatOps project
    for name, job in jobs.items():
        assert job["image"] == "$CHATOPS_IMAGE", name
        assert job["rules"], name
        script = " ".join(job["script"])
        assert re.search(r"\b(pip|\.ci/run|docker|apt-get)\b", script) is None, name
        assert script.startswith("chatops "), name
    chat = {n for n, j in jobs.items() if j["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "chat"'}]}
    assert chat == {"page", "oncall", "drill", "escalation"}


def test_the_chatops_project_file_includes_the_jobs_file() -> None:
    data = _load("ci/chatops-project.gitlab-ci.yml")
    (include,) = data["include"]
    assert (ROOT / include["file"]).is_file()
    assert set(data) == {"include"}  # nothing to edit: the values are CI/CD variables
    assert all(str(v).startswith("$") for k, v in include.items() if k != "file")


def test_escalation_key_is_documented_as_writable() -> None:
    # One PAGERDUTY_API_TOKEN serves every job and escalation writes with it: nothing may
    # call it read-only except to say it must not be.
    allowed = re.compile(r"(NOT|not|cannot be|not be) read-only|a read-only key is refused")
    for name in ("ci/chatops-jobs.yml", "README.md"):
        text = " ".join((ROOT / name).read_text(encoding="utf-8").replace("#", " ").split())
        assert "read-only" not in allowed.sub("", text), name
        assert allowed.search(text), name
