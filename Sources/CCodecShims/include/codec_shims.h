#ifndef WOUNDMEASURE_CODEC_SHIMS_H
#define WOUNDMEASURE_CODEC_SHIMS_H
// The few C functions that own libjpeg's and libpng's setjmp, so that no
// longjmp ever crosses a Swift frame. Every function returns a `wm_status`;
// on failure the library's own message is available from the handle (JPEG)
// or copied into the caller's buffer (PNG).
//
// This header deliberately includes no library header: Swift sees only the
// plain types declared here.

#include <stddef.h>
#include <stdint.h>

/// Outcome of a shim call.
typedef enum wm_status {
  /// Success.
  WM_STATUS_OK = 0,
  /// The library refused the data (libjpeg `error_exit`, libpng error).
  WM_STATUS_ERROR = 1,
  /// The data ended early (libjpeg `JWRN_JPEG_EOF`; libpng "read beyond end of data").
  WM_STATUS_TRUNCATED = 2,
  /// libjpeg warned about corrupt entropy-coded data; treated as a refusal.
  WM_STATUS_CORRUPT = 3,
  /// An allocation failed, or a caller's buffer was too small.
  WM_STATUS_NO_MEMORY = 4,
  /// The file could not be opened or written.
  WM_STATUS_IO = 5,
  /// A progressive JPEG has more than `WM_JPEG_MAX_SCANS` scans (libjpeg progress monitor).
  WM_STATUS_TOO_MANY_SCANS = 6,
} wm_status;

/// The most scans a JPEG may have. A decoder's progress monitor stops at the next scan, as
/// libjpeg-turbo recommends for untrusted files (`djpeg -maxscans`): thousands of repeated
/// scans would otherwise take minutes to decode. libjpeg's own progressions use 10 or fewer.
#define WM_JPEG_MAX_SCANS 100

// MARK: - JPEG decoding (libjpeg-turbo)

/// The colour space libjpeg reports for the stored components.
typedef enum wm_jpeg_color {
  WM_JPEG_COLOR_OTHER = 0,
  WM_JPEG_COLOR_GREY = 1,
  WM_JPEG_COLOR_RGB = 2,    // JCS_RGB
  WM_JPEG_COLOR_YCBCR = 3,  // JCS_YCbCr
  WM_JPEG_COLOR_CMYK = 4,   // JCS_CMYK
  WM_JPEG_COLOR_YCCK = 5,   // JCS_YCCK
} wm_jpeg_color;

/// What `jpeg_read_header` learned. `exif` points into the decoder's saved
/// APP1 marker and stays valid until the decoder is destroyed.
typedef struct wm_jpeg_header {
  int width;
  int height;
  int components;
  wm_jpeg_color color;
  int saw_adobe_marker;
  int progressive;
  const uint8_t *exif;
  size_t exif_length;
} wm_jpeg_header;

/// A libjpeg decompressor with its error manager. Not thread-safe; one owner.
typedef struct wm_jpeg_decoder wm_jpeg_decoder;

/// Creates a decompressor (`jpeg_create_decompress`) with a progress monitor that refuses
/// more than `WM_JPEG_MAX_SCANS` scans (`WM_STATUS_TOO_MANY_SCANS`); NULL when out of memory.
wm_jpeg_decoder *wm_jpeg_decoder_create(void);
/// Destroys it (`jpeg_destroy_decompress`), aborting any decode in progress.
void wm_jpeg_decoder_destroy(wm_jpeg_decoder *decoder);
/// The message of the last failure (libjpeg `format_message`), never NULL.
const char *wm_jpeg_decoder_message(const wm_jpeg_decoder *decoder);

/// Reads markers up to the first scan (`jpeg_mem_src`, `jpeg_save_markers`
/// for APP1, `jpeg_read_header`). `data` must stay valid and unchanged until
/// the decoder is destroyed.
wm_status wm_jpeg_read_header(wm_jpeg_decoder *decoder, const uint8_t *data, size_t length,
                              wm_jpeg_header *header);

/// Starts decompression to 8-bit RGB (`JCS_EXT_RGB`, or CMYK converted in the
/// shim) at 1/`scale_denominator` (1, 2, 4 or 8) via `jpeg_start_decompress`,
/// and reports the output size.
wm_status wm_jpeg_start(wm_jpeg_decoder *decoder, int scale_denominator, int *output_width,
                        int *output_height);

