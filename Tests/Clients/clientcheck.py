"""Shared helpers of the mem0 client scripts: loopback-only guard, environment, and `ok`/`FAIL` reporting.

Every check prints `ok <name>` or `FAIL <name>: <reason>`; a failure is recorded and the run goes on, so
one run shows everything. `finish()` prints the summary and exits 1 when anything failed.
"""
import asyncio
import inspect
import os
import socket
import sys
import time
import traceback

# mem0's telemetry (PostHog) stays off, and nothing in this process may reach anything but loopback.
os.environ["MEM0_TELEMETRY"] = "False"
_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise ConnectionRefusedError(f"blocked a connection to {address} (loopback only)")
    return _connect(self, address)


socket.socket.connect = _loopback_only

FAILURES = []
PASSED = []


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit(f"{name} is not set (see the script's docstring)")
    return value


class Check(Exception):
    """A failed expectation, with the reason to print."""


def expect(condition, reason):
    if not condition:
        raise Check(reason)


def short(value, limit=400):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _leaf(error):
    """The first exception inside (nested) exception groups: what a task group's failure was."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


def _report(name, error):
    error = _leaf(error) if error is not None else None
    if error is None:
        PASSED.append(name)
        print(f"ok {name}", flush=True)
        return
    if isinstance(error, Check):
        reason = str(error)
    else:
        reason = f"{type(error).__module__}.{type(error).__name__}: {short(getattr(error, 'message', None) or str(error))}"
        extra = [f"{key}={short(getattr(error, key))}" for key in ("error_code", "debug_info")
                 if getattr(error, key, None)]
        if extra:
            reason += " (" + ", ".join(extra) + ")"
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".py")
                  and "/Tests/Clients/" in f.filename
                  and not f.filename.endswith("clientcheck.py")]
        if frames:
            reason += f" [at line {frames[-1].lineno}]"
    FAILURES.append((name, reason))
    print(f"FAIL {name}: {reason}", flush=True)


def check(name, function, *args, **kwargs):
    """Runs one synchronous check; returns its value, or None when it failed."""
    try:
        value = function(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
        _report(name, error)
        return None
    _report(name, None)
    return value


async def acheck(name, function, *args, **kwargs):
    """Runs one check that may be a coroutine function; returns its value, or None when it failed."""
    try:
        value = function(*args, **kwargs)
        if inspect.isawaitable(value):
            value = await value
    except Exception as error:  # noqa: BLE001
        _report(name, error)
        return None
    _report(name, None)
    return value


def raises(kind, function, *args, **kwargs):
    """Calls function, expecting exactly an exception of `kind` (a class or a tuple); returns it."""
    try:
        value = function(*args, **kwargs)
    except kind as error:
        return error
    except Exception as error:  # noqa: BLE001
        raise Check(f"expected {_names(kind)}, got {type(error).__name__}: "
                    f"{short(getattr(error, 'message', None) or str(error))}") from error
    raise Check(f"expected {_names(kind)}, got a return value {short(value)}")


async def araises(kind, function, *args, **kwargs):
    try:
        value = function(*args, **kwargs)
        if inspect.isawaitable(value):
            value = await value
    except kind as error:
        return error
    except Exception as error:  # noqa: BLE001
        raise Check(f"expected {_names(kind)}, got {type(error).__name__}: "
                    f"{short(getattr(error, 'message', None) or str(error))}") from error
    raise Check(f"expected {_names(kind)}, got a return value {short(value)}")


def _names(kind):
    return " or ".join(k.__name__ for k in kind) if isinstance(kind, tuple) else kind.__name__


def finish(title):
    total = len(PASSED) + len(FAILURES)
    print(f"\n{title}: {len(PASSED)}/{total} checks passed, {len(FAILURES)} failed", flush=True)
    for name, reason in FAILURES:
        print(f"  FAIL {name}: {reason}", flush=True)
    sys.exit(1 if FAILURES else 0)


def wait_until(probe, timeout=60.0, interval=0.2):
    """Calls probe() until it returns a true value or timeout seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


async def await_until(probe, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(interval)
