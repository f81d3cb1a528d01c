"""Emission factors for the climate report: where a year's g CO2e per passenger-km come from.

``factors_for(year=...)`` gives one ``FactorSet``: a factor for every survey mode
(surveys.models.Mode), the basis of the whole set (tenants.models.FactorBasis), the
provider that gave it ("table" or "miljodata") and, when Miljødata was not used, why
(``fallback_reason``: "not configured", "timed out after 5 s", "HTTP 503", ...). The
report prints the provider and the reason.

Providers (``FactorProvider.factors(year) -> FactorSet``):

- ``TableProvider``: the national table (tenants.EmissionFactor, public schema, on the
  search path) rows valid in the year (valid_from <= year <= valid_until, or open-ended),
  with the PTA's own rows (reporting.EmissionFactorOverride, tenant schema) valid in the
  year replacing the national row of their mode (``Factor.regional`` True). On the public
  schema there are no overrides. The national table is checked as a whole by
  tenants.factors, so every mode is there; a mode missing anyway raises
  ``FactorsUnavailable``.

- ``MiljodataProvider``: Entur's Miljødata over HTTP (stdlib urllib, no dependency).
  Settings, read with getattr so none is required::

      MILJODATA_BASE_URL = "https://api.entur.io/miljodata"   # "" = not configured
      MILJODATA_API_KEY = "..."                                 # sent as a Bearer token
      MILJODATA_TIMEOUT = 5                                     # seconds per attempt
      MILJODATA_CLIENT_NAME = "ptabedrift-climate"             # ET-Client-Name header

  The request and the answer it expects::

      GET {base}/v1/emission-factors?year=2026
      Authorization: Bearer {key}
      ET-Client-Name: {client name}
      Accept: application/json

      200 {"basis": "tailpipe",
           "factors": [{"mode": "bus", "grams_per_pkm": 59, "source": "SSB", "year": 2019}, ...]}

  ``basis`` is one of tenants.models.FactorBasis; ``mode`` is an Entur transport mode
  or one of our survey modes; Entur names that differ from ours are mapped
  (``ENTUR_MODES``: rail -> train, water -> ferry, foot -> walk, ...); modes we do not
  survey are ignored. ``year`` is the year of the figure (``source_year``). Miljødata
  figures are taken as Norwegian figures.

  Modes Miljødata does not give are taken from the table (TableProvider, with the PTA's
  overrides), each with a note saying so. If the answer's basis differs from the
  table's and a mode would have to come from the table, the answer is not used (one set
  has one basis) and the reason says so.

  Retries: an attempt that times out, cannot connect, or gets a 5xx (or 408/429) is tried
  again twice, after ``RETRY_BACKOFF`` seconds; another 4xx is not retried. A good answer
  is cached in the Django cache for ``CACHE_SECONDS`` (24 h) under a key with the schema
  name and the year, so the second report of the day makes no request. A failure is
  cached for ``FAILURE_CACHE_SECONDS`` (5 min), so a batch of reports during an outage
  does not wait for every one of them; the reason then says it is a recent failure.

``factors_for`` uses Miljødata when it is configured and answers, else the table.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import connection

PROVIDER_TABLE = "table"
PROVIDER_MILJODATA = "miljodata"

NOT_CONFIGURED = "not configured"

#: Seconds to wait before the 1st and the 2nd retry.
RETRY_BACKOFF: tuple[float, ...] = (0.25, 0.75)
CACHE_SECONDS = 24 * 60 * 60
FAILURE_CACHE_SECONDS = 5 * 60
DEFAULT_TIMEOUT = 5.0
RETRYABLE_STATUSES = {408, 429}

#: Entur transport modes whose name differs from our survey modes.
ENTUR_MODES = {
    "rail": "train",
    "water": "ferry",
    "foot": "walk",
    "bicycle": "bicycle",
    "bus": "bus",
    "coach": "bus",
    "tram": "tram",
    "metro": "metro",
    "lift": "other",
}


class FactorsUnavailable(Exception):
    """No factor set can be given for the year (the table lacks a mode)."""


@dataclass(frozen=True)
class Factor:
    mode: str
    grams_per_pkm: Decimal
    source: str
    source_year: int
    norwegian: bool
    note: str
    regional: bool


@dataclass(frozen=True)
class FactorSet:
    year: int
    basis: str
    factors: dict[str, Factor]
    provider: str  # "table" or "miljodata"
    fallback_reason: str = ""  # why Miljødata was not used ("" when it was)

    def grams(self, mode: str) -> Decimal:
        """The g CO2e per passenger-km of `mode` (KeyError for an unknown mode)."""
        return self.factors[mode].grams_per_pkm


class FactorProvider(ABC):
    name: str = ""

    @abstractmethod
    def factors(self, year: int) -> FactorSet:
        """The factor set for `year`."""


def survey_modes() -> list[str]:
    from surveys.models import Mode

    return list(Mode.values)


def _in_year(row, year: int) -> bool:
    return row.valid_from <= year and (row.valid_until is None or year <= row.valid_until)


class TableProvider(FactorProvider):
    """The national table valid in the year, with the PTA's overrides (see the module docstring)."""

    name = PROVIDER_TABLE

    def factors(self, year: int) -> FactorSet:
        from tenants.models import EmissionFactor

        national = [row for row in EmissionFactor.objects.filter(valid_from__lte=year) if _in_year(row, year)]
        factors: dict[str, Factor] = {}
        basis = ""
        for row in national:
            basis = basis or row.basis
            factors[row.mode] = Factor(
                mode=row.mode,
                grams_per_pkm=Decimal(row.grams_per_pkm),
                source=row.source,
                source_year=row.source_year,
                norwegian=row.norwegian,
                note=row.note,
                regional=False,
            )
        for row in _overrides(year):
            national_row = factors.get(row.mode)
            replaced = f"in place of the national {national_row.grams_per_pkm} g/pkm" if national_row else ""
            factors[row.mode] = Factor(
                mode=row.mode,
                grams_per_pkm=Decimal(row.grams_per_pkm),
                source=row.source,
                source_year=row.valid_from,
                norwegian=True,
                note="; ".join(part for part in (row.note, f"Regional figure {replaced}".strip()) if part),
                regional=True,
            )
        missing = [mode for mode in survey_modes() if mode not in factors]
        if missing:
            raise FactorsUnavailable(f"The factor table has no row for {', '.join(missing)} in {year}.")
        return FactorSet(year=year, basis=basis, factors=factors, provider=PROVIDER_TABLE)


