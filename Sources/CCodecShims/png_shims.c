// libpng wrappers. Reading uses the simplified `png_image` API, which returns
// a status rather than longjmp-ing. Writing uses the classic API (for the
// pHYs chunk), with its setjmp kept inside this file.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <png.h>

#include "codec_shims.h"

struct wm_png_reader {
  png_image image;
};

wm_png_reader *wm_png_reader_create(void) {
  wm_png_reader *reader = calloc(1, sizeof(wm_png_reader));
  if (reader == NULL) return NULL;
  reader->image.version = PNG_IMAGE_VERSION;
  return reader;
}

void wm_png_reader_destroy(wm_png_reader *reader) {
  if (reader == NULL) return;
  png_image_free(&reader->image);
  free(reader);
}

const char *wm_png_reader_message(const wm_png_reader *reader) { return reader->image.message; }

/// libpng reports running off the end of an in-memory file as this error.
static wm_status wm_png_failure(const png_image *image) {
  if (strstr(image->message, "beyond end of data") != NULL) return WM_STATUS_TRUNCATED;
  if (strstr(image->message, "out of memory") != NULL) return WM_STATUS_NO_MEMORY;
  return WM_STATUS_ERROR;
}

wm_status wm_png_read_header(wm_png_reader *reader, const uint8_t *data, size_t length,
                             wm_png_header *header) {
  png_image *image = &reader->image;
  if (!png_image_begin_read_from_memory(image, data, length)) return wm_png_failure(image);
  // 16-bit samples without gAMA/sRGB are taken as sRGB-encoded, as cameras
  // and editors write them, not as linear light (libpng's default).
  image->flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  memset(header, 0, sizeof(*header));
  header->width = (int)image->width;
  header->height = (int)image->height;
  header->has_alpha = (image->format & PNG_FORMAT_FLAG_ALPHA) ? 1 : 0;
  header->has_colour = (image->format & PNG_FORMAT_FLAG_COLOR) ? 1 : 0;
  header->bit_depth = (image->format & PNG_FORMAT_FLAG_LINEAR) ? 16 : 8;
  return WM_STATUS_OK;
}

/// Composites 8-bit RGBA over white in the stored (sRGB-encoded) values:
/// out = round((c * a + 255 * (255 - a)) / 255).
static void wm_rgba_over_white(const uint8_t *rgba, uint8_t *rgb, size_t pixels) {
  for (size_t i = 0; i < pixels; i++) {
    unsigned a = rgba[4 * i + 3];
    unsigned white = 255 * (255 - a) + 127;
    rgb[3 * i + 0] = (uint8_t)((rgba[4 * i + 0] * a + white) / 255);
    rgb[3 * i + 1] = (uint8_t)((rgba[4 * i + 1] * a + white) / 255);
    rgb[3 * i + 2] = (uint8_t)((rgba[4 * i + 2] * a + white) / 255);
  }
}

wm_status wm_png_read_rgb(wm_png_reader *reader, uint8_t *destination, size_t stride_bytes) {
  png_image *image = &reader->image;
  if ((image->format & PNG_FORMAT_FLAG_ALPHA) == 0) {
    image->format = PNG_FORMAT_RGB;
    if (!png_image_finish_read(image, NULL, destination, (png_int_32)stride_bytes, NULL)) {
      return wm_png_failure(image);
    }
    return WM_STATUS_OK;
  }
  // With alpha: let libpng expand to straight (not premultiplied) 8-bit
  // RGBA, then flatten here, so the result is the simple sRGB-space blend
  // rather than libpng's linear-light composite.
  size_t width = image->width;
  size_t height = image->height;
  uint8_t *rgba = malloc(width * height * 4);
  if (rgba == NULL) {
    snprintf(image->message, sizeof image->message, "out of memory");
    return WM_STATUS_NO_MEMORY;
  }
  image->format = PNG_FORMAT_RGBA;
  if (!png_image_finish_read(image, NULL, rgba, (png_int_32)(width * 4), NULL)) {
    free(rgba);
    return wm_png_failure(image);
  }
  for (size_t y = 0; y < height; y++) {
    wm_rgba_over_white(rgba + y * width * 4, destination + y * stride_bytes, width);
  }
  free(rgba);
  return WM_STATUS_OK;
}

