"""Writes on the public schema: provisioning PTAs, inviting users, memberships."""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from tenants.models import Domain, Invitation, Membership, NationalProduct, Pta, RegionStats, Role, User

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA


def national_tenant_ensure(*, domain: str, name: str = "Nasjonal koordinering") -> Pta:
    """Create the public-schema tenant row and its domain (idempotent)."""
    with transaction.atomic():
        national, _created = Pta.objects.get_or_create(
            schema_name="public", defaults={"name": name, "slug": "nasjonal"}
        )
        Domain.objects.get_or_create(domain=domain, defaults={"tenant": national, "is_primary": True})
        return national


def _template_migrations_missing() -> bool:
    if not schema_exists(TEMPLATE_SCHEMA):
        return True
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    tenant_apps = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    wanted = {key for key in loader.graph.nodes if key[0] in tenant_apps}
    with connection.cursor() as cursor:
        # TEMPLATE_SCHEMA comes from settings, not from input.
        cursor.execute(f'SELECT app, name FROM "{TEMPLATE_SCHEMA}".django_migrations')  # noqa: S608
        applied = set(cursor.fetchall())
    return bool(wanted - applied)


def template_schema_ensure() -> bool:
    """Keep the template schema that new PTAs are cloned from fully migrated.

    Cloning it takes a fraction of the time replaying every migration would
    (see bench/provision_pta.py). Returns True if anything was done.
    """
    if not _template_migrations_missing():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{TEMPLATE_SCHEMA}"')
    call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return True


def pta_create(
    *,
    name: str,
    slug: str,
    domain: str,
    org_number: str = "",
    county: str = "",
    contact_email: str = "",
    brand_colour: str = "#1f4e79",
    bank_account: str = "",
    vat_registered: bool = True,
) -> Pta:
    """Provision a PTA: its row, its schema (cloned from the template) and its domain.

    Everything happens in one transaction, so a failure at any step leaves no
    schema and no rows behind. Raises ValidationError for a duplicate slug or
    domain and for invalid identifiers, before anything is written.
    """
    domain = domain.strip().lower()
    pta = Pta(
        schema_name=slug,
        name=name,
        slug=slug,
        org_number=org_number,
        county=county,
        contact_email=contact_email,
        brand_colour=brand_colour,
        bank_account=bank_account,
        vat_registered=vat_registered,
    )
    errors: dict[str, list[str]] = {}
    try:
        pta.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if slug and Pta.objects.filter(schema_name__iexact=slug).exists() and "slug" not in errors:
        errors["slug"] = [_("A PTA with the short name “%(slug)s” already exists.") % {"slug": slug}]
    if slug in {"public", TEMPLATE_SCHEMA} or slug.startswith("pg"):
        errors.setdefault("slug", []).append(_("“%(slug)s” is reserved.") % {"slug": slug})
    if Domain.objects.filter(domain=domain).exists():
        errors["domain"] = [_("The domain “%(domain)s” is already in use.") % {"domain": domain}]
    elif not domain or " " in domain:
        errors["domain"] = [_("Enter a host name such as kolumbus.example.no.")]
    if errors:
        raise ValidationError(errors)

    template_schema_ensure()
    # Tenant creation clones the template schema; we do it ourselves inside
    # the transaction so that PostgreSQL's transactional DDL rolls back the
    # schema together with the rows if any later step fails.
    pta.auto_create_schema = False
    with transaction.atomic():
        pta.save()
        pta.create_schema(check_if_exists=False, verbosity=0)
        Domain.objects.create(domain=domain, tenant=pta, is_primary=True)
        RegionStats.objects.create(tenant=pta)
    logger.info("Provisioned PTA %s (schema %s, domain %s)", name, slug, domain)
    return pta


LOGO_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
LOGO_MAX_BYTES = 1024 * 1024


def pta_set_look(*, pta: Pta, brand_colour: str, logo=None, remove_logo: bool = False) -> Pta:
    """Change a PTA's colour and logo. The logo must really be a PNG or JPEG
    (checked by decoding it), at most 1 MB; it is stored under the PTA's slug."""
    from django.core.files.base import ContentFile
    from PIL import Image, UnidentifiedImageError

    pta.brand_colour = brand_colour
    if logo is not None:
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError({"logo": _("The logo is larger than 1 MB.")})
        data = logo.read()
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                kind = image.format
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise ValidationError({"logo": _("The file is not a PNG or JPEG image.")}) from None
        if kind not in LOGO_TYPES:
            raise ValidationError({"logo": _("The file is not a PNG or JPEG image.")})
        if pta.logo:
            pta.logo.delete(save=False)
        pta.logo.save(f"{pta.slug}/logo.{LOGO_TYPES[kind][0]}", ContentFile(data), save=False)
    elif remove_logo and pta.logo:
        pta.logo.delete(save=False)
    pta.full_clean()
    pta.save()
    return pta