def _overrides(year: int) -> list:
    """The PTA's overrides valid in `year` (none on the public schema)."""
    from django_tenants.utils import get_public_schema_name

    if getattr(connection, "schema_name", get_public_schema_name()) == get_public_schema_name():
        return []
    from reporting.models import EmissionFactorOverride

    return [row for row in EmissionFactorOverride.objects.filter(valid_from__lte=year) if _in_year(row, year)]


class MiljodataError(Exception):
    """Miljødata gave no usable answer; the message is the fallback reason."""

    def __init__(self, reason: str, *, retry: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class _Answer:
    basis: str
    factors: dict[str, Factor] = field(default_factory=dict)


def _setting(name: str, default=""):
    return getattr(settings, name, default) or default


def is_configured() -> bool:
    return bool(_setting("MILJODATA_BASE_URL"))


class MiljodataProvider(FactorProvider):
    """Entur Miljødata, completed from the table (see the module docstring). Raises
    MiljodataError with the reason when its answer cannot be used."""

    name = PROVIDER_MILJODATA

    def __init__(self, *, base_url: str | None = None, api_key: str | None = None, timeout: float | None = None):
        self.base_url = (base_url if base_url is not None else _setting("MILJODATA_BASE_URL")).rstrip("/")
        self.api_key = api_key if api_key is not None else _setting("MILJODATA_API_KEY")
        self.timeout = float(timeout if timeout is not None else _setting("MILJODATA_TIMEOUT", DEFAULT_TIMEOUT))
        self.client_name = _setting("MILJODATA_CLIENT_NAME", "ptabedrift-climate")

    # --- the set -----------------------------------------------------------------------
    def factors(self, year: int) -> FactorSet:
        if not self.base_url:
            raise MiljodataError(NOT_CONFIGURED)
        answer = self.answer(year)
        factors = dict(answer.factors)
        missing = [mode for mode in survey_modes() if mode not in factors]
        if missing:
            table = TableProvider().factors(year)
            if table.basis != answer.basis:
                raise MiljodataError(
                    f"Miljødata's basis ({answer.basis}) is not the table's ({table.basis}), "
                    f"and it gives no figure for {', '.join(missing)}"
                )
            for mode in missing:
                row = table.factors[mode]
                note = "; ".join(part for part in ("Not given by Miljødata: the table's row", row.note) if part)
                factors[mode] = Factor(
                    mode=row.mode,
                    grams_per_pkm=row.grams_per_pkm,
                    source=row.source,
                    source_year=row.source_year,
                    norwegian=row.norwegian,
                    note=note,
                    regional=row.regional,
                )
        return FactorSet(year=year, basis=answer.basis, factors=factors, provider=PROVIDER_MILJODATA)

    # --- the answer, cached ---------------------------------------------------------------
    def cache_key(self, year: int) -> str:
        return f"emission-factors:miljodata:{getattr(connection, 'schema_name', 'public')}:{year}"

    def answer(self, year: int) -> _Answer:
        key = self.cache_key(year)
        cached = cache.get(key)
        if isinstance(cached, _Answer):
            return cached
        failure = cache.get(key + ":failed")
        if failure:
            raise MiljodataError(f"{failure} (a recent attempt; tried again after a few minutes)")
        try:
            answer = self._parse(self._fetch(year))
        except MiljodataError as exc:
            cache.set(key + ":failed", exc.reason, FAILURE_CACHE_SECONDS)
            raise
        cache.set(key, answer, CACHE_SECONDS)
        return answer

    # --- HTTP ------------------------------------------------------------------------------
    def url(self, year: int) -> str:
        return f"{self.base_url}/v1/emission-factors?{urllib.parse.urlencode({'year': year})}"

    def _fetch(self, year: int) -> dict:
        url = self.url(year)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise MiljodataError("the Miljødata address is not http or https")
        attempts = 1 + len(RETRY_BACKOFF)
        for attempt in range(attempts):
            try:
                return self._get_once(url)
            except MiljodataError as exc:
                if not exc.retry or attempt == attempts - 1:
                    if attempt:
                        raise MiljodataError(f"{exc.reason} ({attempt + 1} attempts)") from None
                    raise
                time.sleep(RETRY_BACKOFF[attempt])
        raise MiljodataError("no answer")  # not reached

    def _get_once(self, url: str) -> dict:
        headers = {"Accept": "application/json", "ET-Client-Name": self.client_name}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 (scheme checked)
        seconds = f"{self.timeout:g}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
            raise MiljodataError(f"HTTP {status}", retry=status >= 500 or status in RETRYABLE_STATUSES) from None
        except TimeoutError:
            raise MiljodataError(f"timed out after {seconds} s", retry=True) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise MiljodataError(f"timed out after {seconds} s", retry=True) from None
            raise MiljodataError(f"no answer: {exc.reason}", retry=True) from None
        except OSError as exc:  # reset, refused
            raise MiljodataError(f"no answer: {exc}", retry=True) from None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise MiljodataError("the answer is not JSON") from None

    # --- parsing ---------------------------------------------------------------------------
    def _parse(self, data) -> _Answer:
        from tenants.models import FactorBasis

        if not isinstance(data, dict) or not isinstance(data.get("factors"), list):
            raise MiljodataError("the answer has no list of factors")
        basis = data.get("basis")
        if basis not in FactorBasis.values:
            raise MiljodataError(f"the answer's basis {basis!r} is not one of {', '.join(FactorBasis.values)}")
        known = set(survey_modes())
        factors: dict[str, Factor] = {}
        for item in data["factors"]:
            if not isinstance(item, dict):
                raise MiljodataError("a factor in the answer is not an object")
            raw_mode = str(item.get("mode", ""))
            mode = raw_mode if raw_mode in known else ENTUR_MODES.get(raw_mode, "")
            if mode not in known or mode in factors:
                continue  # a mode we do not survey, or a second name for one we have
            try:
                grams = Decimal(str(item.get("grams_per_pkm")))
            except InvalidOperation:
                raise MiljodataError(f"the factor for {raw_mode} is not a number") from None
            if not grams.is_finite() or grams < 0:
                raise MiljodataError(f"the factor for {raw_mode} is not a number of 0 or more")
            try:
                source_year = int(item.get("year"))
            except (TypeError, ValueError):
                raise MiljodataError(f"the factor for {raw_mode} has no year") from None
            note = f"Entur mode {raw_mode!r}" if raw_mode != mode else ""
            factors[mode] = Factor(
                mode=mode,
                grams_per_pkm=grams,
                source=str(item.get("source") or "Entur Miljødata")[:300],
                source_year=source_year,
                norwegian=True,
                note=note,
                regional=False,
            )
        if not factors:
            raise MiljodataError("the answer has no factor for a survey mode")
        return _Answer(basis=basis, factors=factors)


def factors_for(*, year: int) -> FactorSet:
    """The factor set for `year`: Miljødata when it is configured and answers, else the
    table with the reason (the table's FactorsUnavailable propagates)."""
    if not is_configured():
        return _with_reason(TableProvider().factors(year), NOT_CONFIGURED)
    try:
        return MiljodataProvider().factors(year)
    except MiljodataError as exc:
        return _with_reason(TableProvider().factors(year), exc.reason)


def _with_reason(factor_set: FactorSet, reason: str) -> FactorSet:
    return FactorSet(
        year=factor_set.year,
        basis=factor_set.basis,
        factors=factor_set.factors,
        provider=factor_set.provider,
        fallback_reason=reason,
    )
