#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Live test of tests/stack/with-stack's life cycle: prints TAP.

Starts nested stacks (they need only root and the packages; the outer stack's variables are
not used) and asserts: CMD's exit status is returned; two stacks at once get distinct ports;
after exit no process of the stack is left and its directory is gone; TERN_KEEP_STACK=1
keeps the directory; TERM stops CMD and the stack; --no-keyring exports no bus.
"""
import os
import signal
import subprocess
import sys
import time

ROOT = os.environ.get("TERN_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
WITH = os.path.join(ROOT, "tests", "stack", "with-stack")
results = []


def procs_mentioning(text):
    """pids whose command line or environment mentions TEXT (the stack dir)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
            with open("/proc/%s/environ" % pid, "rb") as f:
                envb = f.read()
        except OSError:
            continue
        if text.encode() in cmd or text.encode() in envb:
            found.append(int(pid))
    return found


def run_stack(script, *opts, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([WITH] + list(opts) + ["--", "bash", "-c", script],
                          capture_output=True, text=True, env=e, timeout=120)


def wait_no_procs(d, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        left = procs_mentioning(d)
        if not left:
            return []
        time.sleep(0.1)
    return procs_mentioning(d)


def t_status_and_cleanup():
    r = run_stack('echo "$TERN_TEST_STACK_DIR"; '
                  'pgrep -f "$TERN_TEST_STACK_DIR" | wc -l; exit 7')
    assert r.returncode == 7, (r.returncode, r.stderr)
    d, n = r.stdout.split()
    assert int(n) >= 3, "expected the servers to run, saw %s processes" % n
    assert not os.path.exists(d), "%s was not removed" % d
    left = wait_no_procs(d)
    assert not left, "left running: %s" % left


def t_two_stacks():
    keys = ["TERN_TEST_IMAP_PORT", "TERN_TEST_IMAPS_PORT", "TERN_TEST_COI_IMAP_PORT",
            "TERN_TEST_COI_IMAPS_PORT", "TERN_TEST_SMTP_PORT", "TERN_TEST_SMTPS_PORT",
            "TERN_TEST_SMTP_RELAY_PORT"]
    script = "echo " + " ".join("$" + k for k in keys) + "; sleep 3"
    a = subprocess.Popen([WITH, "--no-keyring", "--", "bash", "-c", script],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    b = subprocess.Popen([WITH, "--no-keyring", "--", "bash", "-c", script],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    oa, ea = a.communicate(timeout=120)
    ob, eb = b.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0, (ea, eb)
    pa, pb = set(oa.split()), set(ob.split())
    assert len(pa) == 7 and len(pb) == 7 and not (pa & pb), (oa, ob)


def t_keep_no_keyring():
    r = run_stack('echo "$TERN_TEST_STACK_DIR"; [ -n "${TERN_TEST_PASSWORD:-}" ] || exit 3; '
                  'case "${DBUS_SESSION_BUS_ADDRESS:-}" in *"$TERN_TEST_STACK_DIR"*) exit 4;; '
                  'esac; [ ! -e "$TERN_TEST_STACK_DIR/keyring" ] || exit 5',
                  "--no-keyring", env={"TERN_KEEP_STACK": "1"})
    d = r.stdout.strip()
    try:
        assert r.returncode == 0, (r.returncode, r.stderr)
        assert os.path.isfile(os.path.join(d, "postfix.log")), "logs not kept in %s" % d
        left = wait_no_procs(d)
        assert not left, "left running: %s" % left
    finally:
        subprocess.run(["rm", "-rf", d])


def t_term():
    p = subprocess.Popen([WITH, "--no-keyring", "--", "bash", "-c",
                          'echo "$TERN_TEST_STACK_DIR"; exec sleep 300'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    d = p.stdout.readline().strip()
    assert d.startswith("/tmp/"), d
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    assert p.returncode != 0, "TERM reported success"
    assert not os.path.exists(d), "%s was not removed" % d
    left = wait_no_procs(d)
    assert not left, "left running: %s" % left


TESTS = [
    ("CMD's exit status is returned; no process and no directory left", t_status_and_cleanup),
    ("two stacks at once get distinct ports", t_two_stacks),
    ("TERN_KEEP_STACK=1 keeps the logs but stops the processes; --no-keyring: no bus",
     t_keep_no_keyring),
    ("TERM stops CMD and the stack", t_term),
]


def main():
    print("TAP version 13")
    if os.geteuid() != 0:
        print("1..1\nnot ok 1 - with-stack needs root")
        return 1
    print("1..%d" % len(TESTS))
    failed = 0
    for i, (name, fn) in enumerate(TESTS, 1):
        try:
            fn()
            print("ok %d - %s" % (i, name))
        except Exception as e:  # noqa: BLE001
            failed += 1
            print("not ok %d - %s\n# %s: %s" % (i, name, type(e).__name__, e))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
