/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <errno.h>
#include <string.h>

#include "tern-coi-bytes-stream-private.h"

/* ------------------------------------------------------------ bytes stream */

/* A read-only GMimeStream over a GBytes: no copy of the message, and
 * substreams (which the parser uses for every part's content when the stream
 * is seekable and persistent) share the same bytes. */
#define TERN_TYPE_COI_BYTES_STREAM (tern_coi_bytes_stream_get_type ())
/* Declared by hand: GMime 3.2 has no autoptr support for G_DECLARE_FINAL_TYPE. */
typedef struct _TernCoiBytesStream TernCoiBytesStream;
typedef struct {
  GMimeStreamClass parent_class;
} TernCoiBytesStreamClass;
static GType tern_coi_bytes_stream_get_type (void);

struct _TernCoiBytesStream
{
  GMimeStream parent_instance;
  GBytes *bytes;
  const char *data;
  gint64 size;
};

G_DEFINE_FINAL_TYPE (TernCoiBytesStream, tern_coi_bytes_stream, GMIME_TYPE_STREAM)


static gint64
bytes_stream_end (GMimeStream *stream)
{
  TernCoiBytesStream *self = (TernCoiBytesStream *) stream;
  return stream->bound_end != -1 ? stream->bound_end : self->size;
}

static ssize_t
bytes_stream_read (GMimeStream *stream, char *buf, size_t len)
{
  TernCoiBytesStream *self = (TernCoiBytesStream *) stream;
  gint64 end = bytes_stream_end (stream);
  gint64 n;

  if (stream->position < stream->bound_start)
    {
      errno = EINVAL;
      return -1;
    }
  n = MIN (end - stream->position, (gint64) len);
  if (n <= 0)
    return 0;
  memcpy (buf, self->data + stream->position, n);
  stream->position += n;
  return (ssize_t) n;
}

static ssize_t
bytes_stream_write (GMimeStream *stream, const char *buf, size_t len)
{
  errno = EBADF;
  return -1;
}

static int
bytes_stream_flush (GMimeStream *stream)
{
  return 0;
}

static int
bytes_stream_close (GMimeStream *stream)
{
  return 0;
}

static gboolean
bytes_stream_eos (GMimeStream *stream)
{
  return stream->position >= bytes_stream_end (stream);
}

static int
bytes_stream_reset (GMimeStream *stream)
{
  stream->position = stream->bound_start;
  return 0;
}

static gint64
bytes_stream_seek (GMimeStream *stream, gint64 offset, GMimeSeekWhence whence)
{
  gint64 end = bytes_stream_end (stream);
  gint64 real;

  switch (whence)
    {
    case GMIME_STREAM_SEEK_SET:
      real = offset;
      break;
    case GMIME_STREAM_SEEK_CUR:
      real = stream->position + offset;
      break;
    case GMIME_STREAM_SEEK_END:
      real = end + offset;
      break;
    default:
      errno = EINVAL;
      return -1;
    }
  if (real < stream->bound_start || real > end)
    {
      errno = EINVAL;
      return -1;
    }
  stream->position = real;
  return real;
}

static gint64
bytes_stream_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
bytes_stream_length (GMimeStream *stream)
{
  return bytes_stream_end (stream) - stream->bound_start;
}

static GMimeStream *
bytes_stream_substream (GMimeStream *stream, gint64 start, gint64 end)
{
  TernCoiBytesStream *self = (TernCoiBytesStream *) stream;
  return tern_coi_bytes_stream_new (self->bytes, start, end);
}

static void
tern_coi_bytes_stream_finalize (GObject *object)
{
  TernCoiBytesStream *self = (TernCoiBytesStream *) object;

  g_clear_pointer (&self->bytes, g_bytes_unref);
  G_OBJECT_CLASS (tern_coi_bytes_stream_parent_class)->finalize (object);
}

static void
tern_coi_bytes_stream_class_init (TernCoiBytesStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  object_class->finalize = tern_coi_bytes_stream_finalize;
  stream_class->read = bytes_stream_read;
  stream_class->write = bytes_stream_write;
  stream_class->flush = bytes_stream_flush;
  stream_class->close = bytes_stream_close;
  stream_class->eos = bytes_stream_eos;
  stream_class->reset = bytes_stream_reset;
  stream_class->seek = bytes_stream_seek;
  stream_class->tell = bytes_stream_tell;
  stream_class->length = bytes_stream_length;
  stream_class->substream = bytes_stream_substream;
}

static void
tern_coi_bytes_stream_init (TernCoiBytesStream *self)
{
}

GMimeStream *
tern_coi_bytes_stream_new (GBytes *bytes, gint64 start, gint64 end)
{
  TernCoiBytesStream *self = g_object_new (TERN_TYPE_COI_BYTES_STREAM, NULL);
  gsize size;

  self->bytes = g_bytes_ref (bytes);
  self->data = g_bytes_get_data (bytes, &size);
  self->size = (gint64) size;
  g_mime_stream_construct (GMIME_STREAM (self), start, end);
  return GMIME_STREAM (self);
}

const char *
tern_coi_bytes_stream_peek (GMimeStream *stream, gsize *len)
{
  TernCoiBytesStream *self;
  gint64 end;

  if (stream == NULL || !G_TYPE_CHECK_INSTANCE_TYPE (stream, TERN_TYPE_COI_BYTES_STREAM))
    return NULL;
  self = (TernCoiBytesStream *) stream;
  end = bytes_stream_end (stream);
  if (stream->bound_start < 0 || end < stream->bound_start || end > self->size)
    return NULL;
  *len = end - stream->bound_start;
  return self->data + stream->bound_start;
}
