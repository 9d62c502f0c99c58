/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-net-error.h"

G_DEFINE_QUARK (tern-net-error-quark, tern_net_error)
