/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <time.h>

#include "tern-application.h"
#include "tern-image-viewer.h"
#include "tern-message-media.h"

/* TernMessageMedia over messages of a store this test fills (an image, a
 * PDF, a location, plain text), standalone and inside list rows the test
 * builds, under Xvfb, with screenshots. Launching is caught by the test
 * hook, so no application is started. */

#define TIMEOUT_SECONDS 20

#include "ui-test-util.h"

static TernApplication *app;

typedef struct
{
  char      *dir;
  TernStore *store;
  gint64     account;
  gint64     chat;
  guint      serial;
  gint64     image, pdf, location, south, text, broken, small, odd_name; /* message ids */
  gsize      pdf_size;
  GPtrArray *launched;   /* URIs the hook saw */
  gboolean   launch_ok;
} Fixture;

/* ---- widget lookup ------------------------------------------------------- */

static void
collect_class (GtkWidget  *widget,
               const char *css_class,
               GPtrArray  *found)
{
  if (gtk_widget_has_css_class (widget, css_class))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_class (child, css_class, found);
}

static GPtrArray *
find_all (gpointer    widget,
          const char *css_class)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_class (GTK_WIDGET (widget), css_class, found);
  return found;
}

static GtkWidget *
find_one (gpointer    widget,
          const char *css_class)
{
  g_autoptr(GPtrArray) found = find_all (widget, css_class);

  g_assert_cmpuint (found->len, ==, 1);
  return found->pdata[0];
}

static guint
count (gpointer    widget,
       const char *css_class)
{
  g_autoptr(GPtrArray) found = find_all (widget, css_class);

  return found->len;
}

static gboolean
picture_done (gpointer picture)
{
  return gtk_picture_get_paintable (picture) != NULL ||
         gtk_widget_has_css_class (picture, "failed");
}

static GtkPicture *
wait_for_thumbnail (GtkWidget *media)
{
  GtkWidget *picture = find_one (media, "media-thumbnail-picture");

  wait_for (picture_done, picture, "the thumbnail");
  return GTK_PICTURE (picture);
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* not a new reference */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window; /* the toplevels list holds it */
    }
  return NULL;
}

/* ---- the fixture store --------------------------------------------------- */

