#include "codec_shims.h"
int wm_codec_shims_version(void) { return 1; }
