"""Travel-habit surveys (RVU), tenant schema.

- A Questionnaire is one version of the PTA's question set: the national
  standard set (tenants.NationalQuestionnaire, copied in when the PTA takes a
  version) and the PTA's own local questions. A version a round has used is
  never edited: a change makes a new version (surveys.services).
- A SurveyRound asks one company's employees, between two dates. Each
  recipient has an Invitation with an unguessable link; the row keeps only
  the SHA-256 of the token, as tickets.EmailVerification does.
- Answers are anonymous. A submitted Response has a random UUID and the date
  only, no link to its invitation, no time of day and no IP address; the
  invitation records only that (and on which day) its employee answered. A
  half-finished answer lives on the invitation (`draft`) until it is sent,
  then moves to the Response and is wiped from the invitation.
- The standard questions' answers are also copied into columns of Response
  (main_mode, distance_km, ...), so that the dashboards aggregate them in SQL.
"""

from __future__ import annotations

import hashlib
import uuid

import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import user_fk

TOKEN_SALT = "surveys.Invitation.token"  # noqa: S105 (a salt, not a secret)


class Mode(models.TextChoices):
    """The main mode to work, as the national question set asks it (its option codes)."""

    WALK = "walk", _("Walk")
    BICYCLE = "bicycle", _("Bicycle")
    EBIKE = "ebike", _("E-bike")
    ESCOOTER = "escooter", _("E-scooter")
    CAR_DRIVER = "car_driver", _("Car, as driver")
    CAR_PASSENGER = "car_passenger", _("Car, as passenger")
    CARPOOL = "carpool", _("Carpool")
    MOTORBIKE = "motorbike", _("Motorbike or moped")
    BUS = "bus", _("Bus")
    TRAM = "tram", _("Tram or light rail")
    METRO = "metro", _("Metro")
    TRAIN = "train", _("Train")
    FERRY = "ferry", _("Ferry or boat")
    OTHER = "other", _("Other")


#: Car as driver, and the modes counted with it in the car share "with passengers".
CAR_DRIVER_MODES = (Mode.CAR_DRIVER,)
CAR_MODES_WITH_PASSENGERS = (Mode.CAR_DRIVER, Mode.CAR_PASSENGER, Mode.CARPOOL)
#: Walking, cycling and public transport: the sustainable modes.
SUSTAINABLE_MODES = (
    Mode.WALK,
    Mode.BICYCLE,
    Mode.EBIKE,
    Mode.ESCOOTER,
    Mode.BUS,
    Mode.TRAM,
    Mode.METRO,
    Mode.TRAIN,
    Mode.FERRY,
)


class Parking(models.TextChoices):
    FREE = "free", _("Free parking")
    PAID = "paid", _("Paid parking")
    NONE = "none", _("No parking")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", pgettext_lazy("kind of question", "Number")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


