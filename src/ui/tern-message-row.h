/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-message.h"

G_BEGIN_DECLS

/**
 * TernMessageRowState:
 * @TERN_MESSAGE_ROW_STATE_NONE: an incoming message: no state shown
 * @TERN_MESSAGE_ROW_STATE_PENDING: in the outbox, not sent yet
 * @TERN_MESSAGE_ROW_STATE_SENT: accepted by the SMTP server
 * @TERN_MESSAGE_ROW_STATE_READ: a read receipt came back
 * @TERN_MESSAGE_ROW_STATE_FAILED: sending failed for good
 *
 * What the ticks of an outgoing message show.
 */
typedef enum {
  TERN_MESSAGE_ROW_STATE_NONE,
  TERN_MESSAGE_ROW_STATE_PENDING,
  TERN_MESSAGE_ROW_STATE_SENT,
  TERN_MESSAGE_ROW_STATE_READ,
  TERN_MESSAGE_ROW_STATE_FAILED,
} TernMessageRowState;

#define TERN_TYPE_MESSAGE_ROW_STATE (tern_message_row_state_get_type ())
GType tern_message_row_state_get_type (void);

#define TERN_TYPE_MESSAGE_ROW (tern_message_row_get_type ())

G_DECLARE_FINAL_TYPE (TernMessageRow, tern_message_row, TERN, MESSAGE_ROW, GtkWidget)

TernMessageRow      *tern_message_row_new             (void);
const char          *tern_message_row_get_body        (TernMessageRow      *self);
void                 tern_message_row_set_body        (TernMessageRow      *self,
                                                       const char          *body);
const char          *tern_message_row_get_sender_name (TernMessageRow      *self);
void                 tern_message_row_set_sender_name (TernMessageRow      *self,
                                                       const char          *sender_name);
gboolean             tern_message_row_get_outgoing    (TernMessageRow      *self);
void                 tern_message_row_set_outgoing    (TernMessageRow      *self,
                                                       gboolean             outgoing);
gint64               tern_message_row_get_timestamp   (TernMessageRow      *self);
void                 tern_message_row_set_timestamp   (TernMessageRow      *self,
                                                       gint64               timestamp);
TernMessageRowState  tern_message_row_get_state       (TernMessageRow      *self);
void                 tern_message_row_set_state       (TernMessageRow      *self,
                                                       TernMessageRowState  state);
gboolean             tern_message_row_get_edited      (TernMessageRow      *self);
void                 tern_message_row_set_edited      (TernMessageRow      *self,
                                                       gboolean             edited);

/* What the conversation binds: everything of @message at once (one
 * accessible label update, sub-widgets created only when a message needs
 * them). @group: show sender names and avatars; @day: the day separator
 * text above the bubble, or NULL; @failure_reason: the reason shown under
 * a failed message (NULL: the message's own or a generic text). */
void                 tern_message_row_bind            (TernMessageRow      *self,
                                                       TernMessage         *message,
                                                       gboolean             group,
                                                       const char          *day,
                                                       const char          *failure_reason);
void                 tern_message_row_set_text_width  (TernMessageRow      *self,
                                                       int                  width);
void                 tern_message_row_unbind          (TernMessageRow      *self);
TernMessage         *tern_message_row_get_message     (TernMessageRow      *self);
/* For the tests: the widgets only some messages have (NULL when absent or hidden). */
GtkWidget           *tern_message_row_get_reply_quote (TernMessageRow      *self);
GtkWidget           *tern_message_row_get_full_button (TernMessageRow      *self);
GtkWidget           *tern_message_row_get_edited_button (TernMessageRow    *self);
GtkWidget           *tern_message_row_get_retry_button (TernMessageRow     *self);
const char          *tern_message_row_get_failure_text (TernMessageRow     *self);
const char          *tern_message_row_get_day         (TernMessageRow      *self);
gboolean             tern_message_row_get_mentions_me (TernMessageRow      *self);
/* Whether the folded quote/signature is shown in full. */
gboolean             tern_message_row_get_expanded    (TernMessageRow      *self);
/* Opens the edit history popover (the "edited" marker does on click). */
GtkWidget           *tern_message_row_show_history    (TernMessageRow      *self);

char                *tern_message_body_to_markup      (const char          *body);
/* @body with COI mentions (@"Name":addr, @Name:addr) shown as "@Name". */
char                *tern_message_body_strip_mentions (const char          *body);
/* The first non-empty line of @text (for quotes), at most @max characters. */
char                *tern_message_first_line          (const char          *text,
                                                       guint                max);

G_END_DECLS
