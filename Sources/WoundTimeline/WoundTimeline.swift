/// The `WoundTimeline` stage of woundmeasure. See docs/ARCHITECTURE.md.
public enum WoundTimeline {}
