"""The results pages for each role: the PTA's dashboard (staff), a company's dashboard (staff and
the company's own contact persons), the card on Min side; the round picker and the location
filter; free text for staff only and only from 5 responses; charts with their tables; query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Company
from surveys.models import RoundKind
from tests.base import HOST_A, client_for
from tests.factories import CompanyFactory, LocationFactory
from tests.surveys.helpers import make_round
from tests.surveys.test_results import DATASET, add_answers, add_responses
from tests.surveys.test_round_pages import signed_in_on


@pytest.fixture
def results(world):
    return make_results(world)


def make_results(world):
    """Company A1: a baseline round (12 invited, the 10 responses of DATASET, two comments) a week
    ago and a follow-up round with 4 responses opened today."""
    with tenant_context(world.pta_a):
        day = timezone.localdate()
        locations = {
            "sentrum": LocationFactory(company=world.company_a1, name="Sentrum"),
            "havn": LocationFactory(company=world.company_a1, name="Havn"),
        }
        baseline, _ = make_round(world.company_a1, employees=12, opens_on=day - timedelta(days=7))
        responses = add_responses(baseline, DATASET, locations=locations)
        add_answers(responses[:1], "comment", text="Hemmelig kommentar om sykkelparkering")
        add_answers(responses[1:2], "comment", text="Annen kommentar")
        followup, _ = make_round(world.company_a1, employees=10, kind=RoundKind.FOLLOWUP, opens_on=day)
        small = add_responses(followup, [("bus", 5, 0, 3, None, "")] * 4)
        add_answers(small[:1], "comment", text="Liten gruppe sin kommentar")
        return baseline, followup, locations


@pytest.fixture
def foreign_company(world):
    """A company of PTA A whose id PTA B's schema does not have."""
    with tenant_context(world.pta_b):
        highest_b = Company.objects.aggregate(m=Max("pk"))["m"] or 0
    with tenant_context(world.pta_a):
        highest_a = Company.objects.aggregate(m=Max("pk"))["m"] or 0
        return CompanyFactory(pk=max(highest_a, highest_b) + 1000, name="Fremmed AS")


def _statuses(world, path: str, foreign_path: str = "") -> dict[str, int]:
    clients = {
        "anonymous": client_for(None, HOST_A),
        "contact_own": client_for(world.contact_a1),
        "contact_other": client_for(world.contact_a2),
        "adviser": client_for(world.adviser_a),
        "admin": client_for(world.admin_a),
        "other_pta": client_for(world.adviser_b),
        "coordinator": signed_in_on(world.coordinator, HOST_A),
    }
    return {
        role: client.get(foreign_path if role == "other_pta" and foreign_path else path).status_code
        for role, client in clients.items()
    }


def test_the_pta_dashboard_is_for_staff_only(world, results):
    assert _statuses(world, "/undersokelser/resultater/") == {
        "anonymous": 302,
        "contact_own": 403,
        "contact_other": 403,
        "adviser": 200,
        "admin": 200,
        "other_pta": 200,  # their own PTA's dashboard on their own host
        "coordinator": 403,
    }
    response = client_for(None, HOST_A).get("/undersokelser/resultater/")
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_company_dashboard_for_staff_and_its_own_contact_persons(world, results, foreign_company):
    for suffix in ("", "eksport.csv"):
        path = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/{suffix}"
        foreign = f"/bedrifter/{foreign_company.pk}/undersokelser/resultater/{suffix}"
        assert _statuses(world, path, foreign_path=foreign) == {
            "anonymous": 302,
            "contact_own": 200,
            "contact_other": 404,
            "adviser": 200,
            "admin": 200,
            "other_pta": 404,
            "coordinator": 403,
        }, suffix


def test_the_min_side_card_for_the_companys_own_contact_persons(world, results, foreign_company):
    path = f"/min-side/{world.company_a1.pk}/kort/reisevaner/"
    assert _statuses(world, path, foreign_path=f"/min-side/{foreign_company.pk}/kort/reisevaner/") == {
        "anonymous": 302,
        "contact_own": 200,
        "contact_other": 404,
        "adviser": 200,
        "admin": 200,
        "other_pta": 404,
        "coordinator": 403,
    }


