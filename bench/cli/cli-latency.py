#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""sync.latency_added.ms: what Tern adds to the server's own delivery latency.

Inside tests/stack/with-stack. bob runs `tern-cli watch --json`; a raw IMAP client IDLEs on
bob's INBOX at the same time. Each round a message is submitted over SMTP; from the moment
the server accepted it we time (a) the raw client's untagged EXISTS and (b) the watch line
for that Message-ID. Tern's added latency is (b) - (a), the median of the rounds.
usage: cli-latency.py TERN_CLI (run by bench-cli-latency)"""
import hashlib
import json
import os
import select
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLI = sys.argv[1]
ROUNDS = 15


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.stderr.write("bench-cli-latency: %s is not set: run inside tests/stack/with-stack\n" % name)
        sys.exit(1)
    return v


host, domain, pw = env("TERN_TEST_HOST"), env("TERN_TEST_DOMAIN"), env("TERN_TEST_PASSWORD")
bob = "bob@" + domain
root = tempfile.mkdtemp(prefix="tern-bench-latency-")
profile = os.path.join(root, "bob")
r = subprocess.run([CLI, "--profile", profile, "--password-stdin", "account", "add", "--address", bob,
                    "--imap-host", host, "--imap-port", env("TERN_TEST_IMAP_PORT"), "--imap-security",
                    "starttls", "--smtp-host", host, "--smtp-port", env("TERN_TEST_SMTP_PORT"),
                    "--smtp-security", "starttls", "--trust-certificate", env("TERN_TEST_CERT_SHA256"),
                    "--filter", "none"],
                   input=pw + "\n", capture_output=True, text=True)
if r.returncode != 0:
    sys.stderr.write(r.stderr)
    sys.exit(1)

# ---- the raw IDLE client -----------------------------------------------------------------
raw = socket.create_connection((host, int(env("TERN_TEST_IMAP_PORT"))))
buf = b""


def readline():
    global buf
    while b"\r\n" not in buf:
        chunk = raw.recv(65536)
        if not chunk:
            raise RuntimeError("raw IMAP connection closed")
        buf += chunk
    line, buf = buf.split(b"\r\n", 1)
    return line


def command(tag, text):
    raw.sendall(b"%s %s\r\n" % (tag, text))
    while True:
        line = readline()
        if line.startswith(tag + b" "):
            if b" OK" not in line[:len(tag) + 4]:
                raise RuntimeError(line)
            return


readline()
command(b"a1", b"STARTTLS")
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
raw = ctx.wrap_socket(raw)
if hashlib.sha256(raw.getpeercert(binary_form=True)).hexdigest() != env("TERN_TEST_CERT_SHA256"):
    raise RuntimeError("certificate pin mismatch")
command(b"a2", ('LOGIN "%s" "%s"' % (bob, pw)).encode())
command(b"a3", b"SELECT INBOX")

# ---- tern-cli watch ------------------------------------------------------------------------
watch = subprocess.Popen([CLI, "--profile", profile, "--json", "--password-stdin", "watch"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
watch.stdin.write(pw + "\n")
watch.stdin.close()
seen = {}
synced = threading.Event()


def reader():
    for line in watch.stdout:
        t = time.monotonic()
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("event") == "synced":
            synced.set()
        if ev.get("event") == "message":
            seen.setdefault(ev["message"]["message_id"], t)


threading.Thread(target=reader, daemon=True).start()
if not synced.wait(120):
    sys.stderr.write("watch did not finish its first sync\n")
    sys.exit(1)
time.sleep(1)

raw_ms, tern_ms, added = [], [], []
for i in range(ROUNDS):
    raw.sendall(b"i%d IDLE\r\n" % i)
    while not readline().startswith(b"+"):
        pass
    mid = "latency-%d-%d@%s" % (os.getpid(), i, domain)
    msg = ("From: carol@%s\r\nTo: %s\r\nSubject: latency %d\r\nMessage-ID: <%s>\r\n"
           "Chat-Version: 1.0\r\nDate: %s\r\n\r\nping %d\r\n"
           % (domain, bob, i, mid, time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()), i))
    with smtplib.SMTP(host, int(env("TERN_TEST_SMTP_RELAY_PORT"))) as s:
        s.sendmail("carol@" + domain, [bob], msg)
    t0 = time.monotonic()
    t_raw = None
    while t_raw is None:
        line = readline()
        if line.endswith(b"EXISTS"):
            t_raw = time.monotonic()
    raw.sendall(b"DONE\r\n")
    while not readline().startswith(b"i%d " % i):
        pass
    end = time.monotonic() + 30
    while mid not in seen and time.monotonic() < end:
        time.sleep(0.002)
    if mid not in seen:
        sys.stderr.write("watch never reported %s\n" % mid)
        sys.exit(1)
    raw_ms.append((t_raw - t0) * 1000)
    tern_ms.append((seen[mid] - t0) * 1000)
    added.append((seen[mid] - t_raw) * 1000)
    time.sleep(0.3)

watch.terminate()
watch.wait(timeout=30)
print("sync.delivery_raw.ms %.1f ms" % statistics.median(raw_ms))
print("sync.delivery_tern.ms %.1f ms" % statistics.median(tern_ms))
print("sync.latency_added.ms %.1f ms" % statistics.median(added))
