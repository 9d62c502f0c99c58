/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-conversation.h"
#include "tern-message-row.h"
#include "tern-pinned-banner.h"

/* The conversation pane: a GtkListView of TernMessageRow bound to a
 * TernMessageList, opening at the newest message and loading older ones
 * when scrolled near the top (the list view keeps the rows on screen in
 * place when rows are inserted above them), with the composer below. The
 * draft of each chat is kept in the chat when another chat is opened. */

/* ---- the rows shown: the newest part of the loaded messages -------------- *
 * Opening a chat builds rows for about what fits the view (FIRST_ROWS), not
 * for the whole loaded window: the list view of GTK 4.8 builds a row for
 * every item near its anchor (up to 200). The other loaded rows are added
 * LOAD_CHUNK a frame after the first frame, or sooner when the user scrolls
 * up; older rows come from the store once all loaded ones are shown.
 *
 * Scrolling up also hides rows far below the view again. Every row added
 * above others makes GTK 4.8 compute the CSS style of each row after it
 * anew (about 0.1 ms a row here: a new node passes its parent and sibling
 * changes on to all later siblings), so the cost of each older row shown
 * grows with the rows the view holds, up to the 200 GTK keeps. Rows more
 * than HIDE_BELOW_PAGES below the view are hidden, and shown again when
 * the user scrolls down towards them.
 *
 * TernTailModel shows the items [offset, n - below) of the message list and
 * passes its changes on (a change wholly before the offset moves the
 * offset, one wholly in the hidden rows below grows or shrinks them). */

#define TERN_TYPE_TAIL_MODEL (tern_tail_model_get_type ())
G_DECLARE_FINAL_TYPE (TernTailModel, tern_tail_model, TERN, TAIL_MODEL, GObject)

struct _TernTailModel
{
  GObject     parent_instance;
  GListModel *model;
  guint       offset;   /* items hidden above */
  guint       below;    /* items hidden below */
  gulong      changed_id;
};

static GType
tern_tail_model_get_item_type (GListModel *list)
{
  return TERN_TYPE_MESSAGE;
}

static guint
tern_tail_model_get_n_items (GListModel *list)
{
  TernTailModel *self = TERN_TAIL_MODEL (list);
  guint n = self->model ? g_list_model_get_n_items (self->model) : 0;

  return n > self->offset + self->below ? n - self->offset - self->below : 0;
}

static gpointer
tern_tail_model_get_item (GListModel *list,
                          guint       position)
{
  TernTailModel *self = TERN_TAIL_MODEL (list);

  if (self->model == NULL || position >= tern_tail_model_get_n_items (list))
    return NULL;
  return g_list_model_get_item (self->model, position + self->offset);
}

static void
tern_tail_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tern_tail_model_get_item_type;
  iface->get_n_items = tern_tail_model_get_n_items;
  iface->get_item = tern_tail_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TernTailModel, tern_tail_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, tern_tail_model_iface_init))

static void
tail_items_changed_cb (GListModel    *model,
                       guint          position,
                       guint          removed,
                       guint          added,
                       TernTailModel *self)
{
  guint n_before = g_list_model_get_n_items (model) - added + removed;
  guint end = n_before - MIN (n_before, self->offset + self->below) + self->offset;
  guint before;

  /* Within the shown rows, or added after them when none are hidden below
   * (a new message). */
  if (position >= self->offset && position + removed <= end &&
      (position < end || self->below == 0))
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position - self->offset, removed, added);
      return;
    }
  if (position + removed <= self->offset)
    {
      /* Not shown: the shown rows stay as they are. */
      self->offset = self->offset - removed + added;
      return;
    }
  if (position >= end)
    {
      /* Hidden below: shown when the user scrolls down to them. */
      self->below = self->below - removed + added;
      return;
    }
  /* A change across the first or last shown row: show them all. */
  before = end - self->offset;
  self->offset = 0;
  self->below = 0;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, before, g_list_model_get_n_items (model));
}

static void
tern_tail_model_dispose (GObject *object)
{
  TernTailModel *self = TERN_TAIL_MODEL (object);

  if (self->model != NULL)
    g_clear_signal_handler (&self->changed_id, self->model);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (tern_tail_model_parent_class)->dispose (object);
}

static void
tern_tail_model_class_init (TernTailModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tern_tail_model_dispose;
}

static void
tern_tail_model_init (TernTailModel *self)
{
}

/* The last @shown items of @model. */
static TernTailModel *
tern_tail_model_new (GListModel *model,
                     guint       shown)
{
  TernTailModel *self = g_object_new (TERN_TYPE_TAIL_MODEL, NULL);
  guint n = g_list_model_get_n_items (model);

  self->model = g_object_ref (model);
  self->offset = n > shown ? n - shown : 0;
  self->changed_id = g_signal_connect (model, "items-changed", G_CALLBACK (tail_items_changed_cb),
                                       self);
  return self;
}

/* Shows up to @count more of the hidden rows; returns how many. */
static guint
tern_tail_model_reveal (TernTailModel *self,
                        guint          count)
{
  count = MIN (count, self->offset);
  if (count == 0)
    return 0;
  self->offset -= count;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, count);
  return count;
}

/* Shows up to @count more of the rows hidden below; returns how many. */
static guint
tern_tail_model_reveal_below (TernTailModel *self,
                              guint          count)
{
  guint shown = tern_tail_model_get_n_items (G_LIST_MODEL (self));

  count = MIN (count, self->below);
  if (count == 0)
    return 0;
  self->below -= count;
  g_list_model_items_changed (G_LIST_MODEL (self), shown, 0, count);
  return count;
}

/* Hides the last @count shown rows. */
static void
tern_tail_model_hide_below (TernTailModel *self,
                            guint          count)
{
  guint shown = tern_tail_model_get_n_items (G_LIST_MODEL (self));

  count = MIN (count, shown);
  if (count == 0)
    return;
  self->below += count;
  g_list_model_items_changed (G_LIST_MODEL (self), shown - count, count, 0);
}