static GBytes *
make_png (int width,
          int height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  /* A sunset: orange to purple from top to bottom, a sun in the middle. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * 3;
        double t = (double) y / height;
        double dx = x - width / 2.0, dy = y - height * 0.55;
        gboolean sun = dx * dx + dy * dy < (height / 5.0) * (height / 5.0);

        p[0] = sun ? 255 : (guchar) (250 - 120 * t);
        p[1] = sun ? 230 : (guchar) (150 - 110 * t);
        p[2] = sun ? 120 : (guchar) (60 + 120 * t);
      }
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
commit (Fixture        *f,
        TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tern_store_commit (f->store, batch, &error));
  g_assert_no_error (error);
}

static gint64
add_message (Fixture         *f,
             TernStoreBatch  *batch,
             const char      *text,
             TernStoreMessageKind kind,
             gboolean         outgoing)
{
  g_autofree char *mid = g_strdup_printf ("media%u@example.test", ++f->serial);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  TernStoreMessageRow row = { 0 };

  row.account_id = f->account;
  row.chat_id = f->chat;
  row.message_id = mid;
  row.text = (char *) text;
  row.sent_time = now - 600 + f->serial;
  row.received_time = row.sent_time;
  row.seen = TRUE;
  row.outgoing = outgoing;
  row.sender_address = outgoing ? NULL : (char *) "bob@example.test";
  row.kind = kind;
  row.state = outgoing ? TERN_STORE_STATE_SENT : TERN_STORE_STATE_NONE;
  return tern_store_batch_add_message (batch, &row, 0, 0);
}

static void
fill_store (Fixture *f)
{
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(GBytes) png = make_png (800, 400);
  g_autoptr(GBytes) small = make_png (100, 50);
  g_autoptr(GBytes) broken = g_bytes_new_static ("\x89PNG\r\n\x1a\nnot really", 18);
  g_autoptr(GString) pdf = g_string_new ("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  g_autoptr(GBytes) pdf_bytes = NULL;
  gint64 image, pdf_ref, location, south, text, broken_ref, small_ref, odd;
  gint64 bob;

  {
    g_autoptr(TernStoreBatch) account_batch = tern_store_begin_batch (f->store);
    TernStoreAccountRow row = { 0 };
    gint64 ref;

    row.address = (char *) "me@example.test";
    row.imap_host = (char *) "127.0.0.1";
    row.imap_port = 993;
    row.enabled = TRUE;
    ref = tern_store_batch_add_account (account_batch, &row);
    commit (f, account_batch);
    f->account = tern_store_batch_get_id (account_batch, ref);
  }
  {
    g_autoptr(TernStoreBatch) chat_batch = tern_store_begin_batch (f->store);
    gint64 chat;

    bob = tern_store_batch_ensure_contact (chat_batch, f->account, "bob@example.test", "Bob Builder");
    chat = tern_store_batch_ensure_chat (chat_batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                         "bob@example.test", "Bob Builder", bob);
    commit (f, chat_batch);
    f->chat = tern_store_batch_get_id (chat_batch, chat);
  }

  for (guint i = 0; i < 120; i++)
    g_string_append_printf (pdf, "%u 0 obj << /Type /Page >> endobj\n", i + 1);
  g_string_append (pdf, "%%EOF\n");
  f->pdf_size = pdf->len;
  pdf_bytes = g_bytes_new (pdf->str, pdf->len);

  batch = tern_store_begin_batch (f->store);
  image = add_message (f, batch, "The view from the ridge", TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);
  tern_store_batch_add_attachment (batch, image, png, "image/png", "sunset.png");
  pdf_ref = add_message (f, batch, "The minutes", TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);
  tern_store_batch_add_attachment (batch, pdf_ref, pdf_bytes, "application/pdf", "report.pdf");
  text = add_message (f, batch, "Just text, nothing attached", TERN_STORE_MESSAGE_KIND_TEXT, TRUE);
  broken_ref = add_message (f, batch, NULL, TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);
  tern_store_batch_add_attachment (batch, broken_ref, broken, "image/png", "broken.png");
  small_ref = add_message (f, batch, NULL, TERN_STORE_MESSAGE_KIND_MEDIA, TRUE);
  tern_store_batch_add_attachment (batch, small_ref, small, "image/png", "small.png");
  odd = add_message (f, batch, NULL, TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);
  /* A right-to-left override (U+202E) that would show the name as "invoiceexe.pdf". */
  tern_store_batch_add_attachment (batch, odd, pdf_bytes, "application/x-msdownload",
                                   "invoice\xe2\x80\xae" "fdp.exe");
  commit (f, batch);

  /* Locations: the store keeps them on the message row. */
  {
    g_autoptr(TernStoreBatch) loc_batch = tern_store_begin_batch (f->store);
    g_autofree char *mid1 = g_strdup_printf ("media%u@example.test", ++f->serial);
    g_autofree char *mid2 = g_strdup_printf ("media%u@example.test", ++f->serial);
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    TernStoreMessageRow row = { 0 };

    row.account_id = f->account;
    row.chat_id = f->chat;
    row.message_id = mid1;
    row.text = (char *) "I'm here";
    row.sent_time = row.received_time = now - 60;
    row.seen = TRUE;
    row.sender_address = (char *) "bob@example.test";
    row.kind = TERN_STORE_MESSAGE_KIND_LOCATION;
    row.has_location = TRUE;
    row.latitude = 52.52;
    row.longitude = 13.405;
    location = tern_store_batch_add_message (loc_batch, &row, 0, 0);
    row.message_id = mid2;
    row.text = NULL;
    row.latitude = -33.8688;
    row.longitude = -70.6693;
    south = tern_store_batch_add_message (loc_batch, &row, 0, 0);
    commit (f, loc_batch);
    f->location = tern_store_batch_get_id (loc_batch, location);
    f->south = tern_store_batch_get_id (loc_batch, south);
  }

  f->image = tern_store_batch_get_id (batch, image);
  f->pdf = tern_store_batch_get_id (batch, pdf_ref);
  f->text = tern_store_batch_get_id (batch, text);
  f->broken = tern_store_batch_get_id (batch, broken_ref);
  f->small = tern_store_batch_get_id (batch, small_ref);
  f->odd_name = tern_store_batch_get_id (batch, odd);
}

static TernMessage *
load_message (Fixture *f,
              gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (row);
  return tern_message_new_from_row (f->store, row);
}

static gboolean
launch_hook (const char *uri,
             gpointer    user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->launched, g_strdup (uri));
  return f->launch_ok;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("tern-ui-media-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  fill_store (f);
  f->launched = g_ptr_array_new_with_free_func (g_free);
  f->launch_ok = TRUE;
  tern_message_media_set_launch_hook (launch_hook, f);
  tern_message_media_clear_cache ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* not a new reference */

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);

      gtk_window_destroy (window);
    }
  flush ();
  tern_message_media_set_launch_hook (NULL, NULL);
  tern_message_media_clear_cache ();
  g_ptr_array_unref (f->launched);
  tern_store_close (f->store);
  flush ();
  g_assert_finalize_object (f->store);
  remove_tree (f->dir);
  g_free (f->dir);
}

/* A window holding @child, presented and painted. */
static GtkWindow *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWindow *window = GTK_WINDOW (adw_window_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_margin_top (child, 12);
  gtk_widget_set_margin_bottom (child, 12);
  gtk_widget_set_margin_start (child, 12);
  gtk_widget_set_margin_end (child, 12);
  gtk_widget_set_valign (child, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), child);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
  wait_for_frame (GTK_WIDGET (window));
  return window;
}

/* ---- cases --------------------------------------------------------------- */

