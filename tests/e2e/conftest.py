"""End-to-end tests of the built desktop app through WebDriver (tauri-driver + WebKitWebDriver).

Run by scripts/test under Xvfb. Every test has its own data folder (HOME, XDG_* and
TRDCHECK_DATA_DIR in a temporary directory) and its own tauri-driver started with it, so no test
touches a user's records or another test's: each one sets up what it needs (the clinic, through
the app's first start or `trd-check db init`; patients and records, through the app or the CLI)
and passes alone, in any order.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APP = os.environ.get("TRDCHECK_APP", os.path.join(ROOT, "target", "debug", "trdcheck-app"))
SHOTS = os.environ.get("TRDCHECK_SHOTS", os.path.join(ROOT, "target", "e2e-shots"))
PORT = 4444


def _wait_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"tauri-driver did not listen on {port}")


@pytest.fixture
def data_root():
    root = tempfile.mkdtemp(prefix="trdcheck-e2e-")
    env = {
        "HOME": os.path.join(root, "home"),
        "XDG_DATA_HOME": os.path.join(root, "home", ".local", "share"),
        "XDG_CONFIG_HOME": os.path.join(root, "home", ".config"),
        "XDG_CACHE_HOME": os.path.join(root, "home", ".cache"),
        "TRDCHECK_DATA_DIR": os.path.join(root, "data"),
    }
    for d in env.values():
        os.makedirs(d, exist_ok=True)
    yield root, env
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def driver_server(data_root):
    _, env = data_root
    full_env = dict(os.environ, **env)
    driver = shutil.which("tauri-driver") or os.path.expanduser("~/.cargo/bin/tauri-driver")
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is taken (a WebDriver left running?); stop it first")
    # Its own process group, so that WebKitWebDriver and the app go with it.
    proc = subprocess.Popen(
        [driver, "--port", str(PORT), "--native-driver", "/usr/bin/WebKitWebDriver", "--native-port", "4445"],
        env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_port(PORT)
        yield
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def launch(driver_server):
    """Starts the app (a new WebDriver session); quit the returned driver to close it. Whatever a
    test leaves open (it failed before its quit) is closed after it, so the next test can start
    one: WebKitWebDriver holds one session at a time."""
    sessions = []

    def start():
        options = ArgOptions()
        options.set_capability("tauri:options", {"application": APP})
        # tauri-driver listens before WebKitWebDriver behind it is ready: retry a refused start.
        for attempt in range(20):
            try:
                # Every command times out, so a stuck app fails the test instead of hanging it.
                config = ClientConfig(remote_server_addr=f"http://127.0.0.1:{PORT}", timeout=30)
                d = webdriver.Remote(command_executor=f"http://127.0.0.1:{PORT}", options=options, client_config=config)
                break
            except Exception:
                if attempt == 19:
                    raise
                time.sleep(0.5)
        d.implicitly_wait(0)
        sessions.append(d)
        return d

    start.sessions = sessions
    yield start
    for d in sessions:
        try:
            d.quit()
        except Exception:
            pass


def screen_shot(path):
    """The whole Xvfb display as a PNG, with ImageMagick's `import` (WebKitWebDriver's screenshot
    command can hang on long pages and once a password field has been used)."""
    subprocess.run(["import", "-window", "root", path], check=True, timeout=30)


@pytest.fixture(scope="session")
def shots():
    os.makedirs(SHOTS, exist_ok=True)
    return SHOTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot of every open session in target/e2e-shots."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        launch = item.funcargs.get("launch")
        for i, d in enumerate(getattr(launch, "sessions", [])):
            try:
                screen_shot(os.path.join(SHOTS, f"failed-{item.name}-{i}.png"))
            except Exception:
                pass