def test_the_pages_are_get_only(world, results):
    client = client_for(world.adviser_a)
    assert client.post("/undersokelser/resultater/").status_code == 405
    assert client.post(f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/").status_code == 405


def test_the_company_dashboard_shows_the_newest_opened_round_and_picks_another(world, results):
    baseline, followup, _locations = results
    client = client_for(world.adviser_a)
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"
    first = client.get(url)
    assert first.context["board"].round == followup and first.context["board"].figures.suppressed
    chosen = client.get(url, {"round": baseline.pk})
    board = chosen.context["board"]
    assert board.round == baseline and board.figures.responses == 10 and str(board.figures.car_share) == "43.5"
    assert board.rate.met


def test_a_round_of_another_company_is_404(world, results):
    with tenant_context(world.pta_a):
        other, _ = make_round(world.company_a2, employees=1)
    client = client_for(world.contact_a1)
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"
    assert client.get(url, {"round": other.pk}).status_code == 404
    assert client.get(url, {"round": "x"}).status_code == 404


def test_charts_have_a_text_alternative_and_a_table_beside_them(world, results):
    baseline, _followup, _locations = results
    page = client_for(world.adviser_a).get(
        f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/", {"round": baseline.pk}
    )
    text = page.content.decode()
    svgs = re.findall(r"<svg[^>]*>", text)
    assert len(svgs) == 2  # modes and distances (no follow-up with enough responses to compare)
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
        for label in re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split():
            assert f'id="{label}"' in text
    assert "style=" not in text
    assert 'id="company-modes-heading"' in text and 'id="company-distance-heading"' in text
    assert '<progress id="company-rate" max="100" value="83">' in text
    assert 'data-color="success"' in text  # the target met, as a tag


def test_free_text_for_staff_only_and_only_from_five_responses(world, results):
    baseline, followup, _locations = results
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"
    staff = client_for(world.adviser_a).get(url, {"round": baseline.pk}).content.decode()
    assert 'id="survey-comments"' in staff and "Hemmelig kommentar" in staff
    assert staff.index("Annen kommentar") < staff.index("Hemmelig kommentar")  # sorted
    contact = client_for(world.contact_a1).get(url, {"round": baseline.pk}).content.decode()
    assert 'id="survey-comments"' not in contact and "Hemmelig kommentar" not in contact
    small = client_for(world.adviser_a).get(url, {"round": followup.pk}).content.decode()
    assert "Liten gruppe" not in small and 'id="survey-comments"' not in small


def test_the_location_filter(world, results):
    baseline, _followup, locations = results
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"
    page = client_for(world.contact_a1).get(url, {"round": baseline.pk, "location": locations["havn"].pk})
    board = page.context["board"]
    assert board.location == locations["havn"].pk and board.figures.responses == 5
    assert str(board.figures.sustainable_share) == "76.2"


def test_a_company_with_no_rounds(world):
    page = client_for(world.contact_a2).get(f"/bedrifter/{world.company_a2.pk}/undersokelser/resultater/")
    assert page.status_code == 200 and page.context["board"].round is None
    card = client_for(world.contact_a2).get(f"/min-side/{world.company_a2.pk}/kort/reisevaner/")
    assert card.status_code == 200 and card.context["summary"] is None


def test_the_card_shows_the_latest_round(world, results):
    _baseline, followup, _locations = results
    card = client_for(world.contact_a1).get(f"/min-side/{world.company_a1.pk}/kort/reisevaner/")
    summary = card.context["summary"]
    assert summary.round == followup and summary.rate.responses == 4 and summary.rate.target == 60
    assert summary.figures.suppressed
    assert f'href="/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"' in card.content.decode()


def test_the_pta_dashboard_links_each_company(world, results):
    page = client_for(world.adviser_a).get("/undersokelser/resultater/")
    text = page.content.decode()
    assert page.context["shown"].kind == RoundKind.BASELINE
    assert f'href="/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"' in text
    followup = client_for(world.adviser_a).get("/undersokelser/resultater/", {"kind": "followup"})
    assert followup.context["shown"].kind == RoundKind.FOLLOWUP and followup.context["shown"].figures.suppressed
    assert "Hemmelig" not in text  # no free text on the PTA page


def test_the_pta_dashboard_is_a_fixed_number_of_queries(world, results, django_assert_num_queries):
    client = client_for(world.adviser_a)
    client.get("/undersokelser/resultater/")
    with tenant_context(world.pta_a):
        for i in range(3):
            company = CompanyFactory(name=f"Ekstra {i} AS")
            round_, _ = make_round(company, employees=6, opens_on=timezone.localdate() - timedelta(days=1))
            add_responses(round_, DATASET[:6])
    with django_assert_num_queries(PTA_PAGE_QUERIES):
        assert client.get("/undersokelser/resultater/").status_code == 200


def test_the_company_dashboard_is_a_fixed_number_of_queries(world, results, django_assert_num_queries):
    baseline, _followup, _locations = results
    client = client_for(world.adviser_a)
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"
    with django_assert_num_queries(COMPANY_PAGE_QUERIES):
        assert client.get(url, {"round": baseline.pk}).status_code == 200


# Inside the test transaction django-tenants sends a SET search_path before each query, so each
# query counts twice. The middleware's five (domain, session, user, membership, 2FA), then:
# the PTA page's three (latest rounds, sums per round, sums per mode and kind), whatever the PTA's size;
PTA_PAGE_QUERIES = 2 * (5 + 3)
# the company page's seven (company, rounds, sums per round, per location, modes, departments, free text).
COMPANY_PAGE_QUERIES = 2 * (5 + 7)