/* Shows only the last @count rows (the newest). */
static void
tern_tail_model_show_newest (TernTailModel *self,
                             guint          count)
{
  guint n = g_list_model_get_n_items (self->model);
  guint shown;

  tern_tail_model_reveal_below (self, self->below);
  shown = tern_tail_model_get_n_items (G_LIST_MODEL (self));
  if (shown > count)
    {
      self->offset = n - count;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, shown - count, 0);
    }
}

struct _TernConversation
{
  GtkBox           parent_instance;

  TernChat        *chat;
  TernMessageList *messages;
  TernTailModel   *tail;             /* the rows shown: the newest of messages */
  guint            reveal_tick;
  guint            reveal_frames;
  GtkNoSelection  *selection;

  GtkScrolledWindow *scroll;
  GtkListView     *list_view;
  GtkAdjustment   *vadjustment;
  TernComposer    *composer;

  gboolean         at_bottom;
  gboolean         scrolling_up;     /* the last move of the user's */
  double           last_value;
  double           last_upper;
  guint            tick_id;
  guint            ticks;
  guint            settled;
  gboolean         adjusting;
  guint            load_idle;
  char            *reply_to;
  gint64           editing;          /* message row id being edited, or 0 */
  GHashTable      *failure_reasons;  /* message row id (gint64*) -> reason */
  GHashTable      *bound;            /* GtkListItem bound to a message */
  GPtrArray       *unshown;          /* new row widgets, hidden until placed */
  guint            show_idle;
  GDateTime       *now;              /* "today" of the day separators, per chat */
  gulong           items_changed_id;
  int              width;            /* last allocated width */
  guint            rewrap_idle;

  /* The pinned message banner (reads the chat's pin from the store) */
  TernPinnedBanner *pinned_banner;

  /* Jumping to a message */
  gint64           jump_message;
  guint            jump_tick;
  guint            jump_frames;
  guint            highlight_id;
  GtkWidget       *highlighted;
};

G_DEFINE_FINAL_TYPE (TernConversation, tern_conversation, GTK_TYPE_BOX)

/* Older rows are loaded LOAD_CHUNK at a time once the view is within
 * LOAD_PAGES pages of the top: small steps, so a frame builds few rows
 * (each costs about 2 ms of CSS, layout and binding here); within a page
 * of the top (the user jumped there) LOAD_CHUNK_NEAR at a time. Not more
 * than 1.5 pages ahead: every shown row after an added one is restyled. */
#define LOAD_CHUNK 2
#define LOAD_CHUNK_NEAR 4
#define LOAD_PAGES 1.5

/* Rows built for the first frame of a chat: more than fit the view (a
 * one-line message is about 40 px tall). */
#define FIRST_ROW_HEIGHT 40
#define FIRST_ROWS_MIN   8

/* While the user scrolls up, rows more than HIDE_PAGES below the view are
 * hidden (on the way down, those above it); hidden rows come back within
 * LOAD_PAGES of the view. At least MIN_SHOWN rows stay. */
#define HIDE_PAGES 0.5
#define MIN_SHOWN  24
/* Going to the newest message with more rows shown than GTK keeps widgets
 * for hides the older ones again. */
#define MAX_SHOWN  200

enum {
  SIGNAL_RETRY,
  SIGNAL_DELETE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
tern_format_day (GDateTime *day,
                 GDateTime *now)
{
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) that = NULL;
  GTimeSpan diff;

  today = g_date_time_new (g_date_time_get_timezone (now), g_date_time_get_year (now),
                           g_date_time_get_month (now), g_date_time_get_day_of_month (now),
                           0, 0, 0);
  that = g_date_time_new (g_date_time_get_timezone (now), g_date_time_get_year (day),
                          g_date_time_get_month (day), g_date_time_get_day_of_month (day),
                          0, 0, 0);
  diff = g_date_time_difference (today, that);

  if (diff <= 0)
    return g_strdup (_("Today"));
  if (diff <= G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR)
    return g_strdup (_("Yesterday"));
  if (diff < 7 * G_TIME_SPAN_DAY)
    /* Translators: a day separator within the last week, see g_date_time_format() */
    return g_date_time_format (day, C_("day separator", "%A"));
  if (g_date_time_get_year (day) == g_date_time_get_year (now))
    /* Translators: a day separator this year, see g_date_time_format() */
    return g_date_time_format (day, C_("day separator", "%A, %e %B"));
  /* Translators: a day separator of an earlier year, see g_date_time_format() */
  return g_date_time_format (day, C_("day separator", "%e %B %Y"));
}

static gboolean
same_day (GDateTime *a,
          GDateTime *b)
{
  return g_date_time_get_year (a) == g_date_time_get_year (b) &&
         g_date_time_get_day_of_year (a) == g_date_time_get_day_of_year (b);
}

/* The room for one line of text in a bubble (see style.css: row padding
 * 2 x 12, bubble padding 2 x 10, the 48 px margin on the other side, and
 * the avatar of others in groups), 0 while the width is not known yet. */
static int
text_width (TernConversation *self,
            gboolean          avatar)
{
  int width = self->width;

  if (width <= 0)
    {
      /* Not allocated yet (the first chat opened): the window's width
       * less the sidebar, if the window has one. */
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      width = root ? gtk_widget_get_width (GTK_WIDGET (root)) - 320 : 0;
    }
  width -= 92 + (avatar ? 38 : 0) + 4;
  return width > 40 ? width : 0;
}

/* How many of the loaded (older) messages are not shown yet. */
static guint
tail_offset (TernConversation *self)
{
  return self->tail ? self->tail->offset : 0;
}

static void
reveal_all (TernConversation *self)
{
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->reveal_tick);
  self->reveal_tick = 0;
  if (self->tail != NULL)
    {
      tern_tail_model_reveal (self->tail, self->tail->offset);
      tern_tail_model_reveal_below (self->tail, self->tail->below);
    }
}