static void
test_empty (Fixture       *f,
            gconstpointer  user_data)
{
  g_autoptr(TernMessage) text = load_message (f, f->text);
  g_autoptr(TernMessage) pdf = load_message (f, f->pdf);
  GtkWidget *media = g_object_ref_sink (tern_message_media_new ());
  int min = -1, nat = -1;

  /* Nothing set: nothing shown. */
  g_assert_false (gtk_widget_get_visible (media));
  g_assert_null (gtk_widget_get_first_child (media));

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), text);
  g_assert_true (tern_message_media_get_message (TERN_MESSAGE_MEDIA (media)) == text);
  g_assert_false (gtk_widget_get_visible (media));
  g_assert_null (gtk_widget_get_first_child (media));

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), pdf);
  g_assert_true (gtk_widget_get_visible (media));
  g_assert_nonnull (gtk_widget_get_first_child (media));
  gtk_widget_measure (media, GTK_ORIENTATION_VERTICAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (min, >, 20);

  /* NULL clears: nothing shown, the message dropped (the children stay
   * for the next message of the same shape). */
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), NULL);
  g_assert_false (gtk_widget_get_visible (media));
  g_assert_null (tern_message_media_get_message (TERN_MESSAGE_MEDIA (media)));
  gtk_widget_measure (media, GTK_ORIENTATION_VERTICAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (min, ==, 0);
  g_assert_cmpint (nat, ==, 0);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), text);
  g_assert_false (gtk_widget_get_visible (media));

  g_assert_finalize_object (media);
  g_assert_finalize_object (g_steal_pointer (&text));
  g_assert_finalize_object (g_steal_pointer (&pdf));
}

static gboolean
has_viewer_paintable (gpointer viewer)
{
  return tern_image_viewer_get_paintable (viewer) != NULL;
}

static gboolean
viewer_gone (gpointer unused)
{
  return find_toplevel (TERN_TYPE_IMAGE_VIEWER) == NULL;
}

static gboolean
has_shortcut (GtkWidget  *widget,
              const char *trigger,
              const char *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !found; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          GtkShortcutAction *act = gtk_shortcut_get_action (shortcut);

          found = g_strcmp0 (text, trigger) == 0 && GTK_IS_NAMED_ACTION (act) &&
                  g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (act)), action) == 0;
        }
    }
  return found;
}

static void
test_image (Fixture       *f,
            gconstpointer  user_data)
{
  g_autoptr(TernMessage) image = load_message (f, f->image);
  g_autoptr(TernMessage) again = load_message (f, f->image);
  GtkWidget *media = tern_message_media_new ();
  GtkWidget *second;
  GtkWindow *window;
  GtkPicture *picture;
  GdkPaintable *paintable;
  GtkWidget *button;
  TernImageViewer *viewer;
  guint decodes = tern_message_media_get_decode_count ();
  g_autofree char *name = NULL;

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), image);
  /* Setting the message decodes nothing on the main thread: the picture
   * is still empty, at its placeholder size. */
  picture = GTK_PICTURE (find_one (media, "media-thumbnail-picture"));
  g_assert_null (gtk_picture_get_paintable (picture));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (picture), "loading"));
  g_assert_cmpuint (count (media, "media-file"), ==, 0);
  g_assert_cmpuint (count (media, "media-location"), ==, 0);

  window = show_in_window (media, 480, 360);
  picture = wait_for_thumbnail (media);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (picture), "failed"));
  paintable = gtk_picture_get_paintable (picture);
  g_assert_true (GDK_IS_TEXTURE (paintable));
  /* 800×400 fits 240×240 as 240×120: the aspect is kept. */
  g_assert_cmpint (gdk_texture_get_width (GDK_TEXTURE (paintable)), ==, TERN_MESSAGE_MEDIA_THUMBNAIL_SIZE);
  g_assert_cmpint (gdk_texture_get_height (GDK_TEXTURE (paintable)), ==, TERN_MESSAGE_MEDIA_THUMBNAIL_SIZE / 2);
  g_assert_cmpuint (tern_message_media_get_decode_count (), ==, decodes + 1);
  wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (picture)), ==, 240);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (picture)), ==, 120);
  button = find_one (media, "media-thumbnail");
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "sunset.png");
  save_screenshot_strict (GTK_WIDGET (window), "media-image");

  /* Another widget, another TernMessage of the same content: from the
   * cache, at once, without a second decode. */
  second = tern_message_media_new ();
  g_object_ref_sink (second);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (second), again);
  g_assert_true (gtk_picture_get_paintable (GTK_PICTURE (find_one (second, "media-thumbnail-picture"))) ==
                 paintable);
  g_assert_cmpuint (tern_message_media_get_decode_count (), ==, decodes + 1);
  g_assert_finalize_object (second);

  /* A click opens the viewer with the full image. */
  g_assert_null (find_toplevel (TERN_TYPE_IMAGE_VIEWER));
  g_signal_emit_by_name (button, "clicked");
  viewer = find_toplevel (TERN_TYPE_IMAGE_VIEWER);
  g_assert_nonnull (viewer);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (viewer)) == window);
  g_assert_cmpstr (tern_attachment_get_name (tern_image_viewer_get_attachment (viewer)), ==, "sunset.png");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (viewer)), ==, "sunset.png");
  wait_for (has_viewer_paintable, viewer, "the viewer's image");
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (tern_image_viewer_get_paintable (viewer)), ==, 800);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (tern_image_viewer_get_paintable (viewer)), ==, 400);
  g_assert_cmpuint (count (viewer, "image-viewer-save"), ==, 1);
  save_screenshot_strict (GTK_WIDGET (viewer), "media-viewer");
  name = g_strdup (gtk_window_get_title (GTK_WINDOW (viewer)));

  /* Escape is bound to window.close, and that closes it. */
  g_assert_true (has_shortcut (GTK_WIDGET (viewer), "Escape", "window.close"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "window.close", NULL));
  wait_for (viewer_gone, NULL, "the viewer to close");
  g_assert_cmpstr (name, ==, "sunset.png");
}

