#ifndef WOUNDMEASURE_CODEC_SHIMS_H
#define WOUNDMEASURE_CODEC_SHIMS_H
// The few C functions that own libjpeg's setjmp, so that no longjmp ever
// crosses a Swift frame. Filled in by the decoding stage.
int wm_codec_shims_version(void);
#endif
