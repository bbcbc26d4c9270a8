// libjpeg wrappers: each entry point sets its own setjmp target, so libjpeg's
// error_exit (and the warnings we treat as refusals) longjmp back here, never
// into Swift.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

#include "codec_shims.h"

/// libjpeg's error manager extended with our jump target and outcome.
typedef struct wm_jpeg_error_manager {
  struct jpeg_error_mgr base;
  jmp_buf jump;
  wm_status status;
  char message[JMSG_LENGTH_MAX];
} wm_jpeg_error_manager;

struct wm_jpeg_decoder {
  struct jpeg_decompress_struct info;
  wm_jpeg_error_manager errors;
  /// Calls `wm_jpeg_progress_monitor` while libjpeg reads the scans.
  struct jpeg_progress_mgr progress;
  /// One row of CMYK samples, for the shim's CMYK -> RGB conversion.
  uint8_t *cmyk_row;
  int converts_cmyk;
  int started;
};

static void wm_jpeg_error_exit(j_common_ptr info) {
  wm_jpeg_error_manager *errors = (wm_jpeg_error_manager *)info->err;
  (*info->err->format_message)(info, errors->message);
  errors->status = (info->err->msg_code == JERR_OUT_OF_MEMORY) ? WM_STATUS_NO_MEMORY
                                                                 : WM_STATUS_ERROR;
  longjmp(errors->jump, 1);
}

/// Warnings that mean the entropy-coded data is damaged. A decoder that
/// carries on would return grey or smeared blocks, so they refuse the photo.
static int wm_jpeg_is_corrupt_data_warning(int code) {
  switch (code) {
  case JWRN_HIT_MARKER:
  case JWRN_HUFF_BAD_CODE:
  case JWRN_ARITH_BAD_CODE:
  case JWRN_MUST_RESYNC:
  case JWRN_NOT_SEQUENTIAL:
  case JWRN_BOGUS_PROGRESSION:
  case JWRN_EXTRANEOUS_DATA:
  case JWRN_TOO_MUCH_DATA:
    return 1;
  default:
    return 0;
  }
}

static void wm_jpeg_emit_message(j_common_ptr info, int level) {
  if (level >= 0) return;  // trace messages
  wm_jpeg_error_manager *errors = (wm_jpeg_error_manager *)info->err;
  errors->base.num_warnings++;
  int code = errors->base.msg_code;
  if (code == JWRN_JPEG_EOF || wm_jpeg_is_corrupt_data_warning(code)) {
    (*info->err->format_message)(info, errors->message);
    errors->status = (code == JWRN_JPEG_EOF) ? WM_STATUS_TRUNCATED : WM_STATUS_CORRUPT;
    longjmp(errors->jump, 1);
  }
}

/// libjpeg calls this between passes and, while it reads a multi-scan file, once per iMCU row;
/// `input_scan_number` counts the SOS markers read so far. Past `WM_JPEG_MAX_SCANS` the decode
/// is abandoned through the same jump as a libjpeg error.
static void wm_jpeg_progress_monitor(j_common_ptr info) {
  if (!info->is_decompressor) return;
  j_decompress_ptr decompress = (j_decompress_ptr)info;
  if (decompress->input_scan_number <= WM_JPEG_MAX_SCANS) return;
  wm_jpeg_error_manager *errors = (wm_jpeg_error_manager *)info->err;
  snprintf(errors->message, sizeof errors->message, "more than %d scans", WM_JPEG_MAX_SCANS);
  errors->status = WM_STATUS_TOO_MANY_SCANS;
  longjmp(errors->jump, 1);
}

wm_jpeg_decoder *wm_jpeg_decoder_create(void) {
  wm_jpeg_decoder *decoder = calloc(1, sizeof(wm_jpeg_decoder));
  if (decoder == NULL) return NULL;
  decoder->info.err = jpeg_std_error(&decoder->errors.base);
  decoder->errors.base.error_exit = wm_jpeg_error_exit;
  decoder->errors.base.emit_message = wm_jpeg_emit_message;
  if (setjmp(decoder->errors.jump)) {
    free(decoder);
    return NULL;
  }
  jpeg_create_decompress(&decoder->info);
  decoder->progress.progress_monitor = wm_jpeg_progress_monitor;
  decoder->info.progress = &decoder->progress;
  return decoder;
}

void wm_jpeg_decoder_destroy(wm_jpeg_decoder *decoder) {
  if (decoder == NULL) return;
  jpeg_destroy_decompress(&decoder->info);
  free(decoder->cmyk_row);
  free(decoder);
}