static void
test_thumbnail_edge_cases (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(TernMessage) small = load_message (f, f->small);
  g_autoptr(TernMessage) broken = load_message (f, f->broken);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *small_media = tern_message_media_new ();
  GtkWidget *broken_media = tern_message_media_new ();
  GtkPicture *picture;
  GtkWindow *window;

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (small_media), small);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (broken_media), broken);
  gtk_box_append (GTK_BOX (box), small_media);
  gtk_box_append (GTK_BOX (box), broken_media);
  window = show_in_window (box, 400, 300);

  /* Small images are not scaled up. */
  picture = wait_for_thumbnail (small_media);
  g_assert_cmpint (gdk_texture_get_width (GDK_TEXTURE (gtk_picture_get_paintable (picture))), ==, 100);
  g_assert_cmpint (gdk_texture_get_height (GDK_TEXTURE (gtk_picture_get_paintable (picture))), ==, 50);

  /* A file that claims to be a PNG and is not: a placeholder icon, no crash. */
  picture = wait_for_thumbnail (broken_media);
  g_assert_false (GDK_IS_TEXTURE (gtk_picture_get_paintable (picture)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (picture), "failed"));
  save_screenshot_strict (GTK_WIDGET (window), "media-small-and-broken");
}

static void
test_cache_lru (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();
  const guint n = 70;
  guint decodes;

  /* 70 distinct tiny images (more than the cache keeps). */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) png = make_png (8 + i, 8);
      gint64 ref = add_message (f, batch, NULL, TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);

      tern_store_batch_add_attachment (batch, ref, png, "image/png", "tiny.png");
      g_ptr_array_add (refs, GSIZE_TO_POINTER ((gsize) ref));
    }
  commit (f, batch);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (messages,
                     load_message (f, tern_store_batch_get_id (batch, GPOINTER_TO_SIZE (refs->pdata[i]))));

  decodes = tern_message_media_get_decode_count ();
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *media = g_object_ref_sink (tern_message_media_new ());

      tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), messages->pdata[i]);
      wait_for_thumbnail (media);
      g_assert_finalize_object (media);
    }
  g_assert_cmpuint (tern_message_media_get_decode_count (), ==, decodes + n);

  /* The newest are still cached; the oldest were evicted. */
  {
    GtkWidget *media = g_object_ref_sink (tern_message_media_new ());

    tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), messages->pdata[n - 1]);
    g_assert_nonnull (gtk_picture_get_paintable (GTK_PICTURE (find_one (media, "media-thumbnail-picture"))));
    g_assert_cmpuint (tern_message_media_get_decode_count (), ==, decodes + n);

    tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), messages->pdata[0]);
    g_assert_null (gtk_picture_get_paintable (GTK_PICTURE (find_one (media, "media-thumbnail-picture"))));
    g_assert_cmpuint (tern_message_media_get_decode_count (), ==, decodes + n + 1);
    wait_for_thumbnail (media);
    g_assert_finalize_object (media);
  }
}

static void
test_file (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(TernMessage) pdf = load_message (f, f->pdf);
  g_autoptr(TernMessage) odd = load_message (f, f->odd_name);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *media = tern_message_media_new ();
  GtkWidget *odd_media = tern_message_media_new ();
  g_autofree char *size = g_format_size (f->pdf_size);
  g_autoptr(TernAttachment) attachment = NULL;
  GtkWindow *window;
  const char *shown;

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), pdf);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (odd_media), odd);
  gtk_box_append (GTK_BOX (box), media);
  gtk_box_append (GTK_BOX (box), odd_media);
  window = show_in_window (box, 480, 240);

  g_assert_cmpuint (count (media, "media-file"), ==, 1);
  g_assert_cmpuint (count (media, "media-thumbnail"), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (media, "media-file-name"))), ==, "report.pdf");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (media, "media-file-size"))), ==, size);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (find_one (media, "media-file-name"))));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (find_one (media, "media-open")), ==, "Open");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (find_one (media, "media-save")), ==, "Save As…");
  /* The icon comes from the content type. */
  {
    GIcon *icon = gtk_image_get_gicon (GTK_IMAGE (find_one (media, "media-file-icon")));
    g_autofree char *icon_text = g_icon_to_string (icon);

    g_test_message ("pdf icon: %s", icon_text);
    g_assert_nonnull (strstr (icon_text, "pdf"));
  }

  /* The disguising override is dropped from the shown name. */
  shown = gtk_label_get_text (GTK_LABEL (find_one (odd_media, "media-file-name")));
  g_assert_cmpstr (shown, ==, "invoicefdp.exe");

  /* Open launches the stored file's URI. */
  g_signal_emit_by_name (find_one (media, "media-open"), "clicked");
  g_assert_cmpuint (f->launched->len, ==, 1);
  attachment = g_list_model_get_item (tern_message_get_attachments (pdf), 0);
  {
    g_autoptr(GFile) file = tern_attachment_get_file (attachment);
    g_autofree char *uri = g_file_get_uri (file);

    g_assert_cmpstr (f->launched->pdata[0], ==, uri);
    g_assert_true (g_str_has_prefix (f->launched->pdata[0], "file://"));
    g_assert_true (g_str_has_suffix (f->launched->pdata[0], tern_attachment_get_hash (attachment)));
  }
  g_assert_cmpuint (count (media, "media-launch-error"), ==, 0);
  /* Nothing to open it with: said below the row. */
  f->launch_ok = FALSE;
  g_signal_emit_by_name (find_one (media, "media-open"), "clicked");
  g_assert_true (gtk_widget_get_visible (find_one (media, "media-launch-error")));
  save_screenshot_strict (GTK_WIDGET (window), "media-file");
}

