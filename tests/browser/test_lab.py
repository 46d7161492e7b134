"""JupyterLab works on first open: a real server from the venv, a real kernel, the first cells of 01.

The server is started the way a reader starts it (``jupyter lab`` on ``notebooks/``), on a free
loopback port with a random token; its runtime, config and data folders and IPython's folder are
temporary, so nothing is written into the repository or the home folder. The test then talks to
it only through its REST API and the kernel's websocket channels, as JupyterLab does.
Every wait is bounded; the server is shut down through its API and killed if it does not exit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from helpers.config import NOTEBOOK_DIR, ROOT

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
STARTUP_SECONDS = 60
START_ATTEMPTS = 3
CELL_SECONDS = 120
SHUTDOWN_SECONDS = 30
FIRST_NOTEBOOK = "01-trade-volume.ipynb"

# Never a proxy between the test and a server on 127.0.0.1, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    token: str
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def request(
        self, method: str, path: str, body: dict | None = None, token: bool = True, timeout: float = 10
    ) -> tuple[int, bytes]:
        headers = {"Authorization": f"token {self.token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with _OPENER.open(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, method: str, path: str, body: dict | None = None, expect: int = 200):
        status, raw = self.request(method, path, body)
        assert status == expect, f"{method} {path}: HTTP {status}: {raw[:500]!r}\n{self.log_tail()}"
        return json.loads(raw) if raw else None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return "server log (tail):\n" + self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def _server_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # helpers must import because it is installed, not because of a path
    for var, sub in (
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("IPYTHONDIR", "ipython"),
    ):
        (home / sub).mkdir(exist_ok=True)
        env[var] = str(home / sub)
    # the kernelspec 'python3' lives in the venv (sys.prefix/share/jupyter), which stays on the search path
    env.pop("JUPYTER_PATH", None)
    env["NO_PROXY"] = env["no_proxy"] = HOST
    return env


def _start(home: Path) -> Server:
    """Start ``jupyter lab`` on a free port; retried (bounded) if the port was taken in between."""
    last = ""
    for attempt in range(1, START_ATTEMPTS + 1):
        port, token = _free_port(), secrets.token_hex(24)
        log = home / f"server-{attempt}.log"
        cmd = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",  # fail instead of silently moving to another port
            f"--ServerApp.ip={HOST}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={NOTEBOOK_DIR}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",  # CI containers run as root
            # no calls home: no update check, no news feed, no PyPI extension manager
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
        ]  # fmt: skip
        with open(log, "wb") as fh:
            proc = subprocess.Popen(
                cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_server_env(home), cwd=home
            )
        server = Server(proc, port, token, log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = server.request("GET", "/api/status", timeout=2)
                if status == 200:
                    return server
            except OSError:
                pass
            time.sleep(0.25)
        last = server.log_tail()
        _stop(server)
        if "already in use" not in last:
            break
    pytest.fail(f"jupyter lab did not answer on /api/status within {STARTUP_SECONDS} s\n{last}")


def _stop(server: Server) -> int | None:
    """Kill the server if it still runs (bounded); return its exit code."""
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=10)
    return server.proc.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter")
    srv = _start(home)
    clean, problem = False, ""
    try:
        yield srv
        # a clean shutdown, as JupyterLab's File > Shut Down does it
        for kernel in srv.json("GET", "/api/kernels"):
            srv.request("DELETE", f"/api/kernels/{kernel['id']}")
        status, raw = srv.request("POST", "/api/shutdown")
        if status != 200:
            problem = f"POST /api/shutdown: HTTP {status} {raw[:200]!r}"
        else:
            try:
                code = srv.proc.wait(timeout=SHUTDOWN_SECONDS)
                clean = code == 0
                problem = "" if clean else f"server exited with code {code}"
            except subprocess.TimeoutExpired:
                problem = f"server still running {SHUTDOWN_SECONDS} s after /api/shutdown"
    finally:
        _stop(srv)
    if not clean:
        pytest.fail(f"jupyter lab did not shut down cleanly: {problem}\n{srv.log_tail()}")
    assert list((home / "runtime").glob("jpserver-*.json")) == [], "server left its runtime file behind"


# --- kernel messaging over the websocket (Jupyter messaging protocol 5.x, JSON frames) ------------


class KernelChannels:
    def __init__(self, server: Server, kernel_id: str):
        import websocket  # websocket-client

        self.session = uuid.uuid4().hex
        url = (
            f"ws://{HOST}:{server.port}/api/kernels/{kernel_id}/channels?session_id={self.session}&token={server.token}"
        )
        self.ws = websocket.create_connection(url, timeout=10, http_no_proxy=[HOST], suppress_origin=True)

    def close(self) -> None:
        self.ws.close()

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": msg_type,
                        "username": "test",
                        "session": self.session,
                        "date": dt.datetime.now(dt.timezone.utc).isoformat(),
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": channel,
                    "buffers": [],
                }
            )
        )
        return msg_id

    def replies(self, msg_id: str, reply_type: str, seconds: float) -> tuple[dict, list[dict]]:
        """Wait (bounded) for the shell reply to ``msg_id`` and its iopub 'idle'; return the reply and the iopub messages."""
        import websocket

        reply, iopub, idle = None, [], False
        deadline = time.monotonic() + seconds
        while not (reply and idle):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {reply_type} and idle for {msg_id} within {seconds} s; iopub so far: {[m['msg_type'] for m in iopub]}"
                )
            self.ws.settimeout(min(left, 5))
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if not isinstance(frame, str):
                continue  # binary frames carry buffers, never needed here
            msg = json.loads(frame)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell" and msg["msg_type"] == reply_type:
                reply = msg
            elif msg["channel"] == "iopub":
                iopub.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        return reply, iopub

    def execute(self, code: str, seconds: float = CELL_SECONDS) -> tuple[dict, list[dict]]:
        msg_id = self.send(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        return self.replies(msg_id, "execute_reply", seconds)


def _stdout(iopub: list[dict]) -> str:
    return "".join(
        m["content"]["text"] for m in iopub if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    )


def _errors(iopub: list[dict]) -> list[str]:
    return [f"{m['content']['ename']}: {m['content']['evalue']}" for m in iopub if m["msg_type"] == "error"]


# --- tests --------------------------------------------------------------------------------------


def test_server_answers_only_with_the_token(server):
    status = server.json("GET", "/api/status")
    assert "started" in status
    code, _ = server.request("GET", "/api/contents/", token=False)
    assert code == 403


def test_jupyterlab_page_is_served(server):
    code, page = server.request("GET", "/lab")
    assert code == 200
    assert b"JupyterLab" in page


def test_notebooks_folder_lists_the_four_notebooks(server):
    listing = server.json("GET", "/api/contents/")
    assert listing["type"] == "directory"
    notebooks = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert notebooks == [
        "01-trade-volume.ipynb",
        "02-composition.ipynb",
        "03-influence-timeline.ipynb",
        "04-claims-check.ipynb",
    ]


def test_every_notebook_names_a_kernel_the_server_has(server):
    specs = server.json("GET", "/api/kernelspecs")["kernelspecs"]
    for name in (
        "01-trade-volume.ipynb",
        "02-composition.ipynb",
        "03-influence-timeline.ipynb",
        "04-claims-check.ipynb",
    ):
        nb = server.json("GET", f"/api/contents/{name}?content=1")
        assert nb["type"] == "notebook" and nb["format"] == "json"
        wanted = nb["content"]["metadata"]["kernelspec"]["name"]
        assert wanted in specs, f"{name} asks for kernel {wanted!r}; the server has {sorted(specs)}"


def _opening_cells() -> tuple[list, int]:
    """The code cells of 01 up to and including the setup cell (the first one that imports helpers)."""
    nb = nbformat.read(NOTEBOOK_DIR / FIRST_NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup = next(i for i, c in enumerate(code) if "from helpers" in c.source or "import helpers" in c.source)
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell of 01 is not its parameters cell"
    return code[: setup + 1], setup


def test_kernel_runs_the_opening_cells_of_01(server):
    cells, setup = _opening_cells()
    assert not any("sys.path" in c.source for c in cells), "the opening cells must not edit sys.path"
    # JupyterLab starts a notebook's kernel with the notebook's folder as its path ('' = root_dir = notebooks/);
    # without a path the kernel would inherit the server process's working directory instead
    kernel = server.json("POST", "/api/kernels", {"name": "python3", "path": ""}, expect=201)
    channels = KernelChannels(server, kernel["id"])
    try:
        reply, _ = channels.replies(channels.send("kernel_info_request", {}), "kernel_info_reply", 60)
        assert reply["content"]["status"] == "ok" and reply["content"]["language_info"]["name"] == "python"

        for i, cell in enumerate(cells):
            reply, iopub = channels.execute(cell.source)
            assert reply["content"]["status"] == "ok", f"cell {cell.get('id')}: {reply['content']}\n{_errors(iopub)}"
            assert _errors(iopub) == [], f"cell {cell.get('id')}"
            assert [m for m in iopub if m["msg_type"] == "status"][-1]["content"]["execution_state"] == "idle"
            if i == setup:
                printed = _stdout(iopub)
                stored = "".join(
                    o.get("text", "")
                    for o in cell.outputs
                    if o.get("output_type") == "stream" and o.get("name") == "stdout"
                )
                assert stored.strip(), "the setup cell of 01 prints nothing in the stored notebook"
                assert printed == stored, f"setup cell printed {printed!r}; the stored notebook has {stored!r}"

        # where the kernel runs and where helpers came from (it was imported above, with no path edits)
        reply, iopub = channels.execute(
            "import json, os, sys, helpers, helpers.config\n"
            "print(json.dumps({'cwd': os.getcwd(), 'helpers': helpers.__file__, 'prefix': sys.prefix, 'root': str(helpers.config.ROOT),"
            " 'pythonpath': os.environ.get('PYTHONPATH')}))"
        )
        assert reply["content"]["status"] == "ok", _errors(iopub)
        facts = json.loads(_stdout(iopub))
        assert Path(facts["cwd"]).resolve() == NOTEBOOK_DIR.resolve()
        assert Path(facts["helpers"]).resolve().is_relative_to((ROOT / "src" / "helpers").resolve())
        assert Path(facts["prefix"]).resolve() == Path(sys.prefix).resolve()  # the project's venv
        assert Path(facts["root"]).resolve() == ROOT.resolve()
        assert facts["pythonpath"] is None
    finally:
        channels.close()

    status, _ = server.request("DELETE", f"/api/kernels/{kernel['id']}")
    assert status == 204
    assert kernel["id"] not in {k["id"] for k in server.json("GET", "/api/kernels")}
