#include "wound_models.h"

const char *wm_models_folder_name(void) { return "woundmeasure_WoundModels.resources"; }

const char *wm_models_source_file(void) { return __FILE__; }