const char *wm_jpeg_decoder_message(const wm_jpeg_decoder *decoder) {
  return decoder->errors.message;
}

static wm_jpeg_color wm_jpeg_color_of(J_COLOR_SPACE space) {
  switch (space) {
  case JCS_GRAYSCALE: return WM_JPEG_COLOR_GREY;
  case JCS_RGB: return WM_JPEG_COLOR_RGB;
  case JCS_YCbCr: return WM_JPEG_COLOR_YCBCR;
  case JCS_CMYK: return WM_JPEG_COLOR_CMYK;
  case JCS_YCCK: return WM_JPEG_COLOR_YCCK;
  default: return WM_JPEG_COLOR_OTHER;
  }
}

wm_status wm_jpeg_read_header(wm_jpeg_decoder *decoder, const uint8_t *data, size_t length,
                              wm_jpeg_header *header) {
  struct jpeg_decompress_struct *info = &decoder->info;
  if (setjmp(decoder->errors.jump)) return decoder->errors.status;
  jpeg_mem_src(info, data, (unsigned long)length);
  jpeg_save_markers(info, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(info, TRUE);

  memset(header, 0, sizeof(*header));
  header->width = (int)info->image_width;
  header->height = (int)info->image_height;
  header->components = info->num_components;
  header->color = wm_jpeg_color_of(info->jpeg_color_space);
  header->saw_adobe_marker = info->saw_Adobe_marker ? 1 : 0;
  header->progressive = info->progressive_mode ? 1 : 0;
  for (jpeg_saved_marker_ptr marker = info->marker_list; marker != NULL; marker = marker->next) {
    if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 &&
        memcmp(marker->data, "Exif\0\0", 6) == 0) {
      header->exif = marker->data;
      header->exif_length = marker->data_length;
      break;
    }
  }
  return WM_STATUS_OK;
}

wm_status wm_jpeg_start(wm_jpeg_decoder *decoder, int scale_denominator, int *output_width,
                        int *output_height) {
  struct jpeg_decompress_struct *info = &decoder->info;
  if (setjmp(decoder->errors.jump)) return decoder->errors.status;
  info->scale_num = 1;
  info->scale_denom = (unsigned int)scale_denominator;
  info->dct_method = JDCT_ISLOW;
  if (info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK) {
    info->out_color_space = JCS_CMYK;
    decoder->converts_cmyk = 1;
  } else {
    info->out_color_space = JCS_EXT_RGB;
  }
  jpeg_start_decompress(info);
  decoder->started = 1;
  if (decoder->converts_cmyk) {
    decoder->cmyk_row = malloc((size_t)info->output_width * 4);
    if (decoder->cmyk_row == NULL) {
      snprintf(decoder->errors.message, sizeof decoder->errors.message, "out of memory");
      return WM_STATUS_NO_MEMORY;
    }
  }
  *output_width = (int)info->output_width;
  *output_height = (int)info->output_height;
  return WM_STATUS_OK;
}

wm_status wm_jpeg_crop_columns(wm_jpeg_decoder *decoder, int *x_offset, int *width) {
  if (setjmp(decoder->errors.jump)) return decoder->errors.status;
  JDIMENSION offset = (JDIMENSION)*x_offset;
  JDIMENSION columns = (JDIMENSION)*width;
  jpeg_crop_scanline(&decoder->info, &offset, &columns);
  *x_offset = (int)offset;
  *width = (int)columns;
  return WM_STATUS_OK;
}

wm_status wm_jpeg_skip_rows(wm_jpeg_decoder *decoder, int rows) {
  if (setjmp(decoder->errors.jump)) return decoder->errors.status;
  if (rows > 0) jpeg_skip_scanlines(&decoder->info, (JDIMENSION)rows);
  return WM_STATUS_OK;
}

/// Adobe-style CMYK (as written by Photoshop and most encoders, and by
/// libjpeg for YCCK) stores inverted inks: a sample of 255 means no ink.
/// With inverted samples c and k, red = c * k / 255 (rounded).
static void wm_cmyk_inverted_to_rgb(const uint8_t *cmyk, uint8_t *rgb, size_t pixels) {
  for (size_t i = 0; i < pixels; i++) {
    unsigned k = cmyk[4 * i + 3];
    rgb[3 * i + 0] = (uint8_t)((cmyk[4 * i + 0] * k + 127) / 255);
    rgb[3 * i + 1] = (uint8_t)((cmyk[4 * i + 1] * k + 127) / 255);
    rgb[3 * i + 2] = (uint8_t)((cmyk[4 * i + 2] * k + 127) / 255);
  }
}

