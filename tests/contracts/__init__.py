"""Contract tests: the API, the feed, the citation files and the main pages checked with the
tools readers' systems run (Schemathesis, an RFC 4287 grammar, pybtex/biber/citeproc-py/rispy,
the Nu HTML checker)."""