static void
test_location (Fixture       *f,
               gconstpointer  user_data)
{
  g_autoptr(TernMessage) location = load_message (f, f->location);
  g_autoptr(TernMessage) south = load_message (f, f->south);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *media = tern_message_media_new ();
  GtkWidget *south_media = tern_message_media_new ();
  g_autofree char *expected_uri = tern_message_dup_geo_uri (location);
  GtkWidget *error_label;
  GtkWindow *window;

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), location);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (south_media), south);
  gtk_box_append (GTK_BOX (box), media);
  gtk_box_append (GTK_BOX (box), south_media);
  window = show_in_window (box, 480, 240);

  g_assert_cmpuint (count (media, "media-file"), ==, 0);
  g_assert_cmpuint (count (media, "media-thumbnail"), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (media, "media-location-coordinates"))), ==,
                   "52.52000° N, 13.40500° E");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (south_media, "media-location-coordinates"))), ==,
                   "33.86880° S, 70.66930° W");

  /* Open in Maps launches geo:LAT,LON. */
  g_signal_emit_by_name (find_one (media, "media-open-maps"), "clicked");
  g_assert_cmpuint (f->launched->len, ==, 1);
  g_test_message ("launched %s", (char *) f->launched->pdata[0]);
  g_assert_cmpstr (f->launched->pdata[0], ==, expected_uri);
  g_assert_true (g_str_has_prefix (f->launched->pdata[0], "geo:52.52"));
  g_assert_nonnull (strstr (f->launched->pdata[0], ",13.405"));
  g_signal_emit_by_name (find_one (south_media, "media-open-maps"), "clicked");
  g_assert_cmpuint (f->launched->len, ==, 2);
  g_assert_true (g_str_has_prefix (f->launched->pdata[1], "geo:-33.8688"));
  g_assert_nonnull (strstr (f->launched->pdata[1], ",-70.6693"));
  g_assert_cmpuint (count (media, "media-launch-error"), ==, 0);
  save_screenshot_strict (GTK_WIDGET (window), "media-location");

  /* No maps application: the row says so. */
  f->launch_ok = FALSE;
  g_signal_emit_by_name (find_one (media, "media-open-maps"), "clicked");
  g_assert_cmpuint (f->launched->len, ==, 3);
  error_label = find_one (media, "media-launch-error");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "No maps app is installed");
  save_screenshot_strict (GTK_WIDGET (window), "media-location-no-maps");
  /* A successful try hides it again. */
  f->launch_ok = TRUE;
  g_signal_emit_by_name (find_one (media, "media-open-maps"), "clicked");
  g_assert_false (gtk_widget_get_visible (error_label));
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
has_chooser (gpointer unused)
{
  return find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static void
test_save_as (Fixture       *f,
              gconstpointer  user_data)
{
  g_autoptr(TernMessage) pdf = load_message (f, f->pdf);
  g_autoptr(TernAttachment) attachment = g_list_model_get_item (tern_message_get_attachments (pdf), 0);
  GtkWidget *media = tern_message_media_new ();
  g_autofree char *folder = g_build_filename (f->dir, "saved", NULL);
  g_autofree char *target = g_build_filename (folder, "minutes.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL, *copy = NULL;
  gsize original_length = 0, copy_length = 0;
  GtkFileChooser *chooser;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), pdf);
  show_in_window (media, 480, 200);

  /* Without a portal the native chooser is a GtkFileChooserDialog; it
   * proposes the attachment's name. */
  g_signal_emit_by_name (find_one (media, "media-save"), "clicked");
  wait_for (has_chooser, NULL, "the file chooser");
  chooser = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  {
    g_autofree char *name = gtk_file_chooser_get_current_name (chooser);

    g_assert_cmpstr (name, ==, "report.pdf");
  }
  save_screenshot_strict (GTK_WIDGET (chooser), "media-save-as");
  /* Cancel: nothing is written. */
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  flush ();
  g_assert_false (has_chooser (NULL));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));

  /* What Save does with the chosen file (GTK 4.8's chooser dialog cannot be
   * driven to accept from a test: its save-mode checks never answer here). */
  {
    g_autoptr(GFile) target_file = g_file_new_for_path (target);
    g_autoptr(GAsyncResult) result = NULL;

    tern_image_viewer_copy_attachment_async (attachment, target_file, NULL, got_result, &result);
    wait_for (is_set, &result, "the copy");
    g_assert_true (tern_image_viewer_copy_attachment_finish (result, &error));
    g_assert_no_error (error);
  }
  wait_for (file_exists, target, "the saved copy");
  flush ();

  g_assert_true (g_file_get_contents (tern_attachment_get_path (attachment), &original, &original_length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (target, &copy, &copy_length, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (copy, copy_length, original, original_length);
  g_unlink (target);
  g_rmdir (folder);
}

/* Content gdk-pixbuf would read but mail must not feed it: an SVG and a
 * BMP declared as PNG are refused (the loader follows the bytes, not the
 * declared type). */
static void
test_disguised_images (Fixture       *f,
                       gconstpointer  user_data)
{
  static const char svg[] =
    "<svg xmlns='http://www.w3.org/2000/svg' width='64' height='64'>"
    "<rect width='64' height='64' fill='red'/></svg>";
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GBytes) svg_bytes = g_bytes_new_static (svg, sizeof svg - 1);
  g_autoptr(GBytes) bmp_bytes = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 32, 32);
  g_autoptr(GError) error = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gint64 refs[2];
  char *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, 0x00ff00ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "bmp", &error, NULL));
  g_assert_no_error (error);
  bmp_bytes = g_bytes_new_take (buffer, size);
  refs[0] = add_message (f, batch, NULL, TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);
  tern_store_batch_add_attachment (batch, refs[0], svg_bytes, "image/png", "red.png");
  refs[1] = add_message (f, batch, NULL, TERN_STORE_MESSAGE_KIND_MEDIA, FALSE);
  tern_store_batch_add_attachment (batch, refs[1], bmp_bytes, "image/png", "green.png");
  commit (f, batch);

  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      g_autoptr(TernMessage) message = load_message (f, tern_store_batch_get_id (batch, refs[i]));
      GtkWidget *media = tern_message_media_new ();

      tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), message);
      gtk_box_append (GTK_BOX (box), media);
    }
  show_in_window (box, 300, 300);
  for (GtkWidget *media = gtk_widget_get_first_child (box); media; media = gtk_widget_get_next_sibling (media))
    {
      GtkPicture *picture = wait_for_thumbnail (media);

      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (picture), "failed"));
      g_assert_false (GDK_IS_TEXTURE (gtk_picture_get_paintable (picture)));
    }
}

