"""Launch time and peak memory of a Tauri app, measured from outside.

Usage: bench_launch.py [--runs N] APP [APP ...]   (run under Xvfb: scripts/bench does)
For each app: one launch to create its data folder (not counted), then N launches that reuse it. Launch time: from starting the process to
the line "trdcheck: ui ready" on its stderr, which the UI triggers once its first screen is
rendered with its data (TRDCHECK_LAUNCH_PROBE=1). Peak memory: the largest sum of the resident
set of the app and all its descendants (the WebKit processes), sampled every 20 ms from start
until 1.5 s after ready. Prints JSON.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def launch_once(app, data):
    env = dict(os.environ, TRDCHECK_LAUNCH_PROBE="1", TRDCHECK_DATA_DIR=os.path.join(data, "data"),
               HOME=data, XDG_DATA_HOME=os.path.join(data, "share"), XDG_CACHE_HOME=os.path.join(data, "cache"))
    start = time.perf_counter()
    proc = subprocess.Popen([app], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True)
    ready = threading.Event()

    def watch():
        for line in proc.stderr:
            if b"trdcheck: ui ready" in line:
                ready.set()
                return

    threading.Thread(target=watch, daemon=True).start()
    peak, ready_at, deadline = 0, None, start + 30
    while time.perf_counter() < deadline:
        peak = max(peak, sum(rss_kib(p) for p in descendants(proc.pid)))
        if ready_at is None and ready.is_set():
            ready_at = time.perf_counter()
        if ready_at is not None and time.perf_counter() - ready_at > 1.5:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if ready_at is None:
        raise SystemExit(f"{app}: the UI never reported ready")
    return ready_at - start, peak / 1024


def main():
    args = sys.argv[1:]
    runs = 10
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    # One data folder per app, kept across its launches: the first (not counted) creates the
    # database and settings, as on a clinician's first day; the counted ones open them. The apps
    # take turns (A B A B …), so that a slow minute of the machine weighs on both alike.
    data = {app: tempfile.mkdtemp(prefix="trdcheck-bench-") for app in args}
    for app in args:
        launch_once(app, data[app])
    samples = {app: [] for app in args}
    for _ in range(runs):
        for app in args:
            samples[app].append(launch_once(app, data[app]))
    result = {}
    for app in args:
        times, peaks = zip(*samples[app])
        result[os.path.basename(app)] = {
            "runs": runs,
            "launch_median_s": round(statistics.median(times), 3),
            "launch_min_s": round(min(times), 3),
            "launch_max_s": round(max(times), 3),
            "peak_memory_median_mib": round(statistics.median(peaks), 1),
            "binary_mib": round(os.path.getsize(app) / 2**20, 2),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
