#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records server-side IMAP transcripts from the test stack's Dovecot into
tests/data/imap/*.txt (the bytes the server sent, nothing the client sent).

    tests/stack/with-stack -- tests/data/imap/record-transcripts.py [OUTDIR]

Each file holds the complete responses of one scenario; the unit tests parse
them and assert fields. Dynamic values (UIDVALIDITY, dates) differ per run,
so the tests check structure and values derived from the messages."""

import base64
import os
import socket
import sys
import time

HOST = os.environ["TERN_TEST_HOST"]
PORT = int(os.environ["TERN_TEST_IMAP_PORT"])
DOMAIN = os.environ["TERN_TEST_DOMAIN"]
PASSWORD = os.environ["TERN_TEST_PASSWORD"]
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def mutf7(name):
    out, run = [], []

    def flush():
        if run:
            b = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(b).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


class Conn:
    def __init__(self, user):
        self.sock = socket.create_connection((HOST, PORT))
        self.buf = b""
        self.n = 0
        self.log = b""
        self.read_line()  # greeting
        self.greeting = self.log
        self.log = b""
        self.cmd(b'LOGIN "%s@%s" "%s"' % (user.encode(), DOMAIN.encode(), PASSWORD.encode()))

    def read_more(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def read_line(self):
        """One response line plus any literals, logged."""
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self.read_more()
            line, self.buf = self.buf.split(b"\r\n", 1)
            out += line + b"\r\n"
            if line.endswith(b"}") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-1].rstrip(b"+"))
                while len(self.buf) < n:
                    self.read_more()
                out += self.buf[:n]
                self.buf = self.buf[n:]
                continue
            break
        self.log += out
        return out

    def cmd(self, command, literal=None):
        self.n += 1
        tag = b"a%d" % self.n
        if literal is not None:
            self.sock.sendall(tag + b" " + command + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        else:
            self.sock.sendall(tag + b" " + command + b"\r\n")
        while True:
            line = self.read_line()
            if line.startswith(tag + b" "):
                return line

    def take(self):
        out, self.log = self.log, b""
        return out


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print("wrote", name, len(data), "bytes")


def msg(text):
    return text.replace("\n", "\r\n").encode("utf-8")


MESSAGES = [
    msg("""From: Alice Example <alice@example.test>
To: Bob <bob@example.test>, carol@example.test
Cc: =?utf-8?q?Dave_M=C3=BCller?= <dave@example.test>
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_Berlin?=
Date: Mon, 02 Nov 2026 10:15:00 +0100
Message-ID: <alt-1@example.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hallo Bob, viele Gr=C3=BC=C3=9Fe!
Zweite Zeile.
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<p>Hallo Bob</p>
--b1--
"""),
    msg("""From: Bob <bob@example.test>
To: Friends: alice@example.test, carol@example.test;
Subject: Photo and forwarded note
Date: Tue, 03 Nov 2026 08:00:00 +0000
Message-ID: <mixed-2@example.test>
In-Reply-To: <alt-1@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=us-ascii

See attached.
--outer
Content-Type: image/png; name="dot.png"
Content-Disposition: attachment; filename="dot.png"
Content-Transfer-Encoding: base64
Content-ID: <dot@example.test>

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA
60e6kgAAAABJRU5ErkJggg==
--outer
Content-Type: message/rfc822

From: Carol <carol@example.test>
To: Bob <bob@example.test>
Subject: Inner note
Date: Sun, 01 Nov 2026 12:00:00 +0000
Message-ID: <inner-3@example.test>
Content-Type: text/plain; charset=utf-8

Inner body line.
--outer--
"""),
    msg("""From: Alice <alice@coi.test>
To: Bob <bob@coi.test>
Subject: Chat: hello
Date: Wed, 04 Nov 2026 09:30:00 +0000
Message-ID: <chat$abc123@coi.test>
Chat-Version: 1.0
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed

Hello from a chat message \u2603
"""),
]


def main():
    c = Conn("alice")
    save("greeting.txt", c.greeting)
    c.take()
    login = None
    c.cmd(b"CAPABILITY")
    save("capability.txt", c.take())

    # LOGIN response of a fresh connection (carries [CAPABILITY ...])
    c2 = Conn("alice")
    save("login.txt", c2.take())

    for name in ["Entwürfe", "Отправленные", "Tom & Jerry", "~peter/mail/台北/日本語", "Archive/2026"]:
        c.cmd(b'CREATE "%s"' % mutf7(name).encode())
    c.take()
    c.cmd(b'LIST "" "*" RETURN (SPECIAL-USE)')
    c.cmd(b'LSUB "" "*"')
    c.cmd(b'LIST (SPECIAL-USE) "" "*"')
    save("list.txt", c.take())

    c.cmd(b"NAMESPACE")
    save("namespace.txt", c.take())

    c.cmd(b"ENABLE CONDSTORE QRESYNC")
    save("enable.txt", c.take())

    for m in MESSAGES:
        c.cmd(b'APPEND INBOX (\\Seen $Chat) "02-Nov-2026 10:15:00 +0100"', literal=m)
    save("append.txt", c.take())

    c.cmd(b"SELECT INBOX (CONDSTORE)")
    save("select.txt", c.take())

    c.cmd(b"UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ ENVELOPE BODYSTRUCTURE BODY.PEEK[])")
    save("fetch.txt", c.take())

    c.cmd(b"UID FETCH 1:* (BODY BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BODY.PEEK[1]<0.10> BINARY.PEEK[1])")
    save("fetch-sections.txt", c.take())

    c.cmd(b"UID SEARCH ALL")
    c.cmd(b"UID SEARCH MODSEQ 1")
    c.cmd(b"UID SEARCH SUBJECT nothing-matches")
    save("search.txt", c.take())

    c.cmd(b"UID SEARCH RETURN (MIN MAX COUNT ALL) ALL")
    c.cmd(b"SEARCH RETURN (COUNT) SUBJECT nothing-matches")
    save("esearch.txt", c.take())

    c.cmd(b'SETMETADATA "" (/private/vendor/vendor.dovecot/coi/config/enabled "yes")')
    c.cmd(b'SETMETADATA INBOX (/private/comment "Inbox comment")')
    c.take()
    c.cmd(b'GETMETADATA "" (/private/vendor/vendor.dovecot/coi/config/enabled /private/vendor/vendor.dovecot/coi/config/missing)')
    c.cmd(b'GETMETADATA INBOX (/private/comment)')
    save("metadata.txt", c.take())

    c.cmd(b'UID COPY 1:2 "Archive/2026"')
    save("copy.txt", c.take())

    c.cmd(b'STATUS "%s" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)' % mutf7("Entwürfe").encode())
    c.cmd(b'STATUS "Archive/2026" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)')
    save("status.txt", c.take())

    # QRESYNC: note the state, expunge, reselect with the old modseq
    c.cmd(b"SELECT INBOX (CONDSTORE)")
    sel = c.take()
    uidvalidity = sel.split(b"[UIDVALIDITY ")[1].split(b"]")[0]
    modseq = sel.split(b"[HIGHESTMODSEQ ")[1].split(b"]")[0]
    c.cmd(b"UID STORE 2 +FLAGS.SILENT (\\Deleted)")
    c.cmd(b"UID EXPUNGE 2")
    c.cmd(b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    save("expunge.txt", c.take())
    c.cmd(b"SELECT INBOX (QRESYNC (%s %s))" % (uidvalidity, modseq))
    save("qresync.txt", c.take())

    # IDLE: another connection appends and sets a flag
    c.n += 1
    tag = b"a%d" % c.n
    c.sock.sendall(tag + b" IDLE\r\n")
    c.read_line()  # + idling
    other = Conn("alice")
    other.cmd(b"SELECT INBOX")
    other.cmd(b"APPEND INBOX", literal=MESSAGES[2])
    other.cmd(b"UID STORE 1 +FLAGS (\\Flagged)")
    other.cmd(b"UID STORE 3 +FLAGS (\\Deleted)")
    other.cmd(b"EXPUNGE")
    deadline = time.time() + 3
    c.sock.settimeout(0.3)
    while time.time() < deadline:
        try:
            c.read_line()
        except socket.timeout:
            pass
    c.sock.settimeout(None)
    c.sock.sendall(b"DONE\r\n")
    while True:
        line = c.read_line()
        if line.startswith(tag + b" "):
            break
    save("idle.txt", c.take())

    c.cmd(b"LOGOUT")
    save("logout.txt", c.take())


main()