class Questionnaire(models.Model):
    """One version of the PTA's question set. `national_version` names the
    national standard set it was built on. Frozen once a round uses it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    national_version = models.PositiveIntegerField(_("national version"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_fk(_("created by"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return f"questionnaire v{self.version}"


class Question(models.Model):
    """One question of a questionnaire version. `key` is stable across
    versions (e.g. main_mode); a national question's key is the national one,
    a local question's starts with "local_". `options` is a list of
    {"code", "nb", "en"} for choice questions."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    text_nb = models.CharField(_("question (bokmål)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    help_nb = models.CharField(_("help text (bokmål)"), max_length=300, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(_("lowest value"), max_digits=8, decimal_places=1, null=True, blank=True)
    max_value = models.DecimalField(_("highest value"), max_digits=8, decimal_places=1, null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    options = models.JSONField(_("options"), default=list, blank=True)
    is_local = models.BooleanField(_("local question"), default=False)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="question_key_once_per_version"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_position_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key} (v{self.questionnaire_id})"

    def text(self, language: str) -> str:
        return self.text_en if language.startswith("en") and self.text_en else self.text_nb

    def help(self, language: str) -> str:
        return self.help_en if language.startswith("en") and self.help_en else self.help_nb

    def option_label(self, code: str, language: str) -> str:
        for option in self.options:
            if option["code"] == code:
                return option["en"] if language.startswith("en") and option.get("en") else option["nb"]
        return code


class RoundKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    FOLLOWUP = "followup", _("Follow-up")


#: HjemJobbHjem's response-rate thresholds, per kind of round (percent).
RESPONSE_RATE_TARGET = {RoundKind.BASELINE: 75, RoundKind.FOLLOWUP: 60}


class SurveyRound(models.Model):
    """One company's survey between two dates (Europe/Oslo): invitations go
    out when it opens, reminders every `reminder_days` to those who have not
    answered, and the contact persons get a summary once it has closed."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="survey_rounds")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices, default=RoundKind.BASELINE)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    location = models.ForeignKey(
        "companies.Location",
        verbose_name=_("only the location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "companies.Department",
        verbose_name=_("only the department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days between reminders"), default=4, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders at most"), default=2, validators=[MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_fk(_("started by"), null=True, blank=True)
    summary_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="round_closes_after_it_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"survey round {self.pk} ({self.get_kind_display()})"

    @property
    def response_rate_target(self) -> int:
        return RESPONSE_RATE_TARGET[self.kind]


class InvitationState(models.TextChoices):
    WAITING = "waiting", _("Not sent yet")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (opted out or bounced)")


class Invitation(models.Model):
    """One recipient of a round. Only the SHA-256 of the link's token is
    stored. `responded_on` is all that is kept of the answer here."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    # SET_NULL: an employee removed from the list leaves the round's counts as they were.
    employee = models.ForeignKey(
        "employees.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_invitations"
    )
    email = models.EmailField()
    language = models.CharField(max_length=5, default="nb")
    # Random, per invitation; the link's token is an HMAC of it (Invitation.token), not stored.
    nonce = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=InvitationState.choices, default=InvitationState.WAITING)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=500, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    # The answers so far, until they are sent: {question key: value}.
    draft = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "employee"], name="one_invitation_per_employee_and_round"),
        ]
        indexes = [models.Index(fields=["round", "state"], name="invitation_round_state")]

    def __str__(self) -> str:
        return f"invitation {self.pk} to round {self.round_id}"

    def token(self) -> str:
        """The link's token: an HMAC of the row's random nonce under the SECRET_KEY, so the
        worker can rebuild it for each mail and a copy of the database alone cannot."""
        return invitation_token(round_id=self.round_id, nonce=self.nonce)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(*, round_id: int, nonce: str) -> str:
    message = f"{connection.schema_name}:{round_id}:{nonce}"
    return salted_hmac(TOKEN_SALT, message, algorithm="sha256").hexdigest()[:40]


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")


class InvitationMail(models.Model):
    """Each mail of an invitation, claimed in the transaction that sends it:
    the unique constraint is what keeps a retried task from sending it twice."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=10, choices=MailKind.choices)
    number = models.PositiveSmallIntegerField(default=0)  # 0 for the invitation, 1.. for the reminders
    sent_at = models.DateTimeField(auto_now_add=True)
    refused = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "kind", "number"], name="invitation_mail_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number} of invitation {self.invitation_id}"


class SuppressionReason(models.TextChoices):
    OPT_OUT = "opt_out", _("Opted out")
    BOUNCE = "bounce", _("Bounced")


class MailSuppression(models.Model):
    """An address survey mail no longer goes to: the employee opted out, or the mail server refused it for good."""

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=10, choices=SuppressionReason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.reason}: {self.email}"


class ClosingSummary(models.Model):
    """The closing summary mail to one contact person, once per round."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="summaries")
    address = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "address"], name="closing_summary_once")]

    def __str__(self) -> str:
        return f"summary of round {self.round_id}"


class Response(models.Model):
    """One anonymous answer to a round. No invitation, employee, time of day or
    address: a random id and the date. Location and department come from the
    employee list at answering time, for the breakdowns (suppressed under 5)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="survey_responses")
    location = models.ForeignKey(
        "companies.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    department = models.ForeignKey(
        "companies.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    submitted_on = models.DateField()
    # The standard questions, for aggregation in SQL (copied from the answers).
    main_mode = models.CharField(max_length=20, choices=Mode.choices, blank=True)
    distance_km = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    commute_days = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    home_office_days = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    travel_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    parking = models.CharField(max_length=10, choices=Parking.choices, blank=True)
    has_transit_pass = models.BooleanField(null=True, blank=True)
    # 1-5: how likely the respondent is to switch to a sustainable mode.
    switch_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["round", "main_mode"], name="response_round_mode")]

    def __str__(self) -> str:
        return f"response to round {self.round_id}"


class Answer(models.Model):
    """One question's answer in a response: choices, a number or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    number = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]
        triggers = [
            # Answers are final: nobody edits what an employee answered.
            pgtrigger.Protect(name="answers_are_final", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"
