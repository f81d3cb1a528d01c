"""Copying another region's agreement terms for a national company ("the same package everywhere").

The terms come from the other region's public footprint row (tenants.RegionCompany.terms: the
base-package products by national code, with the employer's subsidies); the other region's own
schema is never read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from companies.models import Agreement
from tenants.models import RegionCompany
from tickets.models import AgreementProduct, Product
from tickets.services import agreement_product_save


@dataclass
class CopyResult:
    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _amount(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def agreement_terms_copy(*, agreement: Agreement, source: RegionCompany) -> CopyResult:
    """Put each of the source's base-package products in this agreement with the same subsidy
    (a product already there gets the subsidy). A product this PTA does not offer is skipped and
    named. All or nothing: a term this agreement cannot take (agreement_product_save's rules)
    refuses the copy with the product's name, and nothing is changed."""
    if source.org_number != agreement.company.org_number:
        raise ValidationError(_("Those terms are another company's."))
    products = {
        p.national_product.code: p
        for p in Product.objects.active().filter(national_product__isnull=False).select_related("national_product")
    }
    existing = {row.product_id: row for row in AgreementProduct.objects.filter(agreement=agreement)}
    result = CopyResult()
    with transaction.atomic():
        for term in source.terms:
            product = products.get(term.get("code"))
            if product is None:
                result.skipped.append(term.get("name") or term.get("code", "?"))
                continue
            try:
                agreement_product_save(
                    agreement=agreement,
                    product=product,
                    subsidy_percent=_amount(term.get("subsidy_percent")),
                    subsidy_amount=_amount(term.get("subsidy_amount")),
                    agreement_product=existing.get(product.pk),
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("“%(name)s” could not be copied: %(reason)s")
                    % {"name": product.name, "reason": " ".join(exc.messages)}
                ) from exc
            result.copied.append(product.name)
    return result
