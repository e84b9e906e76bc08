"""Processes of the `tfrank` command for tests: start, kill mid-epoch, local clusters."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_ports(count: int) -> list[int]:
    """`count` TCP ports free on 127.0.0.1 right now (for local clusters)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# The repository root, so that `python -m tests.helpers.processes` imports
# these helpers whatever the directory the tests run from.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tfrank_process(args, env=None, **kwargs) -> subprocess.Popen:
    """`python -m tfrank ARGS` started in the background (stderr piped)."""
    env = dict(os.environ if env is None else env)
    command = [sys.executable, "-m", "tfrank", *args]
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def kill_mid_epoch(args, epoch, step, timeout=900) -> str:
    """Runs `tfrank ARGS` until it has trained `step` steps of epoch `epoch`
    (0-based), where it waits, then kills it with SIGKILL; returns what it
    wrote to stderr. Raises if it ended on its own or did not get there
    within `timeout` seconds. Nothing depends on timing: the run writes a
    file once it stands there and only then is it killed."""
    with tempfile.TemporaryDirectory() as scratch:
        marker = os.path.join(scratch, "paused")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "tests.cli.paused_run", str(epoch), str(step), marker]
        with open(os.path.join(scratch, "stderr"), "w+") as err:
            # A file, not a pipe: a run waiting to be killed never blocks on a full pipe.
            process = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=err,
                                       env=env)  # fmt: skip
            try:
                deadline = time.monotonic() + timeout
                while not os.path.exists(marker) and process.poll() is None:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"tfrank did not reach step {step} of epoch "
                                           f"{epoch + 1} within {timeout} s")  # fmt: skip
                    time.sleep(0.05)
                paused = os.path.exists(marker)
            finally:
                process.kill()
                process.wait()
            err.seek(0)
            log = err.read()
    if not paused:
        code = process.returncode
        raise RuntimeError(f"tfrank ended before it was killed ({code}): {log[-3000:]}")
    assert process.returncode == -signal.SIGKILL
    return log
