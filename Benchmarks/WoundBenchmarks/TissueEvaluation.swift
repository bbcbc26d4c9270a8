/// Evaluates the tissue classifier on a labelled dataset. Not written yet.
func runTissueEvaluation(arguments: [String]) {
  print("tissue-eval: not written yet")
}
