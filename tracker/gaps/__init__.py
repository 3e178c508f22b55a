"""Gap analysis: per jurisdiction, which norms, topics, catalogue actions and paper
recommendations its published measures cover fully, partly, or not at all."""
