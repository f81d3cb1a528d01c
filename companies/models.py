"""Client companies of a PTA (tenant schema): locations, departments,
agreements, contact persons, documents, notices and messages."""

from __future__ import annotations

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.imports import UploadedImport
from core.models import user_fk
from core.validators import validate_orgnr


class CompanyStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    MEMBER = "member", _("Member")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250-999", _("250–999 employees")
    XLARGE = "1000+", _("1000 or more employees")


class EmployerZone(models.TextChoices):
    """The zones of the employer's social security contribution (arbeidsgiveravgift).

    Their rates, and the list that places each municipality in a zone, are the
    tickets app's (tickets/rules.py, tickets/zones.py); the keys here are the ones
    those use."""

    ZONE_1 = "1", _("Zone I")
    ZONE_1A = "1a", _("Zone Ia")
    ZONE_2 = "2", _("Zone II")
    ZONE_3 = "3", _("Zone III")
    ZONE_4 = "4", _("Zone IV")
    ZONE_4A = "4a", _("Zone IVa")
    ZONE_5 = "5", _("Zone V")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["employee_count"],  # kept by the database, not a change anyone made
)
class Company(models.Model):
    org_number = models.CharField(_("organisation number"), max_length=9, unique=True, validators=[validate_orgnr])
    name = models.CharField(_("name"), max_length=200)
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    municipality = models.CharField(_("municipality"), max_length=80, blank=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    # Blank: the zone of the municipality, from the yearly zone list (tickets.zones).
    employer_zone = models.CharField(
        _("employer's contribution zone"),
        max_length=2,
        choices=EmployerZone.choices,
        blank=True,
        help_text=_("Leave empty to use the zone of the municipality."),
    )
    finance_sector = models.BooleanField(
        _("finance or insurance (NACE section K)"),
        default=False,
        help_text=_("The company pays the 5 % financial-sector tax on pay (finansskatt på lønn)."),
    )
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CompanyStatus.choices, default=CompanyStatus.PROSPECT)
    status_changed_on = models.DateField(_("status changed"), null=True, blank=True)
    # Employees on the company's list (everyone but leavers). Kept by database
    # triggers that the employees app declares on its table, so lists sort and
    # page by it without counting every employee of the PTA on each request.
    employee_count = models.PositiveIntegerField(_("employees"), default=0, editable=False)
    adviser = user_fk(_("responsible adviser"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CompanyStatusChange(models.Model):
    """Every status change with its date: prospect → member → paused → ended."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=10, choices=CompanyStatus.choices)
    changed_on = models.DateField(_("date"))
    changed_by = user_fk(_("changed by"), null=True, blank=True)

    class Meta:
        ordering = ["-changed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.status} {self.changed_on}"


class Location(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    municipality = models.CharField(_("municipality"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="unique_location_name")]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="unique_department_name")]

    def __str__(self) -> str:
        return self.name


class InvoiceGrouping(models.TextChoices):
    COMPANY = "company", _("One invoice per company")
    LOCATION = "location", _("One invoice per location")
    DEPARTMENT = "department", _("One invoice per department")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Agreement(models.Model):
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="agreement")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    terms_document = models.ForeignKey(
        "Document", verbose_name=_("terms document"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The agreement's products and the employer's subsidy are the tickets app's
    # (tickets.AgreementProduct, edited on its own page of the company).
    invoice_reference = models.CharField(_("invoice reference (PO number)"), max_length=60, blank=True)
    invoice_email = models.EmailField(_("invoice e-mail"), blank=True)
    ehf_address = models.CharField(
        _("EHF address"), max_length=20, blank=True, help_text=_("Peppol participant, e.g. 0192:123456785")
    )
    invoice_grouping = models.CharField(
        _("invoices go"), max_length=10, choices=InvoiceGrouping.choices, default=InvoiceGrouping.COMPANY
    )
    credit_limit = models.DecimalField(
        _("credit limit (NOK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A warning shows when the company owes more than this. Empty: no limit."),
    )

    def __str__(self) -> str:
        return f"agreement of {self.company}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ContactPerson(models.Model):
    """Limits a contact person's membership to named companies, with rights per company."""

    user = user_fk(_("user"))
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contact_persons")
    can_edit_employees = models.BooleanField(_("may edit the employee list"), default=True)
    can_approve_tickets = models.BooleanField(_("may approve ticket applications"), default=True)
    can_see_invoices = models.BooleanField(_("may see invoices"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="one_contact_row_per_company")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.company}"


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    INFO_LETTER = "info_letter", _("Information letter")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    ADVISERS = "advisers", _("Advisers only")
    CONTACTS = "contacts", _("Advisers and the company's contact persons")


class Document(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    visibility = models.CharField(_("visible to"), max_length=10, choices=Visibility.choices)
    # Stored as documents/<schema>/<company>/<uuid>.<ext> (companies.messaging.document_upload); never
    # served directly, only through a permission-checked view.
    file = models.FileField(upload_to="documents/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = user_fk(_("uploaded by"), null=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class Notice(models.Model):
    """A notice from an adviser to one company, a selection, or every company of the PTA."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    companies = models.ManyToManyField(Company, related_name="notices")
    created_by = user_fk(_("from"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class MessageThread(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="threads")
    subject = models.CharField(_("subject"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages")
    author = user_fk(_("from"), null=True)
    # Recorded when written: decides who is notified (the company's contact
    # persons, or the PTA's advisers), whatever the author's role becomes later.
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"message {self.pk} in thread {self.thread_id}"


class ThreadRead(models.Model):
    """Read status per user and thread: read up to last_read_at."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="reads")
    user = user_fk(_("user"))
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="one_read_marker_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} at {self.last_read_at}"


class NotificationKind(models.TextChoices):
    MESSAGE = "message", _("New message")
    NOTICE = "notice", _("Notice")


class NotificationSent(models.Model):
    """One e-mail notification (about a message or a notice) to one user.

    The sending task inserts this row in the same transaction as it sends, so
    a retried or duplicated task never mails anyone twice. A recipient the
    mail server refused for good gets a row too, with the server's reply in
    `refused`, so that no retry tries again."""

    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    object_id = models.PositiveBigIntegerField()
    user = user_fk(_("user"))
    sent_at = models.DateTimeField(auto_now_add=True)
    refused = models.CharField(_("refused by the mail server"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "user"], name="one_notification_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} to {self.user_id}"


class CompanyImport(UploadedImport):
    """One upload of a list of companies (bulk onboarding), from preview to
    result (the steps and the shared fields are core.imports'). The file is
    deleted when the import ends; the counts and errors stay."""

    COUNTS = ("added", "updated", "unchanged")
    run_task = "companies.tasks.run_company_import"

    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
