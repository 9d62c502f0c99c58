/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-imap-error.h"

G_DEFINE_QUARK (tern-imap-error-quark, tern_imap_error)
