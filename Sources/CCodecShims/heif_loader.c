// libheif loaded on first use: see heif_loader.h.
#include "heif_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

// One pointer per function used, typed from libheif's own declaration.
#define WM_HEIF_FUNCTIONS(X)                         \
  X(heif_context_alloc)                              \
  X(heif_context_free)                               \
  X(heif_context_read_from_memory_without_copy)      \
  X(heif_context_get_primary_image_handle)           \
  X(heif_image_handle_release)                       \
  X(heif_image_handle_get_width)                     \
  X(heif_image_handle_get_height)                    \
  X(heif_image_handle_get_ispe_width)                \
  X(heif_image_handle_get_ispe_height)               \
  X(heif_image_handle_get_list_of_metadata_block_IDs) \
  X(heif_image_handle_get_metadata_size)             \
  X(heif_image_handle_get_metadata)                  \
  X(heif_decode_image)                               \
  X(heif_image_release)                              \
  X(heif_image_get_width)                            \
  X(heif_image_get_height)                           \
  X(heif_image_get_plane_readonly)

#define WM_DECLARE(name) static __typeof__(name) *wm_p_##name;
WM_HEIF_FUNCTIONS(WM_DECLARE)

static pthread_once_t wm_heif_once = PTHREAD_ONCE_INIT;
static int wm_heif_loaded = 0;
static const char *wm_heif_error = NULL;
// dlerror's text, copied: the loader may overwrite its own buffer later.
static char wm_heif_error_text[512];

static void wm_heif_open(void) {
  void *library = dlopen("libheif.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *message = dlerror();
    snprintf(wm_heif_error_text, sizeof wm_heif_error_text, "%s", message ? message : "dlopen failed");
    wm_heif_error = wm_heif_error_text;
    return;
  }
#define WM_LOOK_UP(name)                                      \
  wm_p_##name = (__typeof__(name) *)dlsym(library, #name);    \
  if (wm_p_##name == NULL) {                                  \
    wm_heif_error = "libheif.so.1 lacks " #name;              \
    return;                                                   \
  }
  WM_HEIF_FUNCTIONS(WM_LOOK_UP)
  wm_heif_loaded = 1;
}

int wm_heif_load(void) {
  pthread_once(&wm_heif_once, wm_heif_open);
  return wm_heif_loaded;
}

const char *wm_heif_load_error(void) { return wm_heif_error; }

struct heif_context *wm_heif_context_alloc(void) { return wm_p_heif_context_alloc(); }
void wm_heif_context_free(struct heif_context *context) { wm_p_heif_context_free(context); }
struct heif_error wm_heif_context_read_from_memory_without_copy(
    struct heif_context *context, const void *memory, size_t size, const struct heif_reading_options *options) {
  return wm_p_heif_context_read_from_memory_without_copy(context, memory, size, options);
}
struct heif_error wm_heif_context_get_primary_image_handle(
    struct heif_context *context, struct heif_image_handle **handle) {
  return wm_p_heif_context_get_primary_image_handle(context, handle);
}
void wm_heif_image_handle_release(const struct heif_image_handle *handle) { wm_p_heif_image_handle_release(handle); }
int wm_heif_image_handle_get_width(const struct heif_image_handle *handle) {
  return wm_p_heif_image_handle_get_width(handle);
}
int wm_heif_image_handle_get_height(const struct heif_image_handle *handle) {
  return wm_p_heif_image_handle_get_height(handle);
}
int wm_heif_image_handle_get_ispe_width(const struct heif_image_handle *handle) {
  return wm_p_heif_image_handle_get_ispe_width(handle);
}
int wm_heif_image_handle_get_ispe_height(const struct heif_image_handle *handle) {
  return wm_p_heif_image_handle_get_ispe_height(handle);
}
int wm_heif_image_handle_get_list_of_metadata_block_IDs(
    const struct heif_image_handle *handle, const char *type_filter, heif_item_id *ids, int count) {
  return wm_p_heif_image_handle_get_list_of_metadata_block_IDs(handle, type_filter, ids, count);
}
size_t wm_heif_image_handle_get_metadata_size(const struct heif_image_handle *handle, heif_item_id id) {
  return wm_p_heif_image_handle_get_metadata_size(handle, id);
}
struct heif_error wm_heif_image_handle_get_metadata(
    const struct heif_image_handle *handle, heif_item_id id, void *out_data) {
  return wm_p_heif_image_handle_get_metadata(handle, id, out_data);
}
struct heif_error wm_heif_decode_image(
    const struct heif_image_handle *handle, struct heif_image **out_image, enum heif_colorspace colorspace,
    enum heif_chroma chroma, const struct heif_decoding_options *options) {
  return wm_p_heif_decode_image(handle, out_image, colorspace, chroma, options);
}
void wm_heif_image_release(const struct heif_image *image) { wm_p_heif_image_release(image); }
int wm_heif_image_get_width(const struct heif_image *image, enum heif_channel channel) {
  return wm_p_heif_image_get_width(image, channel);
}
int wm_heif_image_get_height(const struct heif_image *image, enum heif_channel channel) {
  return wm_p_heif_image_get_height(image, channel);
}
const uint8_t *wm_heif_image_get_plane_readonly(
    const struct heif_image *image, enum heif_channel channel, int *out_stride) {
  return wm_p_heif_image_get_plane_readonly(image, channel, out_stride);
}