/* After a chat's first frame: LOAD_CHUNK more of its loaded rows a frame. */
static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  TernConversation *self = user_data;

  /* The first tick is in the frame that shows the chat first. */
  if (self->reveal_frames++ == 0)
    return G_SOURCE_CONTINUE;
  /* Enough above the view (the rest comes when the user scrolls up): each
   * row more would make every later row added above cost more. */
  if (self->tail == NULL ||
      (self->tick_id == 0 &&
       gtk_adjustment_get_value (self->vadjustment) >=
       LOAD_PAGES * gtk_adjustment_get_page_size (self->vadjustment) + FIRST_ROW_HEIGHT))
    {
      self->reveal_tick = 0;
      return G_SOURCE_REMOVE;
    }
  if (tern_tail_model_reveal (self->tail, LOAD_CHUNK) == 0 || self->tail->offset == 0)
    {
      self->reveal_tick = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Whether the row of @item starts a new day (its message is the first of
 * its day among the rows shown). */
static gboolean
shows_day (TernConversation *self,
           GtkListItem      *item,
           TernMessage      *message)
{
  GDateTime *time = tern_message_get_sent_time (message);
  guint position = gtk_list_item_get_position (item);

  if (time == NULL)
    return FALSE;
  if (position != GTK_INVALID_LIST_POSITION && position > 0)
    {
      g_autoptr(TernMessage) previous = g_list_model_get_item (G_LIST_MODEL (self->messages),
                                                               position + tail_offset (self) - 1);
      GDateTime *previous_time = previous ? tern_message_get_sent_time (previous) : NULL;

      return previous_time == NULL || !same_day (previous_time, time);
    }
  return TRUE;
}

static gboolean
is_group (TernConversation *self)
{
  return self->chat != NULL && tern_chat_get_kind (self->chat) != TERN_CHAT_KIND_DIRECT;
}

static void
update_item (TernConversation *self,
             GtkListItem      *item)
{
  TernMessage *message = gtk_list_item_get_item (item);
  TernMessageRow *row = TERN_MESSAGE_ROW (gtk_list_item_get_child (item));
  g_autofree char *day = NULL;
  GDateTime *time;
  gboolean group;
  gint64 id;

  if (message == NULL || row == NULL)
    return;

  group = is_group (self);
  time = tern_message_get_sent_time (message);
  if (shows_day (self, item, message))
    {
      if (self->now == NULL)
        self->now = g_date_time_new_now_local ();
      day = tern_format_day (time, self->now);
    }
  id = tern_message_get_id (message);
  tern_message_row_set_text_width (row, text_width (self, group && !tern_message_get_outgoing (message)));
  tern_message_row_bind (row, message, group, day, g_hash_table_lookup (self->failure_reasons, &id));
}

/* What the row of a list item was last bound to. GTK 4.8's signal factory
 * unbinds and binds an item again whenever its position changes, even when
 * its message stays the same: adding two older rows at the top rebound
 * every row the view holds (up to 200, about 0.1 ms each), which made the
 * slowest frames of scrolling up. So an unbind keeps the row's message and
 * the handler that follows its changes, and binding the same message again
 * only checks what depends on the position (the day separator) and the
 * width. A message that changes while its row is unbound is bound in full
 * again. */
typedef struct
{
  TernMessage *message;  /* owned */
  gulong       handler;  /* its notify handler */
} Binding;

#define BINDING_KEY "tern-binding"
#define UNSHOWN_KEY "tern-unshown"

static void
binding_free (gpointer data)
{
  Binding *binding = data;

  if (binding->handler != 0 && g_signal_handler_is_connected (binding->message, binding->handler))
    g_signal_handler_disconnect (binding->message, binding->handler);
  g_object_unref (binding->message);
  g_free (binding);
}

static void
message_notify_cb (GtkListItem *item,
                   GParamSpec  *pspec)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  TernConversation *self;

  if (gtk_list_item_get_item (item) == NULL)
    {
      /* Changed while unbound: the next bind starts afresh. */
      g_object_set_data (G_OBJECT (item), BINDING_KEY, NULL);
      return;
    }
  if (row == NULL)
    return;
  self = TERN_CONVERSATION (gtk_widget_get_ancestor (row, TERN_TYPE_CONVERSATION));
  if (self == NULL)
    return;
  update_item (self, item);
}

static void
row_retry_cb (TernMessageRow   *row,
              gint64            message,
              TernConversation *self)
{
  g_signal_emit (self, signals[SIGNAL_RETRY], 0, message);
}

static void
row_quote_cb (TernMessageRow   *row,
              gint64            message,
              TernConversation *self)
{
  tern_conversation_scroll_to_message (self, message);
}

static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                TernMessageRow  *row)
{
  TernConversation *self = TERN_CONVERSATION (gtk_widget_get_ancestor (GTK_WIDGET (row),
                                                                       TERN_TYPE_CONVERSATION));
  TernMessage *message = tern_message_row_get_message (row);
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *popover;
  gint64 id;

  if (self == NULL || message == NULL || tern_message_get_deleted (message))
    return;

  id = tern_message_get_id (message);
  {
    g_autoptr(GMenuItem) reply = g_menu_item_new (_("_Reply"), NULL);

    g_menu_item_set_action_and_target_value (reply, "message.reply", g_variant_new_int64 (id));
    g_menu_append_item (menu, reply);
  }
  if (tern_message_get_outgoing (message))
    {
      g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit"), NULL);
      g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete for Everyone"), NULL);

      g_menu_item_set_action_and_target_value (edit, "message.edit", g_variant_new_int64 (id));
      g_menu_item_set_action_and_target_value (delete, "message.delete", g_variant_new_int64 (id));
      g_menu_append_item (menu, edit);
      g_menu_append_item (menu, delete);
    }

  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, GTK_WIDGET (row));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* A row is one TernMessageRow (its optional parts are created by the row
 * when a message needs them). */
