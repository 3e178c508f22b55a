"""Policy papers of the working groups and their numbered recommendations."""
