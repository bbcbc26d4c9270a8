/// The `WoundSegmentation` stage of woundmeasure. See docs/ARCHITECTURE.md.
public enum WoundSegmentation {}
