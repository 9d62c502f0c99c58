#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the test mail stack itself (anchors for the client benchmarks).

Needs the stack (tests/stack/with-stack). Prints `name value unit` lines:
  stack.delivery.ms            median, SMTP DATA accepted (relay port) -> file in the
                               recipient's maildir (plain flavour, LMTP), 50 messages
  stack.delivery.p90.ms        90th percentile of the same
  stack.delivery_sieve.ms      median, same for a chat message on the COI flavour (Sieve
                               files it into COI/Chats), 50 messages
  stack.smtp_transaction.ms    median time of one MAIL/RCPT/DATA transaction on an open
                               connection (Postfix accept speed)
  stack.idle_exists.ms         median, DATA accepted -> IDLE untagged EXISTS (includes
                               Dovecot's fixed ~500 ms notification delay), 8 messages
"""
import os
import smtplib
import socket
import statistics
import sys
import time
import uuid

N = int(os.environ.get("TERN_BENCH_STACK_MESSAGES", "50"))


def need(name):
    v = os.environ.get(name)
    if not v:
        sys.stderr.write("bench-stack-delivery: %s not set (run inside tests/stack/with-stack)\n"
                         % name)
        sys.exit(1)
    return v


def message(rcpt, chat):
    mid = "<%s%s@bench.test>" % ("chat$" if chat else "", uuid.uuid4().hex)
    hdrs = ["From: bench@localhost", "To: %s" % rcpt, "Subject: bench",
            "Message-ID: %s" % mid, "Date: Fri, 27 Nov 2026 21:00:00 +0000"]
    if chat:
        hdrs.append("Chat-Version: 1.0")
    return ("\r\n".join(hdrs) + "\r\n\r\n" + "x" * 200 + "\r\n").encode()


def count(d):
    """Messages in maildir D (new/ and cur/: flagged messages are saved into cur/)."""
    n = 0
    for sub in ("new", "cur"):
        try:
            n += len(os.listdir(os.path.join(d, sub)))
        except FileNotFoundError:
            pass
    return n


def delivery(s, rcpt, maildir, chat):
    samples = []
    smtp_times = []
    for _ in range(N):
        before = count(maildir)
        data = message(rcpt, chat)
        t0 = time.perf_counter()
        s.sendmail("bench@localhost", [rcpt], data)
        t1 = time.perf_counter()
        deadline = t1 + 60
        while count(maildir) <= before:
            if time.perf_counter() > deadline:
                raise SystemExit("bench-stack-delivery: message never reached %s" % maildir)
            time.sleep(0.0002)
        samples.append((time.perf_counter() - t1) * 1000)
        smtp_times.append((t1 - t0) * 1000)
    return samples, smtp_times


def read_until(sock, token, timeout):
    buf = b""
    sock.settimeout(timeout)
    while token not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("bench-stack-delivery: IMAP connection closed")
        buf += chunk
    return buf


def idle_latency(s, host, user, pw, imap_port, rounds=8):
    sock = socket.create_connection((host, imap_port), timeout=10)
    read_until(sock, b"\r\n", 10)
    sock.sendall(b'a LOGIN "%s" "%s"\r\n' % (user.encode(), pw.encode()))
    read_until(sock, b"a OK", 10)
    sock.sendall(b"b SELECT INBOX\r\n")
    read_until(sock, b"b OK", 10)
    out = []
    for i in range(rounds):
        sock.sendall(b"i%d IDLE\r\n" % i)
        read_until(sock, b"+ ", 10)
        s.sendmail("bench@localhost", [user], message(user, False))
        t1 = time.perf_counter()
        read_until(sock, b"EXISTS", 10)
        out.append((time.perf_counter() - t1) * 1000)
        sock.sendall(b"DONE\r\n")
        read_until(sock, b"i%d OK" % i, 10)
    sock.sendall(b"z LOGOUT\r\n")
    sock.close()
    return out


def wait_queue_empty(stack, timeout=120):
    """Wait until Postfix has nothing left to deliver (another benchmark may have filled it)."""
    q = os.path.join(stack, "postfix", "queue")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        n = 0
        for sub in ("maildrop", "incoming", "active", "deferred"):
            for _, _, files in os.walk(os.path.join(q, sub)):
                n += len(files)
        if n == 0:
            return
        time.sleep(0.1)
    raise SystemExit("bench-stack-delivery: the Postfix queue did not drain")


def main():
    host = need("TERN_TEST_HOST")
    relay = int(need("TERN_TEST_SMTP_RELAY_PORT"))
    stack = need("TERN_TEST_STACK_DIR")
    dom = need("TERN_TEST_DOMAIN")
    coi = need("TERN_TEST_COI_DOMAIN")
    pw = need("TERN_TEST_PASSWORD")
    imap_port = int(need("TERN_TEST_IMAP_PORT"))
    # Layout of tests/stack/tern-stack: <dir>/<flavour>/mail/<domain>/<user>/Maildir
    plain_md = os.path.join(stack, "plain", "mail", dom, "dave", "Maildir")
    chats_md = os.path.join(stack, "coi", "mail", coi, "dave", "Maildir", ".COI.Chats")
    wait_queue_empty(stack)
    with smtplib.SMTP(host, relay, timeout=30) as s:
        s.ehlo("localhost")
        # warm up both paths (process start, index creation, COI/Chats creation)
        delivery_n = globals()["N"]
        globals()["N"] = 3
        delivery(s, "dave@" + dom, plain_md, False)
        delivery(s, "dave@" + coi, chats_md, True)
        globals()["N"] = delivery_n
        plain, smtp_t = delivery(s, "dave@" + dom, plain_md, False)
        sieve, _ = delivery(s, "dave@" + coi, chats_md, True)
        idle = idle_latency(s, host, "carol@" + dom, pw, imap_port)
    q = statistics.quantiles(plain, n=10)
    print("stack.delivery.ms %.2f ms" % statistics.median(plain))
    print("stack.delivery.p90.ms %.2f ms" % q[8])
    print("stack.delivery_sieve.ms %.2f ms" % statistics.median(sieve))
    print("stack.smtp_transaction.ms %.2f ms" % statistics.median(smtp_t))
    print("stack.idle_exists.ms %.1f ms" % statistics.median(idle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