/* One widget rebound like a recycled list row: children of the same shape
 * are reused, and a decode finishing late never paints over the image
 * shown by now. */
static void
test_reuse (Fixture       *f,
            gconstpointer  user_data)
{
  g_autoptr(TernMessage) image = load_message (f, f->image);
  g_autoptr(TernMessage) small = load_message (f, f->small);
  g_autoptr(TernMessage) pdf = load_message (f, f->pdf);
  g_autoptr(TernMessage) odd = load_message (f, f->odd_name);
  GtkWidget *media = tern_message_media_new ();
  GtkWidget *picture, *row;
  GdkTexture *texture;

  show_in_window (media, 480, 400);

  /* The small image decodes first and is cached. */
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), small);
  picture = GTK_WIDGET (wait_for_thumbnail (media));

  /* The big one starts decoding; before it is done the row goes back to
   * the small one (cached: shown at once, in the same picture). */
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), image);
  g_assert_true (find_one (media, "media-thumbnail-picture") == picture);
  g_assert_null (gtk_picture_get_paintable (GTK_PICTURE (picture)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (find_one (media, "media-thumbnail")), ==, "sunset.png");
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), small);
  g_assert_true (find_one (media, "media-thumbnail-picture") == picture);
  texture = GDK_TEXTURE (gtk_picture_get_paintable (GTK_PICTURE (picture)));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 100);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (find_one (media, "media-thumbnail")), ==, "small.png");
  /* Let the big decode finish: the picture keeps the small image. */
  {
    g_autoptr(TernMessage) again = load_message (f, f->image);
    GtkWidget *other = g_object_ref_sink (tern_message_media_new ());

    tern_message_media_set_message (TERN_MESSAGE_MEDIA (other), again);
    wait_for_thumbnail (other);
    g_assert_finalize_object (other);
  }
  flush ();
  g_assert_true (gtk_picture_get_paintable (GTK_PICTURE (picture)) == GDK_PAINTABLE (texture));

  /* File rows are reused too, with the new name, size and target. */
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), pdf);
  row = find_one (media, "media-file");
  g_assert_cmpuint (count (media, "media-thumbnail"), ==, 0);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), odd);
  g_assert_true (find_one (media, "media-file") == row);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (media, "media-file-name"))), ==, "invoicefdp.exe");
  g_signal_emit_by_name (find_one (media, "media-open"), "clicked");
  g_assert_cmpuint (f->launched->len, ==, 1);
  {
    g_autoptr(TernAttachment) attachment = g_list_model_get_item (tern_message_get_attachments (odd), 0);

    g_assert_true (g_str_has_suffix (f->launched->pdata[0], tern_attachment_get_hash (attachment)));
  }
}

