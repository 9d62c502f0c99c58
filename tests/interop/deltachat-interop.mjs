// SPDX-License-Identifier: GPL-3.0-or-later
// Delta Chat as a peer of Tern on the test stack (TAP output).
// usage: node deltachat-interop.mjs TERN_CLI   (inside tests/stack/with-stack)
// Delta Chat (carol, force_encryption off) and Tern (alice, through tern-cli) chat 1:1 both
// ways; each side has exactly one chat with the other; Tern's edit shows as an edit there,
// and Delta Chat's edit of its own message shows as an edit (with its history) in Tern.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDeltaChat } from "@deltachat/stdio-rpc-server";

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  console.log(`${cond ? "ok" : "not ok"} ${n} - ${name}`);
  if (!cond) {
    failed++;
    if (detail !== undefined) console.log("# " + JSON.stringify(detail).slice(0, 2000));
  }
  return cond;
}
function env(name) {
  const v = process.env[name];
  if (!v) {
    console.log(`Bail out! ${name} is not set: run inside tests/stack/with-stack`);
    process.exit(1);
  }
  return v;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn, ms = 60000, step = 500) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(step);
  }
}

const cli = process.argv[2];
const host = env("TERN_TEST_HOST"), domain = env("TERN_TEST_DOMAIN"), pw = env("TERN_TEST_PASSWORD");
const root = mkdtempSync(join(tmpdir(), "tern-dc-"));
const profile = join(root, "tern-alice");
const alice = `alice@${domain}`, carol = `carol@${domain}`;

function tern(...args) {
  const r = spawnSync(cli, ["--profile", profile, "--json", "--password-stdin", ...args],
                      { input: pw + "\n", encoding: "utf8", timeout: 180000 });
  let data = null;
  try { data = r.stdout.trim() ? JSON.parse(r.stdout) : null; } catch { data = r.stdout; }
  return { rc: r.status, data, stderr: r.stderr };
}

