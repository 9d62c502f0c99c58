/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

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

G_DECLARE_FINAL_TYPE (TernMessageRow, tern_message_row, TERN, MESSAGE_ROW, AdwBin)

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

char                *tern_message_body_to_markup      (const char          *body);

G_END_DECLS