static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          TernConversation         *self)
{
  TernMessageRow *row = tern_message_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (row_pressed_cb), row);
  gtk_widget_add_controller (GTK_WIDGET (row), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (row, "retry", G_CALLBACK (row_retry_cb), self);
  g_signal_connect (row, "quote-activated", G_CALLBACK (row_quote_cb), self);
  gtk_list_item_set_child (item, GTK_WIDGET (row));
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  /* Shown only once in place: see hide_new_row(). */
  g_object_set_data (G_OBJECT (row), UNSHOWN_KEY, GINT_TO_POINTER (TRUE));
}

/* New rows are bound hidden and shown once the list view has put them in
 * place. GTK 4.8 passes the changes of a new CSS node (a new parent: all
 * of them) on to every later sibling, so a row built above others made
 * every row after it and each of their descendants compute its style
 * anew: ~280 styles a frame while scrolling up. A hidden node passes
 * nothing on. Its style is computed while it is hidden, which uses up its
 * changes, and once shown it only tells its siblings that their position
 * changed, which no style here depends on. The list view builds the row
 * (setup and bind) as it inserts it, so it is hidden at its first bind,
 * before anything asks for a style. */
static void show_new_rows (TernConversation *self);

static gboolean
show_new_rows_idle_cb (gpointer user_data)
{
  TernConversation *self = user_data;

  self->show_idle = 0;
  show_new_rows (self);
  return G_SOURCE_REMOVE;
}

static void
hide_new_row (TernConversation *self,
              GtkWidget        *row)
{
  GtkWidget *owner = gtk_widget_get_parent (row);

  if (owner == NULL || g_object_get_data (G_OBJECT (row), UNSHOWN_KEY) == NULL)
    return;
  g_object_set_data (G_OBJECT (row), UNSHOWN_KEY, NULL);
  gtk_widget_set_visible (owner, FALSE);
  g_ptr_array_add (self->unshown, g_object_ref (owner));
  /* Rows the list view builds outside a change of its model (scrolling
   * far) are shown before the next frame. */
  if (self->show_idle == 0)
    self->show_idle = g_idle_add_full (G_PRIORITY_HIGH, show_new_rows_idle_cb, self, NULL);
}

static void
show_new_rows (TernConversation *self)
{
  for (guint i = 0; i < self->unshown->len; i++)
    {
      GtkWidget *owner = self->unshown->pdata[i];

      if (gtk_widget_get_parent (owner) == GTK_WIDGET (self->list_view))
        {
          GdkRGBA color;

          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          gtk_style_context_get_color (gtk_widget_get_style_context (owner), &color);
          G_GNUC_END_IGNORE_DEPRECATIONS
        }
      gtk_widget_set_visible (owner, TRUE);
    }
  g_ptr_array_set_size (self->unshown, 0);
}

/* The same message at another position: only the day separator and the
 * width can differ. */
static void
update_moved_item (TernConversation *self,
                   GtkListItem      *item)
{
  TernMessage *message = gtk_list_item_get_item (item);
  TernMessageRow *row = TERN_MESSAGE_ROW (gtk_list_item_get_child (item));

  tern_message_row_set_text_width (row, text_width (self, is_group (self) &&
                                                          !tern_message_get_outgoing (message)));
  if (shows_day (self, item, message) != (tern_message_row_get_day (row) != NULL))
    update_item (self, item);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         TernConversation         *self)
{
  TernMessage *message = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  Binding *binding = g_object_get_data (G_OBJECT (item), BINDING_KEY);

  if (self->bound != NULL)
    g_hash_table_add (self->bound, item);
  if (row != NULL)
    hide_new_row (self, row);
  if (binding != NULL && binding->message == message && row != NULL &&
      tern_message_row_get_message (TERN_MESSAGE_ROW (row)) == message)
    {
      update_moved_item (self, item);
      return;
    }

  update_item (self, item);
  binding = g_new0 (Binding, 1);
  binding->message = g_object_ref (message);
  binding->handler = g_signal_connect_object (message, "notify", G_CALLBACK (message_notify_cb),
                                              item, G_CONNECT_SWAPPED);
  g_object_set_data_full (G_OBJECT (item), BINDING_KEY, binding, binding_free);
}

/* The row keeps its message (see Binding): GTK binds it again at once when
 * only its position changed. */
static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           TernConversation         *self)
{
  if (self->bound != NULL)
    g_hash_table_remove (self->bound, item);
}

static void
teardown_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             TernConversation         *self)
{
  if (self->bound != NULL)
    g_hash_table_remove (self->bound, item);
  g_object_set_data (G_OBJECT (item), BINDING_KEY, NULL);
  if (gtk_list_item_get_child (item) != NULL)
    tern_message_row_unbind (TERN_MESSAGE_ROW (gtk_list_item_get_child (item)));
}

static GtkListItem *
bound_item_at (TernConversation *self,
               guint             position)
{
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    if (gtk_list_item_get_position (item) != GTK_INVALID_LIST_POSITION &&
        gtk_list_item_get_position (item) + tail_offset (self) == position)
      return item;
  return NULL;
}

static double
bottom_gap (TernConversation *self)
{
  return gtk_adjustment_get_upper (self->vadjustment) -
         gtk_adjustment_get_page_size (self->vadjustment) -
         gtk_adjustment_get_value (self->vadjustment);
}

/* Row heights are estimates until the rows are built, so one jump to the
 * end rarely lands there: the view follows the last row frame by frame
 * until it stays at the bottom (at most a second). */
static gboolean
bottom_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  TernConversation *self = user_data;
  guint n = self->tail ? g_list_model_get_n_items (G_LIST_MODEL (self->tail)) : 0;

  if (n == 0 || ++self->ticks > 60 || (bottom_gap (self) <= 0.5 && ++self->settled >= 2))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (bottom_gap (self) > 0.5)
    {
      self->settled = 0;
      self->adjusting = TRUE;
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
      gtk_adjustment_set_value (self->vadjustment,
                                gtk_adjustment_get_upper (self->vadjustment) -
                                gtk_adjustment_get_page_size (self->vadjustment));
      self->adjusting = FALSE;
    }

  return G_SOURCE_CONTINUE;
}