/// Restricts the rows that follow to the columns `[*x_offset, *x_offset + *width)`
/// (`jpeg_crop_scanline`); libjpeg widens the window to iMCU boundaries and
/// writes the widened window back.
wm_status wm_jpeg_crop_columns(wm_jpeg_decoder *decoder, int *x_offset, int *width);

/// Skips `rows` output rows without colour conversion (`jpeg_skip_scanlines`).
wm_status wm_jpeg_skip_rows(wm_jpeg_decoder *decoder, int rows);

/// Decodes up to `max_rows` rows of RGB into `destination` (row `i` at
/// `destination + i * stride_bytes`), via `jpeg_read_scanlines`. Sets
/// `*rows_read`; fewer than `max_rows` only at the end of the image.
wm_status wm_jpeg_read_rows(wm_jpeg_decoder *decoder, uint8_t *destination, size_t stride_bytes,
                            int max_rows, int *rows_read);

/// Reads to the end of the image (`jpeg_finish_decompress`), so that damage
/// after the last row is still reported.
wm_status wm_jpeg_finish(wm_jpeg_decoder *decoder);

/// Encodes 8-bit RGB as a baseline JPEG at `quality` (1...100) with
/// `jpeg_mem_dest`. On success `*output` is a malloc'd buffer the caller frees
/// with `wm_free`.
wm_status wm_jpeg_encode_rgb(const uint8_t *pixels, int width, int height, int quality,
                             uint8_t **output, size_t *output_length, char *message,
                             size_t message_capacity);

// MARK: - PNG (libpng)

/// What `png_image_begin_read_from_memory` learned.
typedef struct wm_png_header {
  int width;
  int height;
  int has_alpha;
  int has_colour;
  int bit_depth;
  int interlaced;
} wm_png_header;

/// A libpng simplified-API reader (`png_image`). Not thread-safe; one owner.
typedef struct wm_png_reader wm_png_reader;

wm_png_reader *wm_png_reader_create(void);
/// Frees the reader (`png_image_free`).
void wm_png_reader_destroy(wm_png_reader *reader);
/// The message of the last failure (`png_image.message`), never NULL.
const char *wm_png_reader_message(const wm_png_reader *reader);

/// Reads the header (`png_image_begin_read_from_memory`). `data` must stay
/// valid until the reader is destroyed.
wm_status wm_png_read_header(wm_png_reader *reader, const uint8_t *data, size_t length,
                             wm_png_header *header);

/// Decodes all rows as 8-bit sRGB RGB (`png_image_finish_read`,
/// `PNG_FORMAT_RGB`). Images with alpha (including tRNS) are read as straight
/// RGBA and composited over white in the stored values:
/// out = round((c * a + 255 * (255 - a)) / 255). `destination` holds
/// `height` rows of `stride_bytes` (at least `width * 3`).
wm_status wm_png_read_rgb(wm_png_reader *reader, uint8_t *destination, size_t stride_bytes);

/// Encodes 8-bit grey (`channels == 1`) or RGB (`channels == 3`) as PNG with
/// libpng's classic write API; writes a pHYs chunk in pixels per metre when
/// `pixels_per_metre > 0`. `compression_level` 0...9 sets zlib's level
/// (`png_set_compression_level`; 1 is the fastest that compresses); -1 keeps
/// libpng's default. On success `*output` is malloc'd; free with `wm_free`.
wm_status wm_png_encode(const uint8_t *pixels, int width, int height, int channels,
                        int pixels_per_metre, int compression_level, uint8_t **output,
                        size_t *output_length,
                        char *message, size_t message_capacity);

// MARK: - Orientation

/// Copies each of `width` columns of a strip of `rows` RGB rows to a run of
/// `rows` pixels: column `x` starts at `first_target + x * column_step_bytes`
/// and advances by `run_step_bytes` per row. The inner loop of turning a
/// photo upright for EXIF orientations 5...8.
void wm_place_columns(const uint8_t *strip, size_t strip_stride_bytes, int width, int rows,
                      uint8_t *first_target, ptrdiff_t column_step_bytes, ptrdiff_t run_step_bytes);

/// Frees a buffer returned by an encoder.
void wm_free(void *pointer);

#endif
