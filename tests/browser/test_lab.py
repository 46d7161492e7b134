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
import re
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

import pytest

from helpers.config import NOTEBOOK_DIR, ROOT

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
STARTUP_SECONDS = 60
START_ATTEMPTS = 3
CELL_SECONDS = 120
SHUTDOWN_SECONDS = 30
FIRST_NOTEBOOK = "01-trade-volume.ipynb"
#: What ipykernel prints (into the server's log) when its TCP sockets are not encrypted.
PLAIN_TCP_WARNING = "Kernel is running over TCP without encryption"
EDITED_TARGET_YEAR = 2028  # what the reader types over target_year's default in 01's parameters cell

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
            # as `make lab`: CurveZMQ keys for every kernel, so no kernel talks plain-text TCP (or warns of it)
            "--MappingKernelManager.transport_encryption=auto",
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
        """Wait (bounded) for the shell reply to ``msg_id`` and its iopub 'idle'.

        Return the reply and the iopub messages."""
        import websocket

        reply, iopub, idle = None, [], False
        deadline = time.monotonic() + seconds
        while not (reply and idle):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {reply_type} and idle for {msg_id} within {seconds} s; "
                    f"iopub so far: {[m['msg_type'] for m in iopub]}"
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


def _code_cells(server: Server) -> list[dict]:
    """The code cells of 01 as the server hands them to JupyterLab (contents API)."""
    nb = server.json("GET", f"/api/contents/{FIRST_NOTEBOOK}?content=1")
    return [c for c in nb["content"]["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _stored_stdout(cell: dict) -> str:
    return "".join(
        "".join(o["text"]) if isinstance(o.get("text"), list) else o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def _edit_default(source: str, name: str, new: int) -> tuple[str, int]:
    """``source`` with the default of parameter ``name`` (a four-digit year) replaced by ``new``; the old default."""
    pattern = re.compile(rf"^({re.escape(name)}\s*(?::[^=\n]*)?=\s*)(\d{{4}})\b", re.MULTILINE)
    match = pattern.search(source)
    assert match, f"the parameters cell of 01 declares no {name} = <year>:\n{source}"
    return pattern.sub(rf"\g<1>{new}", source, count=1), int(match.group(2))


def test_run_all_of_01_uses_an_edited_parameters_cell(server):
    """A reader edits a default in the parameters cell and runs all cells (one execute_request per cell,
    in order, in one kernel, as JupyterLab's Run All does): the notebook computes with the edited value,
    in the project's environment. A cell papermill injected would silently put the old value back."""
    cells = _code_cells(server)
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    assert "parameters" in tags[0], "the first code cell of 01 is not its parameters cell"
    injected = [c.get("id") for c, t in zip(cells, tags) if "injected-parameters" in t]
    assert injected == [], "the stored 01 holds a papermill injected-parameters cell (regenerate: make notebooks)"
    setup = next(i for i, c in enumerate(cells) if "from helpers" in _source(c) or "import helpers" in _source(c))
    assert not any("sys.path" in _source(c) for c in cells[: setup + 1]), "the opening cells must not edit sys.path"
    finding = next(i for i, t in enumerate(tags) if "finding" in t)
    edited_source, default_year = _edit_default(_source(cells[0]), "target_year", EDITED_TARGET_YEAR)
    # JupyterLab starts a notebook's kernel with the notebook's folder as its path ('' = root_dir = notebooks/);
    # without a path the kernel would inherit the server process's working directory instead
    kernel = server.json("POST", "/api/kernels", {"name": "python3", "path": ""}, expect=201)
    channels = KernelChannels(server, kernel["id"])
    try:
        reply, _ = channels.replies(channels.send("kernel_info_request", {}), "kernel_info_reply", 60)
        assert reply["content"]["status"] == "ok" and reply["content"]["language_info"]["name"] == "python"

        printed = []
        for i, cell in enumerate(cells):
            reply, iopub = channels.execute(edited_source if i == 0 else _source(cell))
            assert reply["content"]["status"] == "ok", f"cell {cell.get('id')}: {reply['content']}\n{_errors(iopub)}"
            assert _errors(iopub) == [], f"cell {cell.get('id')}"
            assert [m for m in iopub if m["msg_type"] == "status"][-1]["content"]["execution_state"] == "idle"
            printed.append(_stdout(iopub))
        stored = _stored_stdout(cells[setup])
        assert stored.strip(), "the setup cell of 01 prints nothing in the stored notebook"
        assert printed[setup] == stored, f"setup cell printed {printed[setup]!r}; the stored notebook has {stored!r}"
        # the finding is computed with the edited default, not the stored (or an injected) one
        found = printed[finding]
        assert str(EDITED_TARGET_YEAR) in found and str(default_year) not in found, found
        assert str(default_year) in _stored_stdout(cells[finding]), "the stored finding of 01 names no target year"

        # where the kernel runs and where helpers came from (it was imported above, with no path edits)
        reply, iopub = channels.execute(
            "import json, os, sys, helpers, helpers.config\n"
            "print(json.dumps({'cwd': os.getcwd(), 'helpers': helpers.__file__, 'prefix': sys.prefix,"
            " 'base_prefix': sys.base_prefix, 'executable': sys.executable, 'root': str(helpers.config.ROOT),"
            " 'pythonpath': os.environ.get('PYTHONPATH'), 'target_year': target_year}))"
        )
        assert reply["content"]["status"] == "ok", _errors(iopub)
        facts = json.loads(_stdout(iopub))
        assert facts["target_year"] == EDITED_TARGET_YEAR
        assert Path(facts["cwd"]).resolve() == NOTEBOOK_DIR.resolve()
        assert Path(facts["helpers"]).resolve().is_relative_to((ROOT / "src" / "helpers").resolve())
        # the project's venv (make test and make lab run .venv): the server's own interpreter, a venv
        assert Path(facts["prefix"]).resolve() == Path(sys.prefix).resolve()
        assert Path(facts["executable"]).absolute().is_relative_to(Path(sys.prefix).absolute())
        assert facts["prefix"] != facts["base_prefix"], "the kernel runs in no virtual environment"
        assert Path(facts["root"]).resolve() == ROOT.resolve()
        assert facts["pythonpath"] is None
    finally:
        channels.close()
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert PLAIN_TCP_WARNING not in log, f"the kernel talks plain-text TCP (see make lab)\n{server.log_tail()}"

    status, _ = server.request("DELETE", f"/api/kernels/{kernel['id']}")
    assert status == 204
    assert kernel["id"] not in {k["id"] for k in server.json("GET", "/api/kernels")}