/* The rows built for the first frame of a chat: more than fit the view. */
static guint
first_rows (TernConversation *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->scroll));

  if (height <= 0 && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    height = gtk_widget_get_height (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self))));
  return height > 0 ? (guint) MAX (FIRST_ROWS_MIN, height / FIRST_ROW_HEIGHT + 2) : G_MAXUINT;
}

static void
scroll_to_bottom (TernConversation *self)
{
  /* Rows hidden below (the user had scrolled up), or many rows shown (after
   * a jump): the newest are shown, the others hidden above, as when the
   * chat opens. */
  if (self->tail != NULL &&
      (self->tail->below > 0 || g_list_model_get_n_items (G_LIST_MODEL (self->tail)) > MAX_SHOWN))
    tern_tail_model_show_newest (self->tail, MAX (first_rows (self), MIN_SHOWN));
  self->at_bottom = TRUE;
  self->ticks = 0;
  self->settled = 0;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), bottom_tick_cb,
                                                  self, NULL);
}

/* The row widgets of the shown rows, by their position in the view's
 * model (NULL where GTK has none), and the first and last of them that are
 * mapped (in or next to the view; GTK does not map the others). */
static GPtrArray *
shown_rows (TernConversation *self,
            guint            *first_mapped,
            guint            *last_mapped)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->tail));
  GPtrArray *rows = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer item;

  g_ptr_array_set_size (rows, shown);
  *first_mapped = G_MAXUINT;
  *last_mapped = 0;
  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      guint position = gtk_list_item_get_position (item);
      GtkWidget *row = gtk_list_item_get_child (item);

      if (position >= shown || row == NULL)
        continue;
      rows->pdata[position] = row;
      if (gtk_widget_get_mapped (row))
        {
          *first_mapped = MIN (*first_mapped, position);
          *last_mapped = MAX (*last_mapped, position);
        }
    }
  return rows;
}

static int
row_height (GtkWidget *row,
            int        width)
{
  int height = 0;

  if (row != NULL)
    gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, width, NULL, &height, NULL, NULL);
  return height;
}

/* Hides up to @max of the last shown rows that are more than HIDE_PAGES
 * below the view. */
static void
hide_far_below (TernConversation *self,
                guint             max)
{
  int view = gtk_widget_get_height (GTK_WIDGET (self->list_view));
  int width = gtk_widget_get_width (GTK_WIDGET (self->list_view));
  guint first, last, far;
  g_autoptr(GPtrArray) rows = shown_rows (self, &first, &last);
  double distance = 0;

  if (first == G_MAXUINT || view <= 0)
    return;
  /* From the last row in view down to where rows are far enough. */
  for (far = last + 1; far < rows->len && distance <= HIDE_PAGES * view; far++)
    distance += row_height (rows->pdata[far], width);
  if (distance <= HIDE_PAGES * view)
    return;
  far = MAX (far, MIN_SHOWN);
  if (far < rows->len)
    tern_tail_model_hide_below (self->tail, MIN (max, rows->len - far));
}

/* Hides up to @max of the first shown rows that are more than HIDE_PAGES
 * above the view (they come back when the user scrolls up again). */
static void
hide_far_above (TernConversation *self,
                guint             max)
{
  int view = gtk_widget_get_height (GTK_WIDGET (self->list_view));
  int width = gtk_widget_get_width (GTK_WIDGET (self->list_view));
  guint first, last, count;
  g_autoptr(GPtrArray) rows = shown_rows (self, &first, &last);
  double distance = 0;
  guint near = first;

  if (first == G_MAXUINT || view <= 0)
    return;
  /* From the first row in view up to where rows are far enough: the rows
   * before @near are. */
  while (near > 0 && distance <= HIDE_PAGES * view)
    distance += row_height (rows->pdata[--near], width);
  if (distance <= HIDE_PAGES * view)
    return;
  count = MIN (max, near);
  if (rows->len - count < MIN_SHOWN)
    count = rows->len > MIN_SHOWN ? rows->len - MIN_SHOWN : 0;
  if (count > 0)
    {
      self->tail->offset += count;
      g_list_model_items_changed (G_LIST_MODEL (self->tail), 0, count, 0);
    }
}

static gboolean
load_older_idle_cb (gpointer user_data)
{
  TernConversation *self = user_data;

  self->load_idle = 0;
  if (self->messages == NULL)
    return G_SOURCE_REMOVE;
  /* A few rows at a time, well before the top is reached: each load
   * builds only as many row widgets as it adds, so no frame pays for a
   * whole window of rows. Loaded rows not shown yet come first. */
  if (self->messages != NULL &&
      gtk_adjustment_get_value (self->vadjustment) <
      LOAD_PAGES * gtk_adjustment_get_page_size (self->vadjustment))
    {
      guint chunk = gtk_adjustment_get_value (self->vadjustment) <
                    gtk_adjustment_get_page_size (self->vadjustment) ? LOAD_CHUNK_NEAR : LOAD_CHUNK;

      if (tern_tail_model_reveal (self->tail, chunk) == 0 &&
          tern_message_list_get_has_more (self->messages))
        tern_message_list_load_older (self->messages, chunk);
      if (self->scrolling_up)
        hide_far_below (self, 2 * chunk);
    }
  if (!self->scrolling_up && self->tail->below > 0 &&
      bottom_gap (self) < LOAD_PAGES * gtk_adjustment_get_page_size (self->vadjustment))
    {
      /* Back down towards rows hidden below. */
      tern_tail_model_reveal_below (self->tail, LOAD_CHUNK_NEAR);
      hide_far_above (self, 2 * LOAD_CHUNK_NEAR);
    }

  return G_SOURCE_REMOVE;
}