static gboolean
status_shown (gpointer media)
{
  g_autoptr(GPtrArray) found = find_all (media, "media-launch-error");

  return found->len == 1 && gtk_widget_get_visible (found->pdata[0]);
}

/* The real launcher, where no application handles geo: (as on the test
 * machines): the failure comes back asynchronously and is shown. */
static void
test_location_real_launcher (Fixture       *f,
                             gconstpointer  user_data)
{
  g_autoptr(TernMessage) location = load_message (f, f->location);
  g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("geo");
  GtkWidget *media = tern_message_media_new ();
  GtkWidget *error_label;

  if (handler != NULL)
    {
      /* Never start someone's maps application from a test. */
      g_test_message ("%s handles geo: here; the failure path is covered by the hook only",
                      g_app_info_get_id (handler));
      g_test_incomplete ("a geo: handler is installed");
      return;
    }
  tern_message_media_set_launch_hook (NULL, NULL);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), location);
  show_in_window (media, 480, 160);
  g_assert_cmpuint (count (media, "media-launch-error"), ==, 0);
  g_signal_emit_by_name (find_one (media, "media-open-maps"), "clicked");
  wait_for (status_shown, media, "the no-maps message");
  error_label = find_one (media, "media-launch-error");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "No maps app is installed");
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What a list-row bind costs: setting messages on a mapped widget over
 * and over, thumbnails cached (CPU time of this process; printed, with a
 * generous bound so a loaded machine does not fail it). */
static void
test_bind_cost (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(TernMessage) text = load_message (f, f->text);
  g_autoptr(TernMessage) image = load_message (f, f->image);
  g_autoptr(TernMessage) pdf = load_message (f, f->pdf);
  g_autoptr(TernMessage) location = load_message (f, f->location);
  TernMessage *media_messages[] = { image, pdf, location };
  GtkWidget *media = tern_message_media_new ();
  const guint rounds = 2000;
  double start, text_us, media_us, same_us;
  guint decodes = tern_message_media_get_decode_count ();

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), image);
  show_in_window (media, 480, 400);
  wait_for_thumbnail (media);
  /* Attachments are listed once per TernMessage; warm them. */
  for (guint i = 0; i < G_N_ELEMENTS (media_messages); i++)
    tern_message_get_attachments (media_messages[i]);

  start = cpu_seconds ();
  for (guint i = 0; i < rounds; i++)
    {
      tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), text);
      tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), NULL);
    }
  text_us = (cpu_seconds () - start) * 1e6 / (2 * rounds);

  start = cpu_seconds ();
  for (guint i = 0; i < rounds; i++)
    tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), media_messages[i % 3]);
  media_us = (cpu_seconds () - start) * 1e6 / rounds;

  /* Rows of the same shape (two cached images by turns): reused children. */
  {
    g_autoptr(TernMessage) small = load_message (f, f->small);
    TernMessage *images[] = { image, small };

    tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), small);
    wait_for_thumbnail (media);
    start = cpu_seconds ();
    for (guint i = 0; i < rounds; i++)
      tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), images[i % 2]);
    same_us = (cpu_seconds () - start) * 1e6 / rounds;
    decodes++;
  }

  g_test_message ("ui.media.bind_text.us %.2f us", text_us);
  g_test_message ("ui.media.bind_mixed.us %.2f us", media_us);
  g_test_message ("ui.media.bind_same_shape.us %.2f us", same_us);
  /* One decode; every later bind of the image came from the cache. */
  g_assert_cmpuint (tern_message_media_get_decode_count (), ==, decodes + 1);
  g_assert_cmpfloat (text_us, <, 100);
  g_assert_cmpfloat (media_us, <, 2000);
  g_assert_cmpfloat (same_us, <, 2000);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), NULL);
}

/* ---- in list rows -------------------------------------------------------- */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *media = tern_message_media_new ();

  gtk_widget_add_css_class (bubble, "card");
  gtk_widget_set_halign (bubble, GTK_ALIGN_START);
  gtk_widget_set_margin_top (bubble, 4);
  gtk_widget_set_margin_bottom (bubble, 4);
  gtk_widget_set_margin_start (bubble, 12);
  gtk_widget_set_margin_end (bubble, 12);
  g_object_set (bubble, "margin-top", 6, NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 10);
  gtk_widget_set_margin_end (label, 10);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_start (media, 10);
  gtk_widget_set_margin_end (media, 10);
  gtk_widget_set_margin_bottom (media, 8);
  gtk_box_append (GTK_BOX (bubble), label);
  gtk_box_append (GTK_BOX (bubble), media);
  gtk_list_item_set_child (item, bubble);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  TernMessage *message = gtk_list_item_get_item (item);
  GtkWidget *bubble = gtk_list_item_get_child (item);
  GtkWidget *label = gtk_widget_get_first_child (bubble);
  GtkWidget *media = gtk_widget_get_next_sibling (label);
  const char *text = tern_message_get_text (message);

  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL);
  gtk_widget_set_halign (bubble, tern_message_get_outgoing (message) ? GTK_ALIGN_END : GTK_ALIGN_START);
  tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), message);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  tern_message_media_set_message (TERN_MESSAGE_MEDIA (gtk_widget_get_next_sibling (label)), NULL);
}

