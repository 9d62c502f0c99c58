/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-smtp-data.h"

static char *
encode (const char *input,
        gsize       len,
        gsize       split,
        gboolean   *saw_8bit)
{
  TernSmtpDataEncoder encoder;
  guint8 *out = g_malloc (TERN_SMTP_DATA_ENCODED_MAX (len) + TERN_SMTP_DATA_FINISH_MAX + 1);
  gsize n = 0;

  tern_smtp_data_encoder_init (&encoder);
  split = MIN (split, len);
  n += tern_smtp_data_encoder_encode (&encoder, (const guint8 *) input, split, out + n);
  n += tern_smtp_data_encoder_encode (&encoder, (const guint8 *) input + split, len - split,
                                      out + n);
  n += tern_smtp_data_encoder_finish (&encoder, out + n);
  g_assert_cmpuint (encoder.bytes_in, ==, len);
  out[n] = '\0';
  if (saw_8bit != NULL)
    *saw_8bit = encoder.saw_8bit;
  return (char *) out;
}

/* An independent model: split into lines at CRLF, CR or LF, double a
 * leading dot, join with CRLF, end with CRLF "." CRLF. */
static char *
reference (const char *input,
           gsize       len)
{
  GString *out = g_string_new (NULL);
  gsize start = 0;

  for (gsize i = 0; i <= len; i++)
    {
      gboolean end = i == len;

      if (end || input[i] == '\r' || input[i] == '\n')
        {
          if (end && i == start)
            break;
          if (i > start && input[start] == '.')
            g_string_append_c (out, '.');
          g_string_append_len (out, input + start, i - start);
          g_string_append (out, "\r\n");
          if (!end && input[i] == '\r' && i + 1 < len && input[i + 1] == '\n')
            i++;
          start = i + 1;
        }
    }
  g_string_append (out, ".\r\n");
  return g_string_free (out, FALSE);
}

static void
test_examples (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "", ".\r\n" },
    { "a", "a\r\n.\r\n" },
    { "a\r\n", "a\r\n.\r\n" },
    { "a\nb\n", "a\r\nb\r\n.\r\n" },
    { "a\rb\r", "a\r\nb\r\n.\r\n" },
    { ".", "..\r\n.\r\n" },
    { ".\r\n", "..\r\n.\r\n" },
    { "x\r\n.\r\n.x\r\n..\r\n", "x\r\n..\r\n..x\r\n...\r\n.\r\n" },
    { "x.\r\n a.b", "x.\r\n a.b\r\n.\r\n" },
    { "\r\n\r\n", "\r\n\r\n.\r\n" },
    { "a\r\r\nb", "a\r\n\r\nb\r\n.\r\n" },
    { "a\n\rb", "a\r\n\r\nb\r\n.\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = strlen (cases[i].in);

      for (gsize split = 0; split <= len; split++)
        {
          g_autofree char *out = encode (cases[i].in, len, split, NULL);
          g_assert_cmpstr (out, ==, cases[i].out);
        }
    }
}

static void
test_random_against_reference (void)
{
  const char alphabet[] = { '.', '\r', '\n', 'a', ' ' };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 3000; round++)
    {
      gsize len = g_rand_int_range (rand, 0, 40);
      g_autofree char *input = g_malloc (len + 1);
      g_autofree char *expected = NULL;

      for (gsize i = 0; i < len; i++)
        input[i] = alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))];
      input[len] = '\0';
      expected = reference (input, len);
      for (gsize split = 0; split <= len; split++)
        {
          g_autofree char *out = encode (input, len, split, NULL);
          g_assert_cmpstr (out, ==, expected);
          g_assert_cmpuint (strlen (out), <=, TERN_SMTP_DATA_ENCODED_MAX (len) + TERN_SMTP_DATA_FINISH_MAX);
        }
    }
}

static void
test_worst_case_bound (void)
{
  /* Every byte a line end or a leading dot: the output bound must hold. */
  const char *inputs[] = { "\n\n\n\n", "\r.\r.\r.", ".\n.\n.\n", "\r\r\r\r" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      gsize len = strlen (inputs[i]);
      TernSmtpDataEncoder encoder;
      guint8 out[64];
      gsize total = 0;

      tern_smtp_data_encoder_init (&encoder);
      for (gsize j = 0; j < len; j++)
        {
          gsize n = tern_smtp_data_encoder_encode (&encoder, (const guint8 *) inputs[i] + j, 1,
                                                   out + total);
          g_assert_cmpuint (n, <=, TERN_SMTP_DATA_ENCODED_MAX (1));
          total += n;
        }
      g_assert_cmpuint (tern_smtp_data_encoder_finish (&encoder, out + total), <=,
                        TERN_SMTP_DATA_FINISH_MAX);
    }
}

static void
test_8bit (void)
{
  gboolean saw = TRUE;
  g_autofree char *ascii = encode ("plain ascii\r\n", 13, 5, &saw);
  g_autofree char *utf8 = NULL;

  g_assert_false (saw);
  utf8 = encode ("Gr\xc3\xbc\xc3\x9f" "e\r\n", 9, 3, &saw);
  g_assert_true (saw);
  g_assert_cmpstr (utf8, ==, "Gr\xc3\xbc\xc3\x9f" "e\r\n.\r\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/data/examples", test_examples);
  g_test_add_func ("/smtp/data/random", test_random_against_reference);
  g_test_add_func ("/smtp/data/bound", test_worst_case_bound);
  g_test_add_func ("/smtp/data/8bit", test_8bit);

  return g_test_run ();
}