wm_status wm_jpeg_read_rows(wm_jpeg_decoder *decoder, uint8_t *destination, size_t stride_bytes,
                            int max_rows, int *rows_read) {
  struct jpeg_decompress_struct *info = &decoder->info;
  *rows_read = 0;
  if (setjmp(decoder->errors.jump)) return decoder->errors.status;
  int done = 0;
  while (done < max_rows && info->output_scanline < info->output_height) {
    if (decoder->converts_cmyk) {
      JSAMPROW row = decoder->cmyk_row;
      JDIMENSION got = jpeg_read_scanlines(info, &row, 1);
      if (got == 0) break;
      wm_cmyk_inverted_to_rgb(decoder->cmyk_row, destination + (size_t)done * stride_bytes,
                              info->output_width);
      done += 1;
    } else {
      JSAMPROW rows[16];
      int wanted = max_rows - done;
      if (wanted > 16) wanted = 16;
      for (int i = 0; i < wanted; i++) rows[i] = destination + (size_t)(done + i) * stride_bytes;
      JDIMENSION got = jpeg_read_scanlines(info, rows, (JDIMENSION)wanted);
      if (got == 0) break;
      done += (int)got;
    }
    *rows_read = done;
  }
  *rows_read = done;
  return WM_STATUS_OK;
}

wm_status wm_jpeg_finish(wm_jpeg_decoder *decoder) {
  if (setjmp(decoder->errors.jump)) return decoder->errors.status;
  jpeg_finish_decompress(&decoder->info);
  decoder->started = 0;
  return WM_STATUS_OK;
}

// MARK: - Encoding

/// State of one encode: kept in a struct so nothing the error path reads is
/// a local modified between setjmp and longjmp.
typedef struct wm_jpeg_encode_state {
  struct jpeg_compress_struct info;
  wm_jpeg_error_manager errors;
  unsigned char *buffer;
  unsigned long length;
} wm_jpeg_encode_state;

wm_status wm_jpeg_encode_rgb(const uint8_t *pixels, int width, int height, int quality,
                             uint8_t **output, size_t *output_length, char *message,
                             size_t message_capacity) {
  *output = NULL;
  *output_length = 0;
  wm_jpeg_encode_state *state = calloc(1, sizeof(wm_jpeg_encode_state));
  if (state == NULL) {
    snprintf(message, message_capacity, "out of memory");
    return WM_STATUS_NO_MEMORY;
  }
  state->info.err = jpeg_std_error(&state->errors.base);
  state->errors.base.error_exit = wm_jpeg_error_exit;
  if (setjmp(state->errors.jump)) {
    wm_status status = state->errors.status;
    snprintf(message, message_capacity, "%s", state->errors.message);
    jpeg_destroy_compress(&state->info);
    free(state->buffer);
    free(state);
    return status;
  }
  jpeg_create_compress(&state->info);
  jpeg_mem_dest(&state->info, &state->buffer, &state->length);
  state->info.image_width = (JDIMENSION)width;
  state->info.image_height = (JDIMENSION)height;
  state->info.input_components = 3;
  state->info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&state->info);
  jpeg_set_quality(&state->info, quality, TRUE);
  jpeg_start_compress(&state->info, TRUE);
  while (state->info.next_scanline < state->info.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)state->info.next_scanline * (size_t)width * 3);
    jpeg_write_scanlines(&state->info, &row, 1);
  }
  jpeg_finish_compress(&state->info);
  jpeg_destroy_compress(&state->info);
  *output = state->buffer;
  *output_length = state->length;
  free(state);
  return WM_STATUS_OK;
}

void wm_free(void *pointer) { free(pointer); }

// MARK: - Orientation

void wm_place_columns(const uint8_t *strip, size_t strip_stride_bytes, int width, int rows,
                      uint8_t *first_target, ptrdiff_t column_step_bytes, ptrdiff_t run_step_bytes) {
  for (int x = 0; x < width; x++) {
    const uint8_t *s = strip + (size_t)x * 3;
    uint8_t *t = first_target + (ptrdiff_t)x * column_step_bytes;
    for (int i = 0; i < rows; i++) {
      t[0] = s[0];
      t[1] = s[1];
      t[2] = s[2];
      s += strip_stride_bytes;
      t += run_step_bytes;
    }
  }
}