static gboolean
all_thumbnails_done (gpointer list)
{
  g_autoptr(GPtrArray) pictures = find_all (list, "media-thumbnail-picture");

  for (guint i = 0; i < pictures->len; i++)
    if (!picture_done (pictures->pdata[i]))
      return FALSE;
  return pictures->len > 0;
}

static void
test_rows (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(GListStore) store = g_list_store_new (TERN_TYPE_MESSAGE);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  gint64 ids[] = { f->image, f->pdf, f->text, f->location, f->small };
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list;
  GtkWindow *window;
  g_autoptr(GPtrArray) medias = NULL;
  guint visible = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(TernMessage) message = load_message (f, ids[i]);

      g_list_store_append (store, message);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (store)))),
                            g_object_ref (factory));
  gtk_widget_add_css_class (list, "background");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 700);

  window = show_in_window (scrolled, 520, 760);
  wait_for (all_thumbnails_done, list, "the thumbnails in the rows");
  wait_for_frame (GTK_WIDGET (window));

  /* Every row got its media widget; only the text message's is hidden. */
  medias = g_ptr_array_new ();
  {
    g_autoptr(GPtrArray) bubbles = find_all (list, "card");

    g_assert_cmpuint (bubbles->len, ==, G_N_ELEMENTS (ids));
    for (guint i = 0; i < bubbles->len; i++)
      {
        GtkWidget *media = gtk_widget_get_last_child (bubbles->pdata[i]);

        g_assert_true (TERN_IS_MESSAGE_MEDIA (media));
        if (gtk_widget_get_visible (media))
          visible++;
        else
          g_assert_cmpstr (tern_message_get_text (tern_message_media_get_message (TERN_MESSAGE_MEDIA (media))), ==,
                           "Just text, nothing attached");
      }
  }
  g_assert_cmpuint (visible, ==, G_N_ELEMENTS (ids) - 1);
  g_assert_cmpuint (count (list, "media-thumbnail"), ==, 2);
  g_assert_cmpuint (count (list, "media-file"), ==, 1);
  g_assert_cmpuint (count (list, "media-location"), ==, 1);
  save_screenshot_strict (GTK_WIDGET (window), "media-rows-light");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  wait_for_frame (GTK_WIDGET (window));
  save_screenshot_strict (GTK_WIDGET (window), "media-rows-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  /* Clicking a thumbnail inside a row opens the viewer over the window. */
  {
    g_autoptr(GPtrArray) buttons = find_all (list, "media-thumbnail");
    TernImageViewer *viewer;

    g_signal_emit_by_name (buttons->pdata[0], "clicked");
    viewer = find_toplevel (TERN_TYPE_IMAGE_VIEWER);
    g_assert_nonnull (viewer);
    g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (viewer)) == window);
    wait_for (has_viewer_paintable, viewer, "the viewer's image");
    gtk_window_destroy (GTK_WINDOW (viewer));
  }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!ui_test_init (&argc, &argv, "test-media"))
    return 1;

  app = ui_test_app_new ();

  g_test_add ("/ui/media/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/ui/media/image", Fixture, NULL, fixture_set_up, test_image, fixture_tear_down);
  g_test_add ("/ui/media/thumbnail-edge-cases", Fixture, NULL,
              fixture_set_up, test_thumbnail_edge_cases, fixture_tear_down);
  g_test_add ("/ui/media/disguised-images", Fixture, NULL,
              fixture_set_up, test_disguised_images, fixture_tear_down);
  g_test_add ("/ui/media/reuse", Fixture, NULL, fixture_set_up, test_reuse, fixture_tear_down);
  g_test_add ("/ui/media/cache-lru", Fixture, NULL, fixture_set_up, test_cache_lru, fixture_tear_down);
  g_test_add ("/ui/media/file", Fixture, NULL, fixture_set_up, test_file, fixture_tear_down);
  g_test_add ("/ui/media/location", Fixture, NULL, fixture_set_up, test_location, fixture_tear_down);
  g_test_add ("/ui/media/save-as", Fixture, NULL, fixture_set_up, test_save_as, fixture_tear_down);
  g_test_add ("/ui/media/location-real-launcher", Fixture, NULL,
              fixture_set_up, test_location_real_launcher, fixture_tear_down);
  g_test_add ("/ui/media/bind-cost", Fixture, NULL, fixture_set_up, test_bind_cost, fixture_tear_down);
  g_test_add ("/ui/media/rows", Fixture, NULL, fixture_set_up, test_rows, fixture_tear_down);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