static void
adjustment_changed_cb (TernConversation *self)
{
  /* The list grew (a new message, better row estimates): stay at the
   * newest message if that is where the user was. */
  if (self->at_bottom && bottom_gap (self) > 0.5)
    scroll_to_bottom (self);
}

static void
value_changed_cb (TernConversation *self)
{
  double value = gtk_adjustment_get_value (self->vadjustment);
  double page = gtk_adjustment_get_page_size (self->vadjustment);
  double upper = gtk_adjustment_get_upper (self->vadjustment);

  /* While following the last row the list view moves the value itself. */
  if (self->adjusting || self->tick_id != 0)
    return;

  /* Rows added or hidden above move the value with the upper bound: only
   * a move within the same bound is the user's. */
  if (upper == self->last_upper && value != self->last_value)
    self->scrolling_up = value < self->last_value;
  self->last_value = value;
  self->last_upper = upper;
  /* Rows hidden below: not at the newest message. */
  self->at_bottom = (self->tail == NULL || self->tail->below == 0) && value >= upper - page - 8;
  if (self->messages != NULL && self->load_idle == 0 &&
      ((value < LOAD_PAGES * page &&
        (tail_offset (self) > 0 || tern_message_list_get_has_more (self->messages))) ||
       (self->tail != NULL && self->tail->below > 0 && upper - page - value < LOAD_PAGES * page)))
    self->load_idle = g_idle_add (load_older_idle_cb, self);
}

/* ---- the pinned message banner -------------------------------------------- */

static void
pinned_activated_cb (TernConversation *self,
                     gint64            message)
{
  tern_conversation_scroll_to_message (self, message);
}

static void
messages_changed_cb (GListModel       *model,
                     guint             position,
                     guint             removed,
                     guint             added,
                     TernConversation *self)
{
  GtkListItem *after;

  /* The row after inserted ones may no longer start a new day: the list
   * view does not rebind rows whose item did not change. */
  if (added > 0 && (after = bound_item_at (self, position + added)) != NULL)
    update_item (self, after);
}

/* ---- jumping to a message ---------------------------------------------------- */

static gboolean
unhighlight_cb (gpointer user_data)
{
  TernConversation *self = user_data;

  self->highlight_id = 0;
  if (self->highlighted != NULL)
    {
      gtk_widget_remove_css_class (self->highlighted, "highlighted");
      g_clear_weak_pointer (&self->highlighted);
    }
  return G_SOURCE_REMOVE;
}

static void
stop_jump (TernConversation *self)
{
  if (self->jump_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->jump_tick);
  self->jump_tick = 0;
  self->jump_message = 0;
}

static GtkWidget *
row_of_message (TernConversation *self,
                gint64            message)
{
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      TernMessage *bound = gtk_list_item_get_item (item);

      if (bound != NULL && tern_message_get_id (bound) == message)
        return gtk_list_item_get_child (item);
    }
  return NULL;
}

/* Row heights are estimates until rows are built: scroll to the item
 * frame by frame until its row is inside the view, then flash it. */
static gboolean
jump_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  TernConversation *self = user_data;
  int position = self->messages ? tern_message_list_find (self->messages, self->jump_message) : -1;
  GtkWidget *row;
  graphene_rect_t bounds;

  if (position < 0 || ++self->jump_frames > 60)
    {
      self->jump_tick = 0;
      self->jump_message = 0;
      return G_SOURCE_REMOVE;
    }

  row = row_of_message (self, self->jump_message);
  if (row != NULL && gtk_widget_compute_bounds (row, widget, &bounds) &&
      bounds.origin.y >= -1 &&
      bounds.origin.y + bounds.size.height <= gtk_widget_get_height (widget) + 1)
    {
      gtk_widget_add_css_class (row, "highlighted");
      g_clear_handle_id (&self->highlight_id, g_source_remove);
      if (self->highlighted != NULL && self->highlighted != row)
        gtk_widget_remove_css_class (self->highlighted, "highlighted");
      g_set_weak_pointer (&self->highlighted, row);
      self->highlight_id = g_timeout_add (1500, unhighlight_cb, self);
      self->jump_tick = 0;
      self->jump_message = 0;
      return G_SOURCE_REMOVE;
    }

  reveal_all (self);
  self->adjusting = TRUE;
  gtk_widget_activate_action (widget, "list.scroll-to-item", "u", (guint) position);
  self->adjusting = FALSE;
  return G_SOURCE_CONTINUE;
}

/**
 * tern_conversation_scroll_to_message:
 * @message: a message row id of the open chat
 *
 * Loads older rows until @message is in the list, scrolls it into view and
 * highlights it briefly. Returns %FALSE if it is not a message of the chat.
 */
gboolean
tern_conversation_scroll_to_message (TernConversation *self,
                                     gint64            message)
{
  int position;

  g_return_val_if_fail (TERN_IS_CONVERSATION (self), FALSE);

  if (self->messages == NULL)
    return FALSE;
  position = tern_message_list_load_until (self->messages, message);
  if (position < 0)
    return FALSE;
  /* Every loaded row is shown from here on: positions are the list's. */
  reveal_all (self);

  /* The user leaves the newest message: stop following it. */
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->tick_id);
  self->tick_id = 0;
  self->at_bottom = FALSE;

  stop_jump (self);
  self->jump_message = message;
  self->jump_frames = 0;
  self->adjusting = TRUE;
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                              (guint) position);
  self->adjusting = FALSE;
  self->jump_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), jump_tick_cb,
                                                  self, NULL);
  return TRUE;
}

/* The message the pinned banner shows, or NULL. */
TernMessage *
tern_conversation_get_pinned_message (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return tern_pinned_banner_get_message (self->pinned_banner);
}

/* The banner's button (click: jump to the message) and close button. */
GtkWidget *
tern_conversation_get_pinned_banner (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return GTK_WIDGET (self->pinned_banner);
}

