# syntax=docker/dockerfile:1
# The image the ChatOps jobs run in: chatops installed, nothing installed at job time.
# Base images are pinned by version. The source tree never reaches the final image: the
# build stage turns it into wheels, and the final stage installs them from a bind mount
# (RUN --mount, Dockerfile reference), so no layer holds sources or wheels.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY chatops ./chatops
COPY chatops_emulator ./chatops_emulator
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels chatops
# Runs as the image's default user: the job reads the checked-out chatops.toml and writes
# artifacts (report.json) into the build directory the runner prepared.
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["chatops", "--help"]
