/// The `WoundMeasureKit` stage of woundmeasure. See docs/ARCHITECTURE.md.
public enum WoundMeasureKit {}
