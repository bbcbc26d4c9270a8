/// The `WoundCalibration` stage of woundmeasure. See docs/ARCHITECTURE.md.
public enum WoundCalibration {}
