/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-smtp-error.h"

G_DEFINE_QUARK (tern-smtp-error-quark, tern_smtp_error)
