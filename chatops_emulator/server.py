"""HTTPS plumbing for the emulator: TLS servers, request recording, faults and latency."""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import ssl
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from chatops_emulator.core import App, Request, Response, json_response


@dataclass
class Fault:
    """An injected failure for requests matching service, method and path (regex)."""

    service: str
    method: str = "*"
    path: str = ""
    status: int | None = 503
    times: int = 1
    retry_after: int | None = None
    delay: float = 0.0
    body: Any = None
    apply_first: bool = False
    drop: bool = False
    hits: int = 0

    def matches(self, service: str, method: str, path: str) -> bool:
        """Tell whether this fault applies to a request (path: raw or percent-decoded)."""
        if self.service != service or self.hits >= self.times:
            return False
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return bool(re.search(self.path, path) or re.search(self.path, unquote(path)))


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the client sent it; status 0 and finished 0.0 while still in flight."""

    service: str
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: str
    status: int
    started: float
    finished: float
    dropped: bool


@dataclass
class Hub:
    """State shared by the three servers: latency, faults, the request log."""

    latency: float = 0.0
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: list[Fault] = field(default_factory=list)
    records: dict[int, RecordedRequest] = field(default_factory=dict)
    seq: int = 0

    def next_seq(self) -> int:
        """Number requests in arrival order."""
        with self.lock:
            self.seq += 1
            return self.seq

    def take_fault(self, service: str, method: str, path: str) -> Fault | None:
        """Consume one use of the first matching fault (faults apply in order of addition)."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(service, method, path):
                    fault.hits += 1
                    return fault
        return None

    def arrived(self, seq: int, item: RecordedRequest) -> None:
        """Log a request as soon as it has been read (status 0 while in flight)."""
        with self.lock:
            self.records[seq] = item

    def finished(self, seq: int, status: int, dropped: bool) -> None:
        """Complete a logged request (unless the log was cleared meanwhile)."""
        with self.lock:
            if seq in self.records:
                self.records[seq] = replace(self.records[seq], status=status,
                                            finished=time.monotonic(), dropped=dropped)

    def snapshot(self) -> list[RecordedRequest]:
        """Return logged requests (in flight ones included) in arrival order."""
        with self.lock:
            return [self.records[seq] for seq in sorted(self.records)]

    def pause(self, seconds: float) -> None:
        """Sleep, but wake up early when the emulator stops."""
        if seconds > 0:
            self.stopping.wait(seconds)


class TLSServer(ThreadingHTTPServer):
    """A threading HTTPS server bound to a random loopback port."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, hub: Hub, context: ssl.SSLContext) -> None:
        self.app = app
        self.hub = hub
        self.context = context
        super().__init__(("127.0.0.1", 0), Handler)

    def server_bind(self) -> None:
        """Bind without the reverse-DNS lookup HTTPServer does."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept and wrap in TLS; the handshake runs in the handler thread."""
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        wrapped = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return wrapped, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that go away (timeouts, dropped connections)."""


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that records, delays, faults and dispatches."""

    protocol_version = "HTTP/1.1"
    timeout = 60
    wbufsize = 65536  # headers and body leave in one write (no Nagle/delayed-ACK stall)
    server: TLSServer

    def handle(self) -> None:
        """Serve requests on this connection until it closes; ignore transport errors."""
        try:
            super().handle()
        except (OSError, ssl.SSLError, ValueError):
            self.close_connection = True

    def finish(self) -> None:
        """Flush and close without complaining about a dead socket."""
        with contextlib.suppress(OSError, ssl.SSLError, ValueError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the emulator quiet."""

    def version_string(self) -> str:
        """Identify as the emulated service's front end."""
        return self.server.app.server_header

    def do_GET(self) -> None:
        """Dispatch GET."""
        self._dispatch()

    def do_HEAD(self) -> None:
        """Dispatch HEAD."""
        self._dispatch()

    def do_POST(self) -> None:
        """Dispatch POST."""
        self._dispatch()

    def do_PUT(self) -> None:
        """Dispatch PUT."""
        self._dispatch()

    def do_PATCH(self) -> None:
        """Dispatch PATCH."""
        self._dispatch()

    def do_DELETE(self) -> None:
        """Dispatch DELETE."""
        self._dispatch()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        hub, app = self.server.hub, self.server.app
        seq, started = hub.next_seq(), time.monotonic()
        body = self._read_body()
        raw_path, _, query_string = self.path.partition("?")
        headers = {key.lower(): value for key, value in self.headers.items()}
        host = headers.get("host") or f"127.0.0.1:{self.server.server_port}"
        request = Request(
            service=app.service,
            method=self.command,
            path=raw_path,
            query=parse_qsl(query_string, keep_blank_values=True),
            headers=headers,
            body=body,
            base_url=f"https://{host}",
        )
        hub.arrived(seq, RecordedRequest(
            service=app.service, method=self.command, path=raw_path, query=request.query,
            headers=headers, body=request.text, status=0, started=started, finished=0.0,
            dropped=False))
        hub.pause(hub.latency)
        fault = hub.take_fault(app.service, self.command, raw_path)
        response: Response | None = None
        if fault is None or fault.apply_first or (fault.status is None and not fault.drop):
            response = self._run_app(app, request)
        if fault is not None:
            hub.pause(fault.delay)
            if fault.status is not None and not fault.drop:
                response = app.fault_response(fault.status, fault.retry_after, fault.body, request)
        dropped = fault is not None and fault.drop
        hub.finished(seq, 0 if dropped or response is None else response.status, dropped)
        if dropped or response is None:
            self._drop()
        else:
            self._send(response)

    @staticmethod
    def _run_app(app: App, request: Request) -> Response:
        try:
            return app.handle(request)
        except Exception:  # pragma: no cover - a bug in the emulator itself: show it
            traceback.print_exc()
            return json_response(500, {"message": "500 Internal Server Error"})

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.wfile.flush()

    def _drop(self) -> None:
        """Close the TCP connection without sending any response bytes."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.connection.close()
