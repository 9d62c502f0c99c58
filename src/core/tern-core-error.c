/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-core-error.h"

G_DEFINE_QUARK (tern-core-error-quark, tern_core_error)
