from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import ContactPerson
from tenants import services
from tenants.models import Invitation, Membership, Pta, Role, User
from tests.base import HOST_A, HOST_B, NATIONAL_HOST, PASSWORD, client_for


def _login(host: str, email: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response


@pytest.mark.parametrize("persona", ["admin_a", "adviser_a", "coordinator"])
def test_staff_login_requires_the_totp_code(world, persona):
    p = getattr(world, persona)
    client, response = _login(p.host, p.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Not signed in yet: the start page still sends us to log in.
    assert client.get("/").status_code == 302
    assert "/accounts/login/" in client.get("/")["Location"]

    response = client.post("/accounts/2fa/authenticate/", {"code": p.totp_code()})
    assert response.status_code == 302
    start = client.get("/", follow=True)
    assert start.status_code == 200
    assert start.context["membership"].role == p.role


def test_staff_login_with_wrong_totp_code_is_refused(world):
    client, _ = _login(HOST_A, world.adviser_a.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/i-dag/").status_code == 302


def test_contact_person_logs_in_with_password_and_lands_on_min_side(world):
    client, response = _login(HOST_A, world.contact_a1.email)
    assert response.status_code == 302
    start = client.get("/", follow=True)
    assert start.request["PATH_INFO"] == "/min-side/"
    assert b"Alfa Energi AS" in start.content


def test_wrong_password_is_refused(world):
    client, response = _login(HOST_A, world.contact_a1.email, "wrong-password")
    assert response.status_code == 200
    assert client.get("/min-side/").status_code == 302


def test_staff_without_totp_is_sent_to_set_it_up(world):
    user = User.objects.create_user(email="ny.radgiver@a.test.no", password=PASSWORD)
    Membership.objects.create(user=user, tenant=world.pta_a, role=Role.ADVISER)
    client, response = _login(HOST_A, user.email)
    assert response.status_code == 302
    response = client.get("/i-dag/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert not Authenticator.objects.filter(user=user).exists()


def test_contact_person_is_not_asked_for_totp(world):
    response = client_for(world.contact_a1).get("/min-side/")
    assert response.status_code == 200


def test_user_signed_in_on_a_pta_without_membership_gets_403(world):
    # adviser_b has a login, but no membership in PTA A.
    client, response = _login(HOST_A, world.adviser_b.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": world.adviser_b.totp_code()})
    response = client.get("/i-dag/")
    assert response.status_code == 403


def test_there_is_no_open_signup(world):
    response = Client(HTTP_HOST=HOST_A).post(
        "/accounts/signup/", {"email": "x@example.no", "password1": "Abcdef-12345", "password2": "Abcdef-12345"}
    )
    assert not User.objects.filter(email="x@example.no").exists()
    assert response.status_code in (200, 403)


def test_login_page_says_access_is_by_invitation_and_whom_to_ask_on_a_pta_host(world):
    Pta.objects.filter(pk=world.pta_a.pk).update(contact_email="bedrift@region-a.test.no")
    content = Client(HTTP_HOST=HOST_A).get("/accounts/login/").content.decode()
    assert "/accounts/signup/" not in content  # no invitation to register
    assert "Tilgang får du bare ved invitasjon" in content
    assert "Portalen for bedriftsmobilitet hos Region A" in content
    assert '<a href="mailto:bedrift@region-a.test.no">bedrift@region-a.test.no</a>' in content
    assert 'name="login"' in content and 'name="password"' in content


def test_login_page_without_a_contact_address_names_the_adviser_and_the_national_site_the_coordinator(world):
    pta_page = Client(HTTP_HOST=HOST_B).get("/accounts/login/").content.decode()
    assert "spør bedriftsrådgiveren din hos Region B" in pta_page
    national = Client(HTTP_HOST=NATIONAL_HOST).get("/accounts/login/").content.decode()
    assert "/accounts/signup/" not in national
    assert "Det nasjonale administrasjonssystemet for bedriftsmobilitet" in national
    assert "den nasjonale koordinatoren" in national


def test_sign_up_page_says_how_to_get_access_instead(world):
    content = Client(HTTP_HOST=HOST_A).get("/accounts/signup/").content.decode()
    assert "Registrering stengt" not in content
    assert "Tilgang bare ved invitasjon" in content
    assert 'href="/accounts/login/"' in content


def test_password_reset_mail_links_to_the_same_host(world):
    client = Client(HTTP_HOST=HOST_A)
    response = client.post("/accounts/password/reset/", {"email": world.contact_a1.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert f"http://{HOST_A}/accounts/password/reset/key/" in mail.outbox[0].body


# --- Invitations -------------------------------------------------------------


def _invite(world, email="ny@kunde.no", role=Role.CONTACT, tenant=None, company_ids=None):
    tenant = tenant or world.pta_a
    with tenant_context(tenant) if not tenant.is_national else _nullcontext():
        return services.invitation_create(
            tenant=tenant,
            email=email,
            role=role,
            invited_by=world.admin_a.user,
            company_ids=company_ids if company_ids is not None else [world.company_a1.pk],
        )


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_invitation_creates_user_membership_and_company_link(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(world)
    assert len(mail.outbox) == 1
    assert f"http://{HOST_A}:8000/invitasjon/{token}/" in mail.outbox[0].body

    client = Client(HTTP_HOST=HOST_A)
    response = client.post(
        f"/invitasjon/{token}/",
        {"first_name": "Nora", "last_name": "Ny", "password1": "Et-godt-passord-9", "password2": "Et-godt-passord-9"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ny@kunde.no")
    assert Membership.objects.get(user=user, tenant=world.pta_a).role == Role.CONTACT
    with tenant_context(world.pta_a):
        assert list(ContactPerson.objects.filter(user=user).values_list("company_id", flat=True)) == [
            world.company_a1.pk
        ]
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # Signed in straight away, on Min side.
    assert client.get("/", follow=True).request["PATH_INFO"] == "/min-side/"


def test_reused_invitation_link_is_refused_with_a_clear_message(world):
    _, token = _invite(world)
    data = {"first_name": "A", "last_name": "B", "password1": "Et-godt-passord-9", "password2": "Et-godt-passord-9"}
    assert Client(HTTP_HOST=HOST_A).post(f"/invitasjon/{token}/", data).status_code == 302
    response = Client(HTTP_HOST=HOST_A).post(f"/invitasjon/{token}/", data)
    assert response.status_code == 410
    assert "already been used" in response.context["reason"] or "allerede" in response.context["reason"]
    assert Membership.objects.filter(user__email="ny@kunde.no").count() == 1


def test_expired_invitation_link_is_refused_and_creates_nothing(world):
    invitation, token = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client(HTTP_HOST=HOST_A).post(
        f"/invitasjon/{token}/",
        {"first_name": "A", "last_name": "B", "password1": "Et-godt-passord-9", "password2": "Et-godt-passord-9"},
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="ny@kunde.no").exists()


def test_invitation_link_only_works_on_its_own_tenants_host(world):
    _, token = _invite(world)
    response = Client(HTTP_HOST=HOST_B).get(f"/invitasjon/{token}/")
    assert response.status_code == 410


def test_unknown_invitation_token_gets_clear_message(world):
    response = Client(HTTP_HOST=HOST_A).get("/invitasjon/not-a-token/")
    assert response.status_code == 410


def test_invitation_with_weak_password_is_rejected_and_writes_nothing(world):
    _, token = _invite(world)
    response = Client(HTTP_HOST=HOST_A).post(
        f"/invitasjon/{token}/", {"first_name": "A", "last_name": "B", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="ny@kunde.no").exists()


def test_coordinator_role_cannot_be_given_on_a_pta(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _invite(world, role=Role.COORDINATOR)


def test_admin_invites_adviser_through_the_users_page(world, django_capture_on_commit_callbacks):
    client = client_for(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/brukere/", {"email": "ny.radgiver@a.test.no", "role": Role.ADVISER})
    assert response.status_code == 302
    assert Invitation.objects.filter(email="ny.radgiver@a.test.no", tenant=world.pta_a).exists()
    assert mail.outbox[0].to == ["ny.radgiver@a.test.no"]


def test_removing_a_contact_person_revokes_access_at_once(world):
    contact = client_for(world.contact_a2)
    assert contact.get("/min-side/").status_code == 200
    membership = Membership.objects.get(user=world.contact_a2.user, tenant=world.pta_a)
    response = client_for(world.admin_a).post(f"/brukere/{membership.pk}/fjern/", {"confirm": "yes"})
    assert response.status_code == 302
    assert contact.get("/min-side/").status_code == 403
    with tenant_context(world.pta_a):
        assert not ContactPerson.objects.filter(user=world.contact_a2.user).exists()


def test_national_site_only_for_coordinator(world):
    assert client_for(world.coordinator, NATIONAL_HOST).get("/nasjonalt/").status_code == 200
    assert Client(HTTP_HOST=NATIONAL_HOST).get("/nasjonalt/").status_code == 302


def test_invite_coordinator_command_prints_a_working_link(world, capsys, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_coordinator", "ny.koordinator@example.no")
    link = capsys.readouterr().out.strip().split(": ", 1)[1]
    assert link.startswith(f"http://{NATIONAL_HOST}:8000/invitasjon/")
    assert mail.outbox[-1].to == ["ny.koordinator@example.no"]
    path = link.split(":8000", 1)[1]
    response = Client(HTTP_HOST=NATIONAL_HOST).post(
        path,
        {"first_name": "Nora", "last_name": "K", "password1": "Et-godt-passord-9", "password2": "Et-godt-passord-9"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ny.koordinator@example.no")
    assert Membership.objects.get(user=user).role == Role.COORDINATOR
