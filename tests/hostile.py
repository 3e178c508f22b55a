"""Hostile input shared by the tests (issue 15): one list of strings that every output
format must carry or refuse cleanly, and one list of web addresses that mean a machine on the
reader's own network however they are spelled.

``HOSTILE_TEXT`` are values a form accepts (after NFC normalisation) and every output must
show as text: markup, formula prefixes, quotes and separators of each format, right-to-left
and combining marks, astral characters. ``CONTROL_CHARACTERS`` are what every text field
refuses (C0 and C1 controls other than tab and newline).

``INTERNAL_URLS`` are refused by the URL validator (tracker/validators.py) and by the PDF
fetcher (tracker/reports/fetcher.py), in tests/bad_input/test_urls.py and
tests/test_pdf_safety.py.
"""

from __future__ import annotations

#: strings a text field accepts; every output format must give them back unchanged
HOSTILE_TEXT: list[str] = [
    '<script>alert("x")</script> & <b>bold</b> &amp; &#x41;',
    '=HYPERLINK("http://example.org","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "Quote \" and 'apostrophe' and `backtick`",
    "Comma, semicolon; pipe | tab\there",
    "Line one\nline two",
    "{Braces} and \\backslash\\ and % percent and $ dollar and # hash",
    "TY  - JOUR\nER  -",
    "Right-to-left: \u202eevil\u202c and \u05e9\u05dc\u05d5\u05dd",
    "Combining: e\u0301 composed to \u00e9",
    "Astral: \U0001f512 \U0001d400",
    "]]> --> <!-- <![CDATA[",
    "Zero\u200bwidth and non\u00a0breaking",
]

#: (character, its name) for every control character a text field must refuse
CONTROL_CHARACTERS: list[tuple[str, str]] = [
    ("\x00", "NULL"),
    ("\x07", "BELL"),
    ("\x08", "BACKSPACE"),
    ("\x0b", "LINE TABULATION"),
    ("\x0c", "FORM FEED"),
    ("\x1b", "ESCAPE"),
    ("\x7f", "DELETE"),
    ("\x85", "NEXT LINE"),
    ("\x9b", "CONTROL SEQUENCE INTRODUCER"),
]

#: web addresses that reach the reader's own machine or network, in the spellings browsers
#: accept (percent-escapes, full-width and circled digits, trailing dots, numeric forms)
INTERNAL_URLS: list[str] = [
    "http://localhost/",
    "http://127.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://%31%32%37.0.0.1/",
    "http://%6c%6f%63%61%6c%68%6f%73%74/",
    "http://127.0.0.1%2e/",
    "http://127.0.0.1./",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits
    "http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/",  # and full-width dots
    "http://127\u30020\u30020\u30021/",  # ideographic full stops
    "http://\u2460\u2461\u2466.0.0.1/",  # circled digits
    "http://\u2460\u2468\u2461.\u2460\u2465\u2467.0.\u2460/",  # 192.168.0.1
    "http://\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34/",  # LOCALHOST
    "http://loc\u00adalhost/",  # soft hyphen
    "http://%30x7f.1/",
    "http://169.254.169.254%2e/",
    "http://printer.local%2e/",
]