void
tern_conversation_close_pinned (TernConversation *self)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  tern_pinned_banner_unpin (self->pinned_banner);
}

void
tern_conversation_activate_pinned (TernConversation *self)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  tern_pinned_banner_activate (self->pinned_banner);
}

static void
draft_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tern_chat_change_finish (TERN_CHAT (object), result, &error))
    g_message ("could not keep the draft: %s", error->message);
}

static void
save_draft (TernConversation *self)
{
  g_autofree char *text = NULL;

  if (self->chat == NULL)
    return;

  text = tern_composer_dup_text (self->composer);
  g_strstrip (text);
  if (g_strcmp0 (text, tern_chat_get_draft (self->chat) ? tern_chat_get_draft (self->chat) : "") == 0)
    return;

  tern_chat_set_draft_async (self->chat, *text ? text : NULL, NULL, draft_saved_cb, NULL);
}

static TernMessage *
lookup_message (TernConversation *self,
                gint64            id)
{
  int position = self->messages ? tern_message_list_find (self->messages, id) : -1;

  if (position < 0)
    return NULL;
  return g_list_model_get_item (G_LIST_MODEL (self->messages), (guint) position);
}

static void
reply_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TernConversation *self = TERN_CONVERSATION (widget);
  g_autoptr(TernMessage) message = lookup_message (self, g_variant_get_int64 (parameter));

  if (message != NULL)
    tern_conversation_reply_to (self, message);
}

static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernConversation *self = TERN_CONVERSATION (widget);
  g_autoptr(TernMessage) message = lookup_message (self, g_variant_get_int64 (parameter));

  if (message != NULL)
    tern_conversation_edit (self, message);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_DELETE], 0, g_variant_get_int64 (parameter));
}

/* Up in an empty composer edits the last message of the user's. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TernConversation      *self)
{
  g_autofree char *text = NULL;
  guint n;

  if (keyval != GDK_KEY_Up || (state & GDK_MODIFIER_MASK) != 0 || self->messages == NULL)
    return GDK_EVENT_PROPAGATE;
  text = tern_composer_dup_text (self->composer);
  if (text != NULL && *text != '\0')
    return GDK_EVENT_PROPAGATE;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(TernMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i - 1);

      if (tern_message_get_outgoing (message) && !tern_message_get_deleted (message))
        {
          tern_conversation_edit (self, message);
          return GDK_EVENT_STOP;
        }
    }
  return GDK_EVENT_PROPAGATE;
}

static void
tern_conversation_dispose (GObject *object)
{
  TernConversation *self = TERN_CONVERSATION (object);

  g_clear_handle_id (&self->load_idle, g_source_remove);
  g_clear_handle_id (&self->highlight_id, g_source_remove);
  g_clear_handle_id (&self->rewrap_idle, g_source_remove);
  g_clear_weak_pointer (&self->highlighted);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->tick_id);
  self->tick_id = 0;
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->reveal_tick);
  self->reveal_tick = 0;
  if (self->list_view != NULL)
    stop_jump (self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  if (self->messages != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->messages);
  g_clear_object (&self->tail);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_handle_id (&self->show_idle, g_source_remove);
  g_clear_pointer (&self->unshown, g_ptr_array_unref);
  g_clear_object (&self->chat);
  g_clear_pointer (&self->reply_to, g_free);
  g_clear_pointer (&self->failure_reasons, g_hash_table_unref);

  G_OBJECT_CLASS (tern_conversation_parent_class)->dispose (object);
}

static gboolean
rewrap_idle_cb (gpointer user_data)
{
  TernConversation *self = user_data;
  GHashTableIter iter;
  gpointer item;

  self->rewrap_idle = 0;
  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      TernMessage *message = gtk_list_item_get_item (item);
      gboolean group = self->chat != NULL && tern_chat_get_kind (self->chat) != TERN_CHAT_KIND_DIRECT;

      if (message != NULL && gtk_list_item_get_child (item) != NULL)
        tern_message_row_set_text_width (TERN_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                         text_width (self, group && !tern_message_get_outgoing (message)));
    }
  return G_SOURCE_REMOVE;
}

/* When the width changes, the rows decide again whether their text wraps. */
static void
tern_conversation_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  TernConversation *self = TERN_CONVERSATION (widget);

  GTK_WIDGET_CLASS (tern_conversation_parent_class)->size_allocate (widget, width, height, baseline);
  if (width != self->width)
    {
      self->width = width;
      if (self->rewrap_idle == 0)
        self->rewrap_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, rewrap_idle_cb, self, NULL);
    }
}

static void
tern_conversation_class_init (TernConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tern_conversation_dispose;
  widget_class->size_allocate = tern_conversation_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "conversation");

  /**
   * TernConversation::retry:
   * @message: the row id of a failed message
   *
   * The user asks to send a failed message again.
   */
  /**
   * TernConversation::delete:
   * @message: the row id of one of the user's messages
   *
   * The user asks to delete the message for everyone.
   */
  signals[SIGNAL_DELETE] =
    g_signal_new ("delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "message.reply", "x", reply_activated);
  gtk_widget_class_install_action (widget_class, "message.edit", "x", edit_activated);
  gtk_widget_class_install_action (widget_class, "message.delete", "x", delete_activated);

  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tern_conversation_init (TernConversation *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->failure_reasons = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (teardown_cb), self);
  self->bound = g_hash_table_new (NULL, NULL);
  self->unshown = g_ptr_array_new_with_free_func (g_object_unref);
  self->selection = gtk_no_selection_new (NULL);

  /* One list view and factory for every chat: opening a chat swaps the
   * model of the selection. */
  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)),
                                                      g_steal_pointer (&factory)));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "conversation-view");
  /* After the list view's own handler: the new rows are in place. */
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (show_new_rows), self);
  /* A short chat sits at the bottom, the newest message above the
   * composer: the list is only as tall as its rows when they do not
   * fill the view. */
  gtk_widget_set_valign (GTK_WIDGET (self->list_view), GTK_ALIGN_END);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Messages"),
                                  -1);

  /* The pinned message banner */
  self->pinned_banner = tern_pinned_banner_new ();
  g_signal_connect_object (self->pinned_banner, "activated", G_CALLBACK (pinned_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->pinned_banner));

  self->scroll = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scroll, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (GTK_WIDGET (self->scroll), TRUE);
  gtk_scrolled_window_set_child (self->scroll, GTK_WIDGET (self->list_view));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->scroll));

  self->vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
  g_signal_connect_object (self->vadjustment, "changed", G_CALLBACK (adjustment_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vadjustment, "value-changed", G_CALLBACK (value_changed_cb),
                           self, G_CONNECT_SWAPPED);

  self->composer = tern_composer_new ();
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->composer));
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);
  }
  self->at_bottom = TRUE;
}

