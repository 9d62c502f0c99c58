/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers of the dialog tests (test-dialogs*.c) on top of ui-test-util.h:
 * screenshots after a few frames, entries and widgets found in a dialog. */

#include "ui-test-util.h"

/* Renders @widget's window to <screenshot dir>/@name.png, after three frames. */
static inline void
dlg_save_screenshot (GtkWidget  *widget,
                     const char *name)
{
  wait_frames (widget, 2);
  save_screenshot (widget, name);
}

static inline void
dlg_set_text (gpointer    widget,
              GType       type,
              const char *name,
              const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (template_child (widget, type, name)), text);
}

/* The first descendant of @widget of @type (depth first), or NULL. */
static inline GtkWidget *
dlg_find_descendant (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = dlg_find_descendant (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first descendant of @widget with CSS class @css_class, or NULL. */
static inline GtkWidget *
dlg_find_by_class (GtkWidget  *widget,
                   const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = dlg_find_by_class (c, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A toplevel window of @type other than @except, or NULL. */
static inline GtkWindow *
dlg_find_toplevel (GType      type,
                   GtkWindow *except)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (w != except && G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}
