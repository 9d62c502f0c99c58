#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults, driven through tern-cli: Postfix answering 4xx then recovering, Dovecot restarted
mid-sync, the client killed during sync and during send. After recovery every message exists
exactly once on both sides (counted in the stores and on the server).
usage: test-cli-faults.py TERN_CLI"""
import os
import random
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tern_cli_test import Cli, Tap, check_env, env, stack, imap, folder_message_ids  # noqa: E402

check_env()
tap = Tap()
root = tempfile.mkdtemp(prefix="tern-cli-faults-")
binary = sys.argv[1]
stack_dir = env("TERN_TEST_STACK_DIR")

alice = Cli(binary, root, "alice", "alice")
bob = Cli(binary, root, "bob", "bob")
for side in (alice, bob):
    rc, _, proc = side.add()
    tap.ok(rc == 0, "account add " + side.address, proc.stderr)
alice.sync()
bob.sync()


def texts(side, peer):
    return [m["text"] for m in side.messages(peer.address)]


def server_count(user, message_ids):
    """How many copies of each Message-ID exist over INBOX, COI/Chats and Sent of @user."""
    m = imap(user)
    counts = {mid: 0 for mid in message_ids}
    where = {}
    try:
        for folder in ("INBOX", "COI/Chats", "INBOX.COI.Chats", "Sent"):
            ids = folder_message_ids(m, folder)
            for mid in ids or []:
                if mid in counts:
                    counts[mid] += 1
                    where.setdefault(mid, []).append(folder)
    finally:
        m.logout()
    return counts, where


# ---- Postfix answers 4xx, then recovers --------------------------------------------------
r = stack("smtp-defer", "on", stack_dir)
tap.ok(r.returncode == 0, "fault switch: Postfix defers every RCPT", r.stderr)
rc, data, proc = alice.send("--to", bob.address, "--text", "deferred then sent")
tap.ok(rc == 4, "send while deferred: exit 4 (got %d)" % rc, proc.stderr)
pending = [m for m in alice.messages(bob.address) if m["text"] == "deferred then sent"]
tap.ok(len(pending) == 1 and pending[0]["state"] == "pending", "the message waits in the outbox", pending)
stack("smtp-defer", "off", stack_dir)
# The outbox backs off (1 min after the first failure); `tern-cli sync` sends what is due.
deadline = time.time() + 150
while time.time() < deadline:
    alice.sync()
    mine = [m for m in alice.messages(bob.address) if m["text"] == "deferred then sent"]
    if mine and mine[0]["state"] != "pending":
        break
    time.sleep(5)
tap.ok(mine and mine[0]["state"] in ("sent", "delivered", "read"), "sent after recovery", mine)
bob.sync()
tap.ok(texts(bob, alice).count("deferred then sent") == 1, "bob has it exactly once",
       texts(bob, alice))

# ---- client killed during send ------------------------------------------------------------
killed = []
for i in range(6):
    text = "kill during send %d" % i
    p = alice.popen("send", "--to", bob.address, "--text", text)
    time.sleep(random.uniform(0.05, 0.6))
    p.send_signal(signal.SIGKILL)
    p.wait()
    killed.append(text)
# Recovery: a normal sync sends (or finds on the server) what was interrupted.
for _ in range(3):
    alice.sync()
bob.sync()
a_texts = texts(alice, bob)
b_texts = texts(bob, alice)
for text in killed:
    n_a = a_texts.count(text)
    tap.ok(n_a <= 1 and b_texts.count(text) == n_a,
           "%r: %d on alice, %d on bob (exactly once on both sides, or never queued)"
           % (text, n_a, b_texts.count(text)))
tap.ok(sum(a_texts.count(t) for t in killed) > 0, "at least one killed send had been queued")

# ---- Dovecot restarted mid-sync, client killed mid-sync --------------------------------
batch = ["bulk %d" % i for i in range(40)]
for text in batch:
    rc, _, _ = alice.send("--to", bob.address, "--text", text, "--no-wait")
rc = alice.sync()
tap.ok(rc == 0, "alice sends 40 queued messages with one sync (exit %d)" % rc)

fresh = Cli(binary, root, "bob-fresh", "bob")
fresh.add()
p = fresh.popen("sync")
time.sleep(0.4)
r = stack("restart-dovecot", stack_dir, "plain")
tap.ok(r.returncode == 0, "Dovecot restarted during bob's sync", r.stderr)
p.wait(timeout=180)
tap.ok(p.returncode in (0, 4), "the interrupted sync ends with 0 or 4 (got %d)" % p.returncode)
p = fresh.popen("sync")
time.sleep(0.5)
p.send_signal(signal.SIGKILL)
p.wait()
for _ in range(2):
    rc = fresh.sync()
tap.ok(rc == 0, "sync after the restart and the kill succeeds (exit %d)" % rc)
f_texts = texts(fresh, alice)
for text in batch + ["deferred then sent"]:
    if f_texts.count(text) != 1:
        tap.ok(False, "%r exactly once on bob's fresh device (got %d)" % (text, f_texts.count(text)))
        break
else:
    tap.ok(True, "all 41 messages exactly once on bob's fresh device")
bob.sync()
b_texts = texts(bob, alice)
tap.ok(all(b_texts.count(t) == 1 for t in batch), "and exactly once on bob's first device")

# On the server: each message once in bob's folders, once in alice's (her copy).
mids = [m["message_id"] for m in alice.messages(bob.address) if m["text"] in batch]
sc, where = server_count("bob", mids)
tap.ok(len(mids) == 40 and all(v == 1 for v in sc.values()), "bob's server: each once",
       {k: where.get(k) for k, v in sc.items() if v != 1})
sc, where = server_count("alice", mids)
tap.ok(all(v == 1 for v in sc.values()), "alice's server: each copy once",
       {k: where.get(k) for k, v in sc.items() if v != 1})

shutil.rmtree(root, ignore_errors=True)
tap.done()
