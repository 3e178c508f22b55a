"""Checks shared by every form that takes a web address or a jurisdiction code.

Web addresses in records (official pages, sources, full texts) are shown to readers as
links and printed in PDF briefs. They must be public http(s) pages: ``javascript:``,
``file:``, ``data:`` and the like are refused, and so are addresses that point into a
private network (localhost, 10/8, 192.168/16, 169.254.169.254 and the rest, in any
spelling: ``http://2130706433/`` and ``http://0x7f.1/`` are 127.0.0.1). A link to an
internal address in a published record would send readers' browsers, or a tool that
follows the links, to the reader's own network.

The check judges the host a browser would connect to, not the host as written: the WHATWG
URL rules decode percent-escapes (``%31%32%37.0.0.1``), map the name with UTS #46 / IDNA
(full-width ``１２７．０．０．１``, circled ``①②⑦``, ideographic full stops, soft hyphens and
upper case all become ``127.0.0.1``), drop one trailing dot (``127.0.0.1%2e``) and read a
name that ends in a number as an IPv4 address in decimal, octal or hex (``canonical_host``).
It does not resolve names (the tracker never fetches these addresses, and a lookup at save
time proves nothing about later).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import idna
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

#: host names (and suffixes) that only ever mean a machine on the local network
INTERNAL_NAMES = (
    "localhost",
    "localdomain",
    "local",
    "internal",
    "intranet",
    "lan",
    "home.arpa",
    "corp",
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: a label inet_aton would read as a number: decimal, octal (leading 0) or hex (0x)
NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)

NOT_HTTP = "Give a web address starting with http:// or https://."
INTERNAL = (
    "This address points to a private or local network ({host}), which readers cannot open. "
    "Give the public web address of the page."
)


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a browser reads in ``host`` if every label is a number
    ("2130706433", "0x7f.1", "0177.0.0.1"), else None."""
    labels = host.split(".")
    if not 1 <= len(labels) <= 4 or not all(NUMERIC_LABEL.match(label) for label in labels):
        return None
    try:
        numbers = [
            int(label, 16)
            if label.lower().startswith("0x")
            else int(label, 8)
            if len(label) > 1 and label.startswith("0")
            else int(label)
            for label in labels
        ]
    except ValueError:
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(numbers)) + last
    return ipaddress.IPv4Address(value)


#: code points a host may not hold once decoded (WHATWG "forbidden domain code point")
FORBIDDEN_HOST = set(" #%/:<>?@[\\]^|")


class HostError(ValueError):
    """A host a browser would refuse to parse."""


def canonical_host(host: str) -> str:
    """The host a browser reads in ``host`` (WHATWG URL host parsing, without the final
    Punycode step): percent-decoded as UTF-8, mapped with UTS #46 (non-transitional, no
    STD3 rules, as browsers do), lower case, without the one trailing dot a browser drops.
    Raises HostError for a host a browser refuses."""
    try:
        decoded = unquote(host, errors="strict")
    except UnicodeDecodeError:
        raise HostError("escapes that are not UTF-8") from None
    try:
        mapped = idna.uts46_remap(decoded, std3_rules=False, transitional=False)
    except (idna.IDNAError, ValueError):
        raise HostError("characters a browser refuses in a site name") from None
    mapped = mapped.lower()
    if any(c in FORBIDDEN_HOST or ord(c) < 33 or ord(c) == 127 for c in mapped):
        raise HostError("characters that cannot appear in a site name")
    return mapped[:-1] if mapped.endswith(".") else mapped


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not inner.is_global:
            return False
    return ip.is_global and not ip.is_multicast


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a public http(s) web address (None: it is one)."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return "A web address cannot contain spaces or line breaks."
    if "\\" in value:
        return "A web address cannot contain backslashes (\\); use forward slashes."
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return NOT_HTTP
    if parts.username is not None or parts.password is not None:
        return "Leave the user name and password out of the web address (the part before @)."
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return "The port in this web address (after the colon) is not a number from 1 to 65535."
    written = parts.hostname or ""
    if ":" in written:
        host = written  # an IPv6 literal ([::1]): no escapes or mapping apply
    else:
        try:
            host = canonical_host(written)
        except HostError as exc:
            return f"The site name in this web address contains {exc}."
    host = host.rstrip(".")
    if not host:
        return NOT_HTTP
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        ip = _inet_aton(host)
    if ip is not None and ":" not in written and str(ip) != written.rstrip("."):
        if not _is_public_ip(ip):
            return INTERNAL.format(host=f"{written}, which means {ip}")
        return (
            f"{written!r} is an IP address written in an unusual form (it means {ip}). "
            "Give the site's name instead, e.g. https://www.example.org/."
        )
    if ip is not None:
        return None if _is_public_ip(ip) else INTERNAL.format(host=host)
    if any(host == n or host.endswith("." + n) for n in INTERNAL_NAMES):
        return INTERNAL.format(host=host)
    if "." not in host:
        # A bare name ("intranet", "fileserver") only resolves inside someone's network.
        return (
            "Give the full address with its domain (e.g. https://www.example.org/), not just "
            f"{host!r}."
        )
    if parts.port not in (None, 80, 443):
        return "Give the address of the public page, without an unusual port (such as :8080)."
    return None


def http_url(_form: Any, field: Any) -> None:
    """WTForms validator: an empty field, or a public http(s) web address."""
    value = (field.data or "").strip()
    if not value:
        return
    problem = url_problem(value)
    if problem:
        raise ValidationError(problem)


# --- Jurisdiction codes ------------------------------------------------------------------


def normalise_code(value: Any) -> str:
    """A jurisdiction code as typed or sent ("de", " gb ") in the stored form ("DE", "GB")."""
    return str(value if value is not None else "").strip().upper()


def unknown_code_message(code: str) -> str:
    """What to tell an editor who sent a code that is not a jurisdiction ("UK": use GB)."""
    from tracker.jurisdictions.queries import explain_unknown_code, get_jurisdiction

    known = get_jurisdiction(code)
    if known is not None:
        return f"{known.name} ({code}) cannot be chosen here."
    help_ = explain_unknown_code(code)
    if help_.suggestion is not None:
        return f"{help_.message} Choose {help_.suggestion.name} ({help_.suggestion.code})."
    return help_.message


class JurisdictionField(SelectField):
    """A select of jurisdiction codes: lower case is read as upper case, and a code that
    is not one of the options gets a message that says what was probably meant."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", normalise_code)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data and self.data not in {c.value for c in self._choices_flat()}:
            raise ValidationError(unknown_code_message(self.data))
        super().pre_validate(form)

    def _choices_flat(self) -> list[Any]:
        return [SelectChoice(*c) if isinstance(c, tuple) else c for c in self.choices or []]


class JurisdictionsField(SelectMultipleField):
    """A multiple select of jurisdiction codes (see ``JurisdictionField``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", normalise_code)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Any) -> None:
        known = {c.value if isinstance(c, SelectChoice) else c[0] for c in self.choices or []}
        unknown = [code for code in dict.fromkeys(self.data or []) if code not in known]
        if unknown:
            raise ValidationError(" ".join(unknown_code_message(code) for code in unknown[:3]))
        super().pre_validate(form)
