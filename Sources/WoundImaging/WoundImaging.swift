/// The `WoundImaging` stage of woundmeasure. See docs/ARCHITECTURE.md.
public enum WoundImaging {}
