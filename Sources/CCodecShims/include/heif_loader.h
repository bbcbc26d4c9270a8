#ifndef WOUNDMEASURE_HEIF_LOADER_H
#define WOUNDMEASURE_HEIF_LOADER_H
// libheif, loaded on first use. libheif brings the HEVC and AV1 codecs with it
// (libde265, libx265, libdav1d, libaom); linked into the tool, they cost every
// run about 3 ms of loading and 4 MB of memory, although only HEIC photos need
// them. `wm_heif_load` opens `libheif.so.1` once and looks up the functions
// below; each `wm_heif_*` then calls the library's function of the same name.
// Unlike codec_shims.h this header includes the library's header, for its types.

#include <libheif/heif.h>

/// Opens libheif once (thread-safe); 1 when it and every function below were
/// found, else 0 (call `wm_heif_load_error` for why). Call it, and see 1,
/// before any other function of this header.
int wm_heif_load(void);

/// Why `wm_heif_load` returned 0 (the loader's message), or NULL.
const char *wm_heif_load_error(void);

struct heif_context *wm_heif_context_alloc(void);
void wm_heif_context_free(struct heif_context *context);
struct heif_error wm_heif_context_read_from_memory_without_copy(
    struct heif_context *context, const void *memory, size_t size, const struct heif_reading_options *options);
struct heif_error wm_heif_context_get_primary_image_handle(
    struct heif_context *context, struct heif_image_handle **handle);
void wm_heif_image_handle_release(const struct heif_image_handle *handle);
int wm_heif_image_handle_get_width(const struct heif_image_handle *handle);
int wm_heif_image_handle_get_height(const struct heif_image_handle *handle);
int wm_heif_image_handle_get_ispe_width(const struct heif_image_handle *handle);
int wm_heif_image_handle_get_ispe_height(const struct heif_image_handle *handle);
int wm_heif_image_handle_get_list_of_metadata_block_IDs(
    const struct heif_image_handle *handle, const char *type_filter, heif_item_id *ids, int count);
size_t wm_heif_image_handle_get_metadata_size(const struct heif_image_handle *handle, heif_item_id id);
struct heif_error wm_heif_image_handle_get_metadata(
    const struct heif_image_handle *handle, heif_item_id id, void *out_data);
struct heif_error wm_heif_decode_image(
    const struct heif_image_handle *handle, struct heif_image **out_image, enum heif_colorspace colorspace,
    enum heif_chroma chroma, const struct heif_decoding_options *options);
void wm_heif_image_release(const struct heif_image *image);
int wm_heif_image_get_width(const struct heif_image *image, enum heif_channel channel);
int wm_heif_image_get_height(const struct heif_image *image, enum heif_channel channel);
const uint8_t *wm_heif_image_get_plane_readonly(
    const struct heif_image *image, enum heif_channel channel, int *out_stride);

#endif