def pta_set_active(*, pta: Pta, active: bool) -> Pta:
    """Suspend or reactivate a PTA. A suspended PTA's host answers with a notice, not its data."""
    pta.is_active = active
    pta.save(update_fields=["is_active"])
    return pta


NATIONAL_PRODUCT_FIELDS = ("name", "description", "unit", "vat_rate", "position", "is_active")


def national_product_save(*, data: dict, product: NationalProduct | None = None) -> NationalProduct:
    """Add a product to the national base package, or edit one (the coordinator's).

    The code is set once, on creation: PTAs' products refer to the row, and the
    tickets app finds the corporate ticket by its code. Retiring a product
    (is_active off) keeps it in the PTAs that adopted it; no PTA can adopt it
    any more. Names and codes are unique (full_clean says which)."""
    if product is None:
        product = NationalProduct(code=data.get("code", ""))
    for name in NATIONAL_PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name])
    product.full_clean()
    product.save()
    return product


def user_set_contact_details(*, user: User, first_name: str, last_name: str, phone: str) -> User:
    """A user's own name and phone number, shown to the companies they advise.

    The phone number is stored in E.164 (core.validators); full_clean refuses
    anything else, and nothing is written then. The e-mail address (the
    login) is not changed here."""
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "phone"])
    return user


def invitation_create(
    *,
    tenant: Pta,
    email: str,
    role: str,
    invited_by: User | None,
    company_ids: list[int] | None = None,
    contact_rights: dict[str, bool] | None = None,
    company_names: list[str] | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and queue its e-mail on commit.

    The e-mail names the PTA, the inviter and, for a contact person, the
    companies in `company_names` (the names of `company_ids`: tenant data,
    which the caller reads).
    Returns the invitation and the raw token (only its hash is stored).
    Rules: the coordinator role only on the national tenant, PTA roles only
    on a PTA, contact persons need at least one company, and an address that
    already has a membership in this tenant cannot be invited again.
    """
    email = email.strip().lower()
    if role == Role.COORDINATOR and not tenant.is_national:
        raise ValidationError({"role": _("The national coordinator role belongs to the national site.")})
    if role != Role.COORDINATOR and tenant.is_national:
        raise ValidationError({"role": _("PTA roles are given on the PTA's own site.")})
    if role == Role.CONTACT and not company_ids:
        raise ValidationError({"companies": _("Choose at least one company for a contact person.")})
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s already has access here.") % {"email": email}})

    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        tenant=tenant,
        role=role,
        company_ids=list(company_ids or []),
        contact_rights=dict(contact_rights or {}),
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        from tenants.tasks import send_invitation_email

        send_invitation_email.delay_on_commit(invitation.pk, token, list(company_names or []))
    return invitation, token


class InvitationError(Exception):
    """The link is unknown, expired or already used; the message says which."""


def invitation_get_valid(*, tenant: Pta, token: str, lock: bool = False) -> Invitation:
    """The unused, unexpired invitation behind a link; with lock=True its row stays locked until commit."""
    invitations = Invitation.objects.select_for_update() if lock else Invitation.objects
    invitation = invitations.filter(tenant=tenant, token_hash=Invitation.hash_token(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you copied the whole link."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used. Sign in instead, or ask for a new invitation."))
    if invitation.is_expired:
        raise InvitationError(
            _("This invitation expired on %(date)s. Ask the sender for a new one.")
            % {"date": timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y %H:%M")}
        )
    return invitation


def invitation_accept(
    *,
    tenant: Pta,
    token: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    on_accepted: Callable[[User, Invitation], None] | None = None,
) -> User:
    """Accept an invitation: create the user if needed, add the membership, mark the link used.

    The row is locked, so a link used twice at once still gives one membership.
    ``on_accepted`` runs in the same transaction; the tenant site uses it to
    link contact persons to their companies, which are tenant data.
    """
    with transaction.atomic():
        # Locked as it is read, so a link used twice at once gives one membership.
        invitation = invitation_get_valid(tenant=tenant, token=token, lock=True)
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            if not password:
                raise InvitationError(_("Choose a password."))
            user = User.objects.create_user(
                email=invitation.email, password=password, first_name=first_name, last_name=last_name
            )
        Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": invitation.role})
        if on_accepted is not None:
            on_accepted(user, invitation)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user
