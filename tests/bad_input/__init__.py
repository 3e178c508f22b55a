"""The bad-input suite (issue 9 item 5): see README.md in this folder."""