TernConversation *
tern_conversation_new (void)
{
  return g_object_new (TERN_TYPE_CONVERSATION, NULL);
}

void
tern_conversation_set_chat (TernConversation *self,
                            TernChat         *chat)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_return_if_fail (chat == NULL || TERN_IS_CHAT (chat));

  if (self->chat == chat)
    return;

  save_draft (self);
  g_clear_handle_id (&self->load_idle, g_source_remove);
  stop_jump (self);
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->reveal_tick);
  self->reveal_tick = 0;
  if (self->messages != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->messages);
  g_clear_object (&self->tail);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_set_object (&self->chat, chat);
  tern_conversation_clear_reply_to (self);
  tern_pinned_banner_set_chat (self->pinned_banner, chat);

  if (chat == NULL)
    {
      gtk_no_selection_set_model (self->selection, NULL);
      g_clear_object (&self->tail);
      tern_composer_set_text (self->composer, "");
      return;
    }

  self->messages = tern_message_list_new (tern_chat_get_store (chat), tern_chat_get_id (chat));
  self->items_changed_id = g_signal_connect (self->messages, "items-changed",
                                             G_CALLBACK (messages_changed_cb), self);
  /* Follow the newest row from the start, so the first value the view
   * reports (the top) does not count as the user scrolling up. */
  scroll_to_bottom (self);
  /* The newest rows first (what fits the view), the other loaded ones
   * over the next frames. */
  {
    self->tail = tern_tail_model_new (G_LIST_MODEL (self->messages), first_rows (self));
    self->reveal_frames = 0;
    if (self->tail->offset > 0)
      self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                        reveal_tick_cb, self, NULL);
  }
  /* The same list view, factory and selection: only the model changes. */
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->tail));
  tern_composer_set_text (self->composer, tern_chat_get_draft (chat) ? tern_chat_get_draft (chat) : "");
}

TernChat *
tern_conversation_get_chat (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->chat;
}

TernMessageList *
tern_conversation_get_message_list (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->messages;
}

GtkListView *
tern_conversation_get_list_view (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->list_view;
}

GtkAdjustment *
tern_conversation_get_vadjustment (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->vadjustment;
}

TernComposer *
tern_conversation_get_composer (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->composer;
}

gboolean
tern_conversation_get_at_bottom (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), FALSE);
  return self->at_bottom;
}

/* Replies to @message: its quote shows above the entry, and the next
 * message sent refers to it. */
void
tern_conversation_reply_to (TernConversation *self,
                            TernMessage      *message)
{
  const char *name;

  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_return_if_fail (TERN_IS_MESSAGE (message));

  g_free (self->reply_to);
  self->reply_to = g_strdup (tern_message_get_message_id (message));
  self->editing = 0;
  name = tern_message_get_outgoing (message) ? _("You") : tern_message_get_sender_name (message);
  tern_composer_set_reply (self->composer, name, tern_message_get_text (message));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

const char *
tern_conversation_get_reply_to (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return tern_composer_get_replying (self->composer) && self->editing == 0 ? self->reply_to : NULL;
}

void
tern_conversation_clear_reply_to (TernConversation *self)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_clear_pointer (&self->reply_to, g_free);
  self->editing = 0;
  tern_composer_clear_reply (self->composer);
}

/* Scrolls to the newest message and keeps following it (after sending). */
void
tern_conversation_follow_newest (TernConversation *self)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  scroll_to_bottom (self);
}

static void
rebind_message (TernConversation *self,
                gint64            message)
{
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      TernMessage *bound = gtk_list_item_get_item (item);

      if (bound != NULL && tern_message_get_id (bound) == message)
        update_item (self, item);
    }
}

/* The server's reason why message row @message was not sent (from the
 * outbox's failed signal), shown under it with a retry button. */
void
tern_conversation_set_failure_reason (TernConversation *self,
                                      gint64            message,
                                      const char       *reason)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));

  if (reason == NULL)
    {
      if (g_hash_table_remove (self->failure_reasons, &message))
        rebind_message (self, message);
      return;
    }
  g_hash_table_insert (self->failure_reasons, g_memdup2 (&message, sizeof message),
                       g_strdup (reason));
  rebind_message (self, message);
}

/* Puts one of the user's messages into the composer to be edited; the
 * bar above the entry says so, Escape (the composer's cancel) ends it. */
void
tern_conversation_edit (TernConversation *self,
                        TernMessage      *message)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_return_if_fail (TERN_IS_MESSAGE (message));

  if (!tern_message_get_outgoing (message) || tern_message_get_deleted (message))
    return;

  g_clear_pointer (&self->reply_to, g_free);
  self->editing = tern_message_get_id (message);
  tern_composer_set_reply (self->composer, _("Edit Message"), tern_message_get_text (message));
  tern_composer_set_text (self->composer, tern_message_get_text (message));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* The message row id being edited (while the composer shows it), or 0. */
gint64
tern_conversation_get_editing (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), 0);
  return tern_composer_get_replying (self->composer) ? self->editing : 0;
}