// MARK: - Writing

/// A growing malloc'd buffer that libpng's write callback appends to.
typedef struct wm_png_sink {
  uint8_t *bytes;
  size_t length;
  size_t capacity;
  int failed;
} wm_png_sink;

static void wm_png_sink_write(png_structp png, png_bytep data, size_t length) {
  wm_png_sink *sink = (wm_png_sink *)png_get_io_ptr(png);
  if (sink->length + length > sink->capacity) {
    size_t capacity = sink->capacity ? sink->capacity : 4096;
    while (capacity < sink->length + length) capacity *= 2;
    uint8_t *grown = realloc(sink->bytes, capacity);
    if (grown == NULL) {
      sink->failed = 1;
      png_error(png, "out of memory");
    }
    sink->bytes = grown;
    sink->capacity = capacity;
  }
  memcpy(sink->bytes + sink->length, data, length);
  sink->length += length;
}

static void wm_png_sink_flush(png_structp png) { (void)png; }

/// Encoder state kept off the stack, so the setjmp error path reads nothing
/// that was modified after setjmp.
typedef struct wm_png_encode_state {
  png_structp png;
  png_infop info;
  wm_png_sink sink;
  char message[256];
} wm_png_encode_state;

static void wm_png_write_error(png_structp png, png_const_charp text) {
  wm_png_encode_state *state = (wm_png_encode_state *)png_get_error_ptr(png);
  snprintf(state->message, sizeof state->message, "%s", text);
  png_longjmp(png, 1);
}

static void wm_png_write_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

wm_status wm_png_encode(const uint8_t *pixels, int width, int height, int channels,
                        int pixels_per_metre, int compression_level, uint8_t **output,
                        size_t *output_length,
                        char *message, size_t message_capacity) {
  *output = NULL;
  *output_length = 0;
  wm_png_encode_state *state = calloc(1, sizeof(wm_png_encode_state));
  if (state == NULL) {
    snprintf(message, message_capacity, "out of memory");
    return WM_STATUS_NO_MEMORY;
  }
  state->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, wm_png_write_error,
                                       wm_png_write_warning);
  if (state->png != NULL) state->info = png_create_info_struct(state->png);
  if (state->png == NULL || state->info == NULL) {
    png_destroy_write_struct(&state->png, NULL);
    free(state);
    snprintf(message, message_capacity, "out of memory");
    return WM_STATUS_NO_MEMORY;
  }
  if (setjmp(png_jmpbuf(state->png))) {
    snprintf(message, message_capacity, "%s", state->message);
    wm_status status = state->sink.failed ? WM_STATUS_NO_MEMORY : WM_STATUS_ERROR;
    png_destroy_write_struct(&state->png, &state->info);
    free(state->sink.bytes);
    free(state);
    return status;
  }
  png_set_write_fn(state->png, &state->sink, wm_png_sink_write, wm_png_sink_flush);
  png_set_IHDR(state->png, state->info, (png_uint_32)width, (png_uint_32)height, 8,
               channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (pixels_per_metre > 0) {
    png_set_pHYs(state->png, state->info, (png_uint_32)pixels_per_metre,
                 (png_uint_32)pixels_per_metre, PNG_RESOLUTION_METER);
  }
  if (compression_level >= 0 && compression_level <= 9) {
    png_set_compression_level(state->png, compression_level);
  }
  png_write_info(state->png, state->info);
  size_t stride = (size_t)width * (size_t)channels;
  for (int y = 0; y < height; y++) {
    png_write_row(state->png, (png_const_bytep)(pixels + (size_t)y * stride));
  }
  png_write_end(state->png, state->info);
  png_destroy_write_struct(&state->png, &state->info);
  *output = state->sink.bytes;
  *output_length = state->sink.length;
  free(state);
  return WM_STATUS_OK;
}
