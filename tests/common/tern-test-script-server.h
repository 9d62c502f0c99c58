/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A scripted socket server on 127.0.0.1 (free port), for fault tests of what
 * a real server will not do on demand: replies cut in half, bytes one at a
 * time, dropped connections, garbage. It serves one connection from its own
 * thread, following a script of lines:
 *
 *   S: text      send "text\r\n"
 *   S- text      send "text" without CRLF
 *   C: prefix    read one line from the client; it must start with prefix
 *                (an empty prefix accepts any line)
 *   SLOW         from now on send one byte at a time (with a flush each)
 *   FAST         back to whole writes
 *   WAIT ms      sleep
 *   DROP         close the connection now
 *   RAW n        send n bytes of 'x' (for oversized literals) without CRLF
 *
 * Extensions:
 *   C= text      read one line; it must equal text exactly
 *   C* text      read lines until one equals text exactly (e.g. the "." ending DATA)
 *   SE text      send text with C escapes decoded (\r \n \t \\ \ooo), no CRLF added:
 *                several lines in one write (S: and S- send text as is)
 *   TLS          server-side TLS handshake with $TERN_TEST_DATA/net/server.pem
 *                (a self-signed certificate for localhost/127.0.0.1; its SHA-256
 *                fingerprint is in $TERN_TEST_DATA/net/server.sha256)
 *   EOF          expect the client to close the connection
 *   blank lines and lines starting with '#' are ignored
 *
 * When the script ends the server closes the connection. A client closing
 * while a C: step waits is a mismatch.
 *
 * Mismatches are recorded and reported by tern_test_script_server_finish(). */
typedef struct _TernTestScriptServer TernTestScriptServer;

TernTestScriptServer *tern_test_script_server_new    (const char            *script);
guint16               tern_test_script_server_port   (TernTestScriptServer  *self);
/* Waits for the script to end (or the client to go away); FALSE with
 * @error when the client did not follow the script. Frees nothing. */
gboolean              tern_test_script_server_finish (TernTestScriptServer  *self,
                                                      GError               **error);
/* Every line the client sent so far, without line ends (free with g_strfreev). */
char                **tern_test_script_server_dup_received (TernTestScriptServer *self);
void                  tern_test_script_server_free   (TernTestScriptServer  *self);

/* Ends GLib's idle worker threads (those that ran TLS handshakes). Call it
 * at the end of a test's main(): LeakSanitizer of GCC 12 can crash on a
 * live thread whose dynamic TLS (gnutls, loaded as a GIO module) it scans
 * at exit. */
void                  tern_test_stop_idle_threads    (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernTestScriptServer, tern_test_script_server_free)

G_END_DECLS
