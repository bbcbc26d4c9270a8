#include "wound_models.h"

const char *wm_models_folder_name(void) { return "woundmeasure_WoundModels.resources"; }
