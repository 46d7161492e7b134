"""Country names for display, from ISO 3166 alpha-3 codes (pycountry)."""

from __future__ import annotations

DEFAULT_PAIR = ("IRN", "IRQ")


def is_default_pair(reporter: str, partner: str) -> bool:
    """True for Iran and Iraq, in either order: the pair the shipped reported figures are about."""
    return {reporter.upper(), partner.upper()} == set(DEFAULT_PAIR)


def country_name(iso3: str) -> str:
    import pycountry

    c = pycountry.countries.get(alpha_3=iso3.upper())
    return getattr(c, "common_name", None) or (c.name if c else iso3)
