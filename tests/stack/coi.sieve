# SPDX-License-Identifier: GPL-3.0-or-later
# Global Sieve script of the COI flavour of the Tern test stack (sieve_before at LMTP
# delivery). It files chat messages the way a COI server does for the "active" filter
# mode: a message is a chat message when it has a Chat-Version header, or its Message-ID
# starts with <chat$, or the first id in References starts with <chat$.
require ["fileinto", "imap4flags", "mailbox"];

if anyof (exists "Chat-Version",
          header :matches "Message-ID" "<chat$*",
          header :matches "References" "<chat$*") {
  addflag "$Chat";
  fileinto :create "COI/Chats";
  stop;
}
