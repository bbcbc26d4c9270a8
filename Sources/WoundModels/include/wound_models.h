#ifndef WOUND_MODELS_H
#define WOUND_MODELS_H

// The networks shipped with the tool live in this target's resource folder
// (Resources/*.wmseg), which the package manager copies beside the built
// executable as `<package>_WoundModels.resources`. A C target carries them so that
// no Swift module needs a generated resource accessor (which imports Foundation
// and its ICU data into every process).

// The name of the resource folder beside the executable.
const char *wm_models_folder_name(void);

// This file's path in the source tree the tool was built from (its `Resources` folder
// beside it is the fallback when the executable was copied away from its build folder).
const char *wm_models_source_file(void);

#endif
