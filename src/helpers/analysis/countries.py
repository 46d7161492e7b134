"""Country names for display, from ISO 3166 alpha-3 codes (pycountry)."""

from __future__ import annotations

from typing import Any

DEFAULT_PAIR = ("IRN", "IRQ")


def is_default_pair(reporter: str, partner: str) -> bool:
    """True for Iran and Iraq, in either order: the pair the shipped reported figures are about."""
    return {reporter.upper(), partner.upper()} == set(DEFAULT_PAIR)


#: Former ISO 3166-3 entries that were areas rather than countries (the Neutral Zone, the US Miscellaneous
#: Pacific Islands: UN Comtrade's areas 536 and 849).
FORMER_AREAS = frozenset({"NTZ", "PUS"})


def country_entry(iso3: str) -> Any:
    """pycountry's entry of a country: current (ISO 3166-1) or former (ISO 3166-3, e.g. ANT Netherlands
    Antilles, SCG Serbia and Montenegro, as older BACI and Comtrade years name them); None otherwise."""
    import pycountry

    code = str(iso3).strip().upper()
    if len(code) != 3 or not code.isalpha():
        return None
    found = pycountry.countries.get(alpha_3=code)
    if found is None and code not in FORMER_AREAS:
        found = pycountry.historic_countries.get(alpha_3=code)
    return found


def country_name(iso3: str) -> str:
    """A country's name for display (its common name where ISO gives one); the code itself when unknown."""
    c = country_entry(iso3)
    return getattr(c, "common_name", None) or (c.name if c else iso3)


def pair_name(reporter: str, partner: str) -> str:
    """'Iran–Iraq': the two countries' names for display, reporter first."""
    return f"{country_name(reporter)}–{country_name(partner)}"
