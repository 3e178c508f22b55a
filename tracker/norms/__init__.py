"""The UN framework: documents, the eleven norms, OEWG commitments and the topic taxonomy."""
