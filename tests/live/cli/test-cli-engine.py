#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's gaps closed in issue 7, through tern-cli on the test stack: failure reasons and
refused recipients kept on the message (seen by a later process), sending into a mailing-list
chat, pinned messages on the wire, several accounts in one profile.
usage: test-cli-engine.py TERN_CLI"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tern_cli_test import Cli, Tap, check_env, env, imap, folder_raw, deliver, wait_for  # noqa: E402

check_env()
tap = Tap()
root = tempfile.mkdtemp(prefix="tern-cli-engine-")
binary = sys.argv[1]
tag = os.urandom(4).hex()

alice = Cli(binary, root, "alice", "alice")
bob = Cli(binary, root, "bob", "bob")
for side in (alice, bob):
    rc, data, proc = side.add()
    tap.ok(rc == 0, "account add %s" % side.address, proc.stderr)


def find(msgs, **kw):
    return [m for m in msgs if all(m.get(k) == v for k, v in kw.items())]


# ---- outbox: a permanent failure's reason, a refused recipient ---------------------------
nobody = "nosuchuser%s@%s" % (tag, env("TERN_TEST_DOMAIN"))
rc, sent, proc = alice.send("--to", nobody, "--text", "to nobody " + tag)
tap.ok(rc == 1 and "550" in proc.stderr, "a send refused for good exits 1 with the server's reply",
       proc.stdout + proc.stderr)
msgs = alice.messages(nobody)  # a later process: what is stored
got = find(msgs, text="to nobody " + tag)
tap.ok(len(got) == 1 and got[0]["state"] == "failed"
       and (got[0].get("failure_reason") or "").startswith("550"),
       "messages --json shows the failure_reason after the process ended", msgs)

rc, sent, proc = alice.send("--to", "%s,%s" % (bob.address, nobody), "--text", "two of us " + tag)
tap.ok(rc == 0 and sent is not None and sent["state"] == "sent",
       "a message to bob and a stranger is sent", proc.stdout + proc.stderr)
group = [c for c in alice.chats() if c.get("name") == "two of us " + tag or
         c.get("last_text") == "two of us " + tag]
msgs = alice.messages(str(group[0]["id"])) if group else []
got = find(msgs, text="two of us " + tag)
refused = got[0].get("refused", []) if got else []
tap.ok(len(got) == 1 and len(refused) == 1 and refused[0]["address"] == nobody
       and refused[0]["reason"].startswith("550") and refused[0]["retrying"] is False
       and got[0].get("failure_reason") is None,
       "the refused recipient is on the message with the server's reply", msgs or alice.chats())

tap.done()
