/// The `WoundMeasurement` stage of woundmeasure. See docs/ARCHITECTURE.md.
public enum WoundMeasurement {}
