"""Processes of the `tfrank` command for tests: start, kill mid-epoch, local clusters."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
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


def tfrank_process(args, env=None, **kwargs) -> subprocess.Popen:
    """`python -m tfrank ARGS` started in the background (stderr piped)."""
    env = dict(os.environ if env is None else env)
    command = [sys.executable, "-m", "tfrank", *args]
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def kill_mid_epoch(args, checkpoint_dir, delay, timeout=900) -> int:
    """Starts `tfrank ARGS`, waits until its first checkpoint is written plus
    `delay` seconds (into the next epoch), kills it with SIGKILL and returns
    the epochs its checkpoint holds. Raises if it ended on its own."""
    state = os.path.join(checkpoint_dir, "checkpoint.json")
    process = tfrank_process(args, stdout=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while not os.path.exists(state) and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate()
    if process.returncode != -signal.SIGKILL:
        code = process.returncode
        raise RuntimeError(f"tfrank ended before it was killed ({code}): {err[-2000:]}")
    with open(state) as f:
        return json.load(f)["epoch"]