const dc = startDeltaChat(join(root, "dc"));
let code = 1;
try {
  const rpc = dc.rpc;
  const info = await rpc.getSystemInfo();
  ok(!!info.deltachat_core_version, `Delta Chat core ${info.deltachat_core_version} runs`);
  const acc = await rpc.addAccount();
  await rpc.setConfig(acc, "displayname", "Carol DC");
  try { await rpc.setConfig(acc, "force_encryption", "0"); } catch (e) { /* not a key in every core */ }
  await rpc.addOrUpdateTransport(acc, {
    addr: carol, password: pw,
    imapServer: host, imapPort: Number(env("TERN_TEST_IMAP_PORT")), imapSecurity: "starttls",
    imapUser: null, smtpServer: host, smtpPort: Number(env("TERN_TEST_SMTP_PORT")),
    smtpSecurity: "starttls", smtpUser: null, smtpPassword: null,
    certificateChecks: "acceptInvalidCertificates",
  });
  await rpc.startIo(acc);
  ok(true, "Delta Chat configured for " + carol);

  let r = tern("account", "add", "--address", alice, "--imap-host", host,
               "--imap-port", env("TERN_TEST_IMAP_PORT"), "--imap-security", "starttls",
               "--smtp-host", host, "--smtp-port", env("TERN_TEST_SMTP_PORT"),
               "--smtp-security", "starttls", "--trust-certificate", env("TERN_TEST_CERT_SHA256"));
  ok(r.rc === 0, "tern-cli account add " + alice, r.stderr);
  tern("sync");

  // Tern -> Delta Chat
  r = tern("send", "--to", carol, "--text", "Hello Delta Chat, from Tern");
  const sent = Array.isArray(r.data) ? r.data[r.data.length - 1] : r.data;
  ok(r.rc === 0 && sent && sent.message_id, "Tern sends to carol", r.stderr);

  async function dcFind(text) {
    const chats = await rpc.getChatlistEntries(acc, 0, null, null);
    for (const chatId of chats) {
      const ids = await rpc.getMessageIds(acc, chatId, false, false);
      for (const id of ids) {
        const m = await rpc.getMessage(acc, id);
        if (m.text && m.text.includes(text)) return { chatId, msg: m, chats };
      }
    }
    return null;
  }
  const got = await waitFor(() => dcFind("Hello Delta Chat"));
  ok(!!got, "Delta Chat receives Tern's message", got);
  const dcChat = got ? got.chatId : 0;

  // Delta Chat -> Tern, in the same chat
  if (dcChat) await rpc.acceptChat(acc, dcChat);
  const dcMsgId = dcChat ? await rpc.miscSendTextMessage(acc, dcChat, "Hello Tern, from Delta Chat") : 0;
  const fromDc = await waitFor(async () => {
    tern("sync");
    const m = tern("messages", carol);
    return Array.isArray(m.data) && m.data.find((x) => x.text && x.text.includes("Hello Tern, from Delta Chat"));
  }, 60000, 2000);
  ok(!!fromDc, "Tern receives Delta Chat's answer in its chat with carol", fromDc);
  const ternChats = tern("chats").data || [];
  ok(ternChats.filter((c) => c.key === carol).length === 1,
     "Tern has exactly one chat with carol", ternChats);
  const mine = tern("messages", carol).data || [];
  ok(mine.some((x) => x.outgoing && x.message_id === sent?.message_id), "Tern's own message is in that chat", mine);

  // One chat on the Delta Chat side, holding both messages
  const dcChats = (await rpc.getChatlistEntries(acc, 0, null, null));
  const withAlice = [];
  for (const id of dcChats) {
    const c = await rpc.getBasicChatInfo(acc, id);
    if (c.name && (c.name.includes("alice") || c.name.includes(alice))) withAlice.push(c);
  }
  ok(withAlice.length === 1, "Delta Chat has exactly one chat with alice", withAlice);

  // Tern edits; Delta Chat shows an edit
  r = tern("edit", sent?.message_id || "x", "Hello Delta Chat, from Tern (edited)");
  ok(r.rc === 0, "Tern edits its message", r.stderr);
  const edited = await waitFor(async () => {
    const m = got ? await rpc.getMessage(acc, got.msg.id) : null;
    return m && m.text.includes("(edited)") && m.isEdited ? m : null;
  });
  ok(!!edited, "Delta Chat shows Tern's edit as an edit of the same message", edited);
  const dup = await dcFind("(edited)");
  ok(dup && dup.msg.id === got?.msg.id, "no new message for the edit on Delta Chat", dup);

  // Delta Chat edits its own message; Tern shows the edited text, with its history
  let dcEdited = false;
  try {
    if (dcMsgId) { await rpc.sendEditRequest(acc, dcMsgId, "Hello Tern, from Delta Chat (edited in DC)"); dcEdited = true; }
  } catch (e) { ok(false, "Delta Chat sends an edit request", String(e)); }
  ok(dcEdited, "Delta Chat edits the message it sent");
  const ternEdited = await waitFor(async () => {
    tern("sync");
    const m = tern("messages", carol);
    return Array.isArray(m.data) && m.data.find((x) => x.message_id === fromDc?.message_id
                                                     && x.text && x.text.includes("(edited in DC)"));
  }, 60000, 2000);
  ok(!!ternEdited && ternEdited.edited === true,
     "Tern shows Delta Chat's edit on the same message, marked edited", ternEdited || tern("messages", carol).data);
  const history = ternEdited && Array.isArray(ternEdited.edits) ? ternEdited.edits : [];
  ok(history.length === 1 && history[0].old_text === "Hello Tern, from Delta Chat"
     && history[0].new_text.includes("(edited in DC)"), "Tern keeps the text before the edit", ternEdited);
  const all = tern("messages", carol).data || [];
  ok(all.filter((x) => x.text && x.text.includes("(edited in DC)")).length === 1,
     "the edit is no message of its own in Tern", all.map((x) => x.text));
  code = failed ? 1 : 0;
} catch (e) {
  ok(false, "exception: " + e.message, String(e.stack));
} finally {
  dc.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(`1..${n}`);
process.exit(failed ? 1 : code);
