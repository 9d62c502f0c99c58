/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-coi-error.h"

G_DEFINE_QUARK (tern-coi-error-quark, tern_coi_error)
