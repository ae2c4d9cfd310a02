"""The audit log for claims, screens, the print guide, DATAtourisme imports, privacy requests and
purges, logins' passwords, the office team and settings, and the visitors' counters (issue 10,
item 6): every service that changes data writes exactly one entry, with its action code, actor,
office and organisation; a refused call writes none. The four tables below list every public
function of these service modules (tests/test_audit_coverage.py checks none is missing)."""

import contextlib
import datetime
import json

import pytest
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from ensemble.accounts import services as account_services
from ensemble.accounts import staff as staff_services
from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.claims import services as claim_services
from ensemble.claims.errors import ClaimError
from ensemble.claims.models import Claim
from ensemble.core import audit
from ensemble.core import services as core_services
from ensemble.core.errors import EnsembleError
from ensemble.core.models import AuditEntry
from ensemble.datatourisme import services as datatourisme_services
from ensemble.datatourisme.errors import DatatourismeError
from ensemble.directory.models import Category
from ensemble.guide import pdf as guide_pdf
from ensemble.guide import services as guide_services
from ensemble.guide.errors import GuideError
from ensemble.memberships.models import Membership
from ensemble.privacy import services as privacy_services
from ensemble.privacy.errors import PrivacyError
from ensemble.screens import services as screen_services
from ensemble.screens.errors import ScreenError
from ensemble.stats import services as stats_services

from .test_claims import ask, bank_image
from .test_datatourisme import read
from .test_guide import make_place
from .test_privacy_retention import sent_email, task_result

pytestmark = pytest.mark.django_db

CLAIMS = "ensemble.claims.services"
SCREENS = "ensemble.screens.services"
GUIDE = "ensemble.guide.services"
DATATOURISME = "ensemble.datatourisme.services"
PRIVACY = "ensemble.privacy.services"
ACCOUNTS = "ensemble.accounts"

AUDITED = {
    f"{CLAIMS}.requests.request_claim": "claim.requested",
    f"{CLAIMS}.requests.cancel_claim": "claim.cancelled",
    f"{CLAIMS}.answers.accept_claim": "claim.accepted",
    f"{CLAIMS}.answers.refuse_claim": "claim.refused",
    # Completing also consumes the entitlement through memberships' consume_entitlement, which
    # writes its own `entitlement.consumed` (the claim's entry carries the consumption's id).
    f"{CLAIMS}.answers.complete_claim": "claim.completed",
    f"{CLAIMS}.answers.approve_banner": "claim.banner_approved",
    f"{CLAIMS}.gift_codes.issue_gift_codes": "claim.gift_codes_issued",
    f"{CLAIMS}.gift_codes.redeem_gift_code": "gift_code.redeemed",
    f"{CLAIMS}.media.answer_image_bank_request": "claim.images_sent",
    f"{CLAIMS}.media.add_media_image": "media_image.added",
    f"{CLAIMS}.media.archive_media_image": "media_image.archived",
    f"{SCREENS}.create_screen": "screen.created",
    f"{SCREENS}.rename_screen": "screen.renamed",
    f"{SCREENS}.revoke_screen": "screen.revoked",
    f"{SCREENS}.regenerate_screen_token": "screen.token_regenerated",
    f"{SCREENS}.create_screen_message": "screen_message.created",
    f"{SCREENS}.edit_screen_message": "screen_message.edited",
    f"{SCREENS}.delete_screen_message": "screen_message.deleted",
    f"{GUIDE}.request_guide": "guide.requested",
    # The background task: no actor; a run that finds the edition not queued writes nothing.
    f"{GUIDE}.render_guide": ("guide.rendered", "guide.render_failed"),
    # One entry for the run (its counts); each place created or updated also has the entries of
    # the directory and listings services that wrote it (import_place, below).
    f"{DATATOURISME}.runs.import_objects": "datatourisme.imported",
    f"{DATATOURISME}.mappings.set_class_mapping": "datatourisme.class_mapped",
    f"{PRIVACY}.export.export_person": "privacy.person_exported",
    f"{PRIVACY}.erase.erase_person": "privacy.person_erased",
    f"{PRIVACY}.retention.update_retention_policy": "privacy.retention_changed",
    f"{ACCOUNTS}.services.set_initial_password": "account.password_set",
    f"{ACCOUNTS}.staff.invite_staff": "staff.invited",
    f"{ACCOUNTS}.staff.change_staff_role": "staff.role_changed",
    f"{ACCOUNTS}.staff.deactivate_staff": "staff.deactivated",
    f"{ACCOUNTS}.staff.reactivate_staff": "staff.reactivated",
    "ensemble.core.services.update_office_settings": (
        "office.settings_changed",
        "office.bank_details_changed",
    ),
    "ensemble.core.services.retry_task": "task.retried",
}

COMPOSED = {
    f"{DATATOURISME}.places.import_place": (
        "directory_services.create_organisation / save_establishment and listings' ensure_listing, "
        "set_external_source, mark_office_place, edit_listing, create_amenity (an unchanged object "
        "writes nothing)"
    ),
    f"{DATATOURISME}.events.import_event": (
        "events' create_office_event or edit_event (an unchanged event writes nothing)"
    ),
    f"{PRIVACY}.retention.apply_retention": "purge_expired then purge_task_results",
}

BATCH = {
    # One entry per office (and one for the rows of no office) where something was emptied, with
    # the counts by kind: an entry per e-mail body or address emptied would only repeat them.
    f"{PRIVACY}.retention.purge_expired": "privacy.data_purged",
    # The results belong to no office: one entry (office None) when some were deleted.
    f"{PRIVACY}.retention.purge_task_results": "privacy.task_results_purged",
}

_COUNTERS = "reason: visitors' anonymous counters (buffered upserts), no change of state anyone acts on"
NOT_AUDITED = {
    f"{CLAIMS}.workflow.kind_label": "reason: pure helper (a kind's French name)",
    f"{SCREENS}.record_screen_seen": (
        "reason: the screen's heartbeat (last seen, at most one write a minute), no one's action"
    ),
    f"{GUIDE}.pdf_name": "reason: pure helper (a storage name)",
    f"{DATATOURISME}.runs.files_from_directory": "reason: reads files",
    f"{DATATOURISME}.runs.files_from_zip": "reason: reads an archive",
    f"{PRIVACY}.export.held_counts": "reason: reads only (counts per kind of data)",
    f"{PRIVACY}.export.rows_of": "reason: reads only (a queryset)",
    f"{ACCOUNTS}.services.activation_token": "reason: token computation, writes nothing",
    f"{ACCOUNTS}.services.user_from_activation_token": "reason: reads only",
    f"{ACCOUNTS}.services.get_or_create_login": (
        "reason: a step of invite_staff, directory's invite_member and memberships' join request, "
        "called inside their transaction; their one entry names the person invited"
    ),
    "ensemble.stats.services.record": _COUNTERS,
    "ensemble.stats.services.add_increments": _COUNTERS,
    "ensemble.stats.services.record_page_view": _COUNTERS,
    "ensemble.stats.services.record_click": _COUNTERS,
    "ensemble.stats.services.record_api_impressions": _COUNTERS,
    "ensemble.stats.services.record_widget_impressions": _COUNTERS,
    "ensemble.stats.services.is_counted": "reason: reads the request only",
}

TODAY = datetime.date(2022, 12, 28)  # the suite's clock (conftest)
ANY_OTHER = object()


@contextlib.contextmanager
def one_entry(action: str, *, actor, office, organisation_id=None, others=()):
    """The block writes exactly one entry with `action`, `actor`, `office` and `organisation_id`;
    other new entries only with an action starting with one of `others` (the entries of the
    services it composes), or any with ANY_OTHER. Yields a holder filled with the entry."""
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    holder = {}
    yield holder
    new = list(AuditEntry.objects.filter(pk__gt=last).order_by("pk"))
    mine = [entry for entry in new if entry.action == action]
    assert len(mine) == 1, [entry.action for entry in new]
    if others is not ANY_OTHER:
        rest = [entry.action for entry in new if entry.action != action]
        assert all(code.startswith(tuple(others)) for code in rest), rest  # others=(): none at all
    entry = mine[0]
    assert entry.actor_id == (actor.pk if actor is not None else None)
    assert entry.office_id == (office.pk if office is not None else None)
    assert entry.organisation_id == organisation_id
    holder["entry"] = entry


@contextlib.contextmanager
def none_written(error=EnsembleError):
    """The block raises `error` and writes no entry at all."""
    before = AuditEntry.objects.count()
    with pytest.raises(error):
        yield
    assert AuditEntry.objects.count() == before


def test_the_wordings_are_registered_for_every_code_written():
    codes = set()
    for code in [*AUDITED.values(), *BATCH.values()]:
        codes |= set(code) if isinstance(code, tuple) else {code}
    assert codes - set(audit.registered_actions()) == set()


# ---- claims ------------------------------------------------------------------------------------


@pytest.fixture
def active(make_membership):
    return make_membership(Membership.Status.ACTIVE)


def test_request_and_cancel_claim(active, staff_user):
    partner, org = active.applicant, active.organisation_id
    with one_entry("claim.requested", actor=partner, office=active.office, organisation_id=org) as got:
        claim = ask(active, "annual_visit", message="Plutôt un mardi")
    assert got["entry"].target_id == str(claim.pk)
    assert got["entry"].data["message"] == "Plutôt un mardi"
    with none_written(ClaimError):
        ask(active, "photos")  # not in the pack
    with one_entry("claim.cancelled", actor=partner, office=active.office, organisation_id=org):
        claim_services.cancel_claim(claim, actor=partner)
    with none_written(ClaimError):
        claim_services.cancel_claim(claim, actor=partner)


def test_accept_refuse_and_complete_claim(active, staff_user):
    office, org = active.office, active.organisation_id
    claim = ask(active, "annual_visit")
    with one_entry("claim.accepted", actor=staff_user, office=office, organisation_id=org) as got:
        claim_services.accept_claim(claim, actor=staff_user, answer="Le 10 janvier")
    assert got["entry"].data["email"] is not None and got["entry"].data["answer"] == "Le 10 janvier"
    with none_written(ClaimError):
        claim_services.accept_claim(claim, actor=staff_user)
    with none_written(ClaimError):
        claim_services.refuse_claim(claim, actor=staff_user, reason="  ")
    with one_entry(
        "claim.completed", actor=staff_user, office=office, organisation_id=org, others=("entitlement.",)
    ) as got:
        claim_services.complete_claim(claim, actor=staff_user)
    assert got["entry"].data["consumption"] == Claim.objects.get(pk=claim.pk).consumption_id
    other = ask(active, "salon_day")
    with one_entry("claim.refused", actor=staff_user, office=office, organisation_id=org) as got:
        claim_services.refuse_claim(other, actor=staff_user, reason="Complet")
    assert got["entry"].data["reason"] == "Complet"
    with translation.override("fr"):
        text = audit.describe(got["entry"])
    assert text == f"Demande « {other} » refusée : Complet"


def test_approve_banner(active, staff_user):
    claim = ask(active, "screen_banner", text="Soirée jazz")
    with none_written(ClaimError):
        claim_services.approve_banner(claim, actor=staff_user, starts_on=TODAY - datetime.timedelta(days=1))
    with one_entry(
        "claim.banner_approved",
        actor=staff_user,
        office=active.office,
        organisation_id=active.organisation_id,
        others=("entitlement.",),
    ) as got:
        claim_services.approve_banner(claim, actor=staff_user)
    assert got["entry"].data["starts_on"] == TODAY.isoformat()
    with translation.override("fr"):
        text = audit.describe(got["entry"])
    assert text == f"Bandeau « {claim} » validé : diffusion du 28/12/2022 au 25/02/2023"


def test_issue_and_redeem_gift_codes(active, office, staff_user):
    claim = ask(active, "welcome_gift", quantity_wished=2)
    with none_written(ClaimError):
        claim_services.issue_gift_codes(claim, count=0, actor=staff_user)
    org = active.organisation_id
    with one_entry(
        "claim.gift_codes_issued",
        actor=staff_user,
        office=office,
        organisation_id=org,
        others=("entitlement.",),
    ) as got:
        gift = claim_services.issue_gift_codes(claim, count=2, actor=staff_user)[0]
    assert got["entry"].data["count"] == 2
    with one_entry("gift_code.redeemed", actor=None, office=office, organisation_id=org) as got:
        claim_services.redeem_gift_code(office, gift.code, trail="Le marais")
    assert got["entry"].data["trail"] == "Le marais"
    with none_written(ClaimError):
        claim_services.redeem_gift_code(office, gift.code)  # used


def test_image_bank(active, office, staff_user):
    with none_written(ClaimError):
        bank_image(office, staff_user, title="  ")
    with one_entry("media_image.added", actor=staff_user, office=office) as got:
        image = bank_image(office, staff_user)
    assert got["entry"].target_id == str(image.pk)
    claim = ask(active, "image_bank", message="Photos du marais")
    with none_written(ClaimError):
        claim_services.answer_image_bank_request(claim, images=[], actor=staff_user)
    with one_entry(
        "claim.images_sent",
        actor=staff_user,
        office=office,
        organisation_id=active.organisation_id,
        others=("entitlement.",),
    ) as got:
        claim_services.answer_image_bank_request(claim, images=[image], actor=staff_user)
    assert got["entry"].data["images"] == [image.pk]
    with one_entry("media_image.archived", actor=staff_user, office=office):
        claim_services.archive_media_image(image, actor=staff_user)
    with none_written(ClaimError):
        claim_services.archive_media_image(image, actor=staff_user)


# ---- screens -----------------------------------------------------------------------------------


def test_screens(office, other_office, staff_user):
    with none_written(ScreenError):
        screen_services.create_screen(office, name="  ", actor=staff_user)
    with one_entry("screen.created", actor=staff_user, office=office):
        screen, _token = screen_services.create_screen(office, name="Accueil", actor=staff_user)
    with one_entry("screen.renamed", actor=staff_user, office=office) as got:
        screen_services.rename_screen(screen, name="Hall", actor=staff_user)
    assert got["entry"].data == {"name": {"old": "Accueil", "new": "Hall"}}
    with one_entry("screen.revoked", actor=staff_user, office=office):
        screen_services.revoke_screen(screen, actor=staff_user)
    with none_written(ScreenError):
        screen_services.revoke_screen(screen, actor=staff_user)
    with one_entry("screen.token_regenerated", actor=staff_user, office=office) as got:
        screen, token = screen_services.regenerate_screen_token(screen, actor=staff_user)
    assert token not in json.dumps(got["entry"].data) and got["entry"].data["reactivated"] is True


def test_screen_messages(office, staff_user):
    dates = {"starts_on": TODAY, "ends_on": TODAY + datetime.timedelta(days=3)}
    with none_written(ScreenError):
        screen_services.create_screen_message(office, text=" ", actor=staff_user, **dates)
    with one_entry("screen_message.created", actor=staff_user, office=office):
        message = screen_services.create_screen_message(office, text="Marché", actor=staff_user, **dates)
    with none_written(ScreenError):
        screen_services.edit_screen_message(message, text="", actor=staff_user, **dates)
    with one_entry("screen_message.edited", actor=staff_user, office=office) as got:
        screen_services.edit_screen_message(message, text="Marché de Noël", actor=staff_user, **dates)
    assert got["entry"].data["changes"] == {"text": {"old": "Marché", "new": "Marché de Noël"}}
    with one_entry("screen_message.deleted", actor=staff_user, office=office) as got:
        screen_services.delete_screen_message(message, actor=staff_user)
    assert got["entry"].target_label == "Marché de Noël"


# ---- the print guide ---------------------------------------------------------------------------


def test_request_and_render_guide(office, staff_user, monkeypatch):
    make_place(office, "Musée de la Coupole", short_description_fr="Centre d'histoire.")
    values = {"language": "fr", "title": "Guide 2023", "actor": staff_user}
    with none_written(GuideError):
        guide_services.request_guide(office, **{**values, "language": "de"})
    with one_entry("guide.requested", actor=staff_user, office=office):
        edition = guide_services.request_guide(office, **values)
    with one_entry("guide.rendered", actor=None, office=office):
        assert guide_services.render_guide(edition.pk) == "done"
    before = AuditEntry.objects.count()
    assert guide_services.render_guide(edition.pk) == "skipped"  # a second run: nothing
    assert AuditEntry.objects.count() == before

    def broken(edition, plan, *, progress):
        raise RuntimeError("plus de papier")

    monkeypatch.setattr(guide_pdf, "render_guide_pdf", broken)
    failing = guide_services.request_guide(office, **values)
    with one_entry("guide.render_failed", actor=None, office=office) as got:
        assert guide_services.render_guide(failing.pk) == "failed"
    assert got["entry"].data == {"error": "RuntimeError"}


# ---- DATAtourisme ------------------------------------------------------------------------------


def test_an_import_writes_one_entry_for_the_run(office, staff_user):
    files = [read("10-3f1c2a9e-hotel-du-vieux-quai.json"), ("cassé.json", b"{")]
    with one_entry("datatourisme.imported", actor=staff_user, office=office, others=ANY_OTHER) as got:
        report = datatourisme_services.import_objects(office, files, actor=staff_user)
    assert got["entry"].target_id == str(report.run.pk)
    assert (got["entry"].data["created"], got["entry"].data["skipped"]) == (1, 1)
    # Imported again unchanged: the run's entry, and nothing from the place's services.
    with one_entry("datatourisme.imported", actor=staff_user, office=office) as got:
        datatourisme_services.import_objects(office, files[:1], actor=staff_user)
    assert (got["entry"].data["created"], got["entry"].data["unchanged"]) == (0, 1)


def test_a_class_mapping_writes_one_entry(office, staff_user):
    bars = Category.objects.get(office=office, slug="bars")
    with none_written(DatatourismeError):
        datatourisme_services.set_class_mapping(
            office, datatourisme_class="pas une classe", category=bars, actor=staff_user
        )
    with one_entry("datatourisme.class_mapped", actor=staff_user, office=office) as got:
        datatourisme_services.set_class_mapping(
            office, datatourisme_class="WineCellar", category=bars, actor=staff_user
        )
    assert got["entry"].data == {"class": "WineCellar", "old": None, "new": "bars", "default": "terroir"}


# ---- privacy -----------------------------------------------------------------------------------


def test_export_and_erase_a_person(office, partner, staff_user):
    with none_written(PrivacyError):
        privacy_services.export_person(office, email="personne@nulle.example", actor=staff_user)
    with one_entry("privacy.person_exported", actor=staff_user, office=office):
        privacy_services.export_person(office, email=partner.user.email, actor=staff_user)
    with none_written(PrivacyError):
        privacy_services.erase_person(office, email=staff_user.email, actor=staff_user)  # oneself
    with one_entry("privacy.person_erased", actor=staff_user, office=office) as got:
        privacy_services.erase_person(office, email=partner.user.email, actor=staff_user)
    assert partner.user.email not in json.dumps(got["entry"].data)


def test_retention_policy_change(office, staff_user):
    with none_written(PrivacyError):
        privacy_services.update_retention_policy(office, actor=staff_user, email_body_days=-1)
    with one_entry("privacy.retention_changed", actor=staff_user, office=office) as got:
        privacy_services.update_retention_policy(office, actor=staff_user, email_body_days=3)
    assert got["entry"].data == {"email_body_days": {"old": 7, "new": 3}}
    with translation.override("fr"):
        assert audit.describe(got["entry"]) == "Durées de conservation modifiées"


def test_purges_write_one_entry_per_office_that_had_something_to_empty(office, other_office):
    """Batch: one `privacy.data_purged` per office where rows were emptied, none elsewhere."""
    sent_email(office, 30)
    sent_email(office, 40)
    sent_email(other_office, 1)  # within the other office's 7 days: nothing to purge there
    with one_entry("privacy.data_purged", actor=None, office=office) as got:
        privacy_services.purge_expired()
    assert got["entry"].data == {"counts": {"core.OutboundEmail.email_body_days": 2}}
    before = AuditEntry.objects.count()
    assert privacy_services.purge_expired() == {}
    assert AuditEntry.objects.count() == before  # nothing emptied, nothing logged


def test_task_result_purge_writes_one_entry_when_it_deletes(office):
    task_result(60)
    task_result(50)
    with one_entry("privacy.task_results_purged", actor=None, office=None) as got:
        assert privacy_services.purge_task_results() == 2
    assert got["entry"].data == {"deleted": 2}
    before = AuditEntry.objects.count()
    assert privacy_services.purge_task_results() == 0
    assert AuditEntry.objects.count() == before
    assert not DBTaskResult.objects.exists()


# ---- logins, the office's team and settings ----------------------------------------------------


def test_set_initial_password(office):
    user = account_services.get_or_create_login("nouvelle@marais.example")
    with none_written(account_services.AccountError):
        account_services.set_initial_password(user, password="123", office=office)
    with one_entry("account.password_set", actor=user, office=office) as got:
        account_services.set_initial_password(user, password="Une phrase de passe solide 42", office=office)
    assert got["entry"].target_id == str(user.pk)
    assert "solide" not in json.dumps(got["entry"].data)


POLE = StaffMembership.Pole.RECEPTION


def test_the_team_services(office, staff_user):
    with none_written(account_services.AccountError):
        staff_services.invite_staff(
            office, email="pas-une-adresse", role=Role.RECEPTION, pole=POLE, actor=staff_user
        )
    with one_entry("staff.invited", actor=staff_user, office=office):
        staff = staff_services.invite_staff(
            office, email="lea@saint-omer.example", role=Role.RECEPTION, pole=POLE, actor=staff_user
        )
    with one_entry("staff.role_changed", actor=staff_user, office=office):
        staff_services.change_staff_role(staff, role=Role.DIRECTION, actor=staff_user)
    with one_entry("staff.deactivated", actor=staff_user, office=office):
        staff_services.deactivate_staff(staff, actor=staff_user)
    with none_written(account_services.AccountError):
        staff_services.deactivate_staff(staff, actor=staff_user)
    with one_entry("staff.reactivated", actor=staff_user, office=office):
        staff_services.reactivate_staff(staff, actor=staff_user)


def test_office_settings(office, staff_user):
    with none_written(EnsembleError):
        core_services.update_office_settings(office, actor=staff_user, siret="123")
    with one_entry("office.settings_changed", actor=staff_user, office=office):
        core_services.update_office_settings(
            office, actor=staff_user, name="Office de Tourisme de Saint-Omer"
        )


def test_counters_write_no_entry(office):
    listing = make_place(office, "Musée de la Coupole")
    before = AuditEntry.objects.count()
    assert stats_services.record([listing.pk, listing.pk], "page_view") == 1
    assert AuditEntry.objects.count() == before


MODULES = [f"{CLAIMS}.{name}" for name in ("requests", "answers", "workflow", "gift_codes", "media")] + [
    SCREENS,
    GUIDE,
    DATATOURISME,
    *(f"{PRIVACY}.{name}" for name in ("export", "erase", "retention")),
    f"{ACCOUNTS}.services",
    f"{ACCOUNTS}.staff",
    "ensemble.core.services",
    "ensemble.stats.services",
]


def test_retrying_failed_work_writes_one_entry(office, staff_user, settings):
    from django_tasks.base import TaskResultStatus

    from ensemble.core.models import TaskState

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    result = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="ensemble.billing.tasks.render_invoice_pdf",
        backend_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.FAILED,
    )
    TaskState.objects.create(result=result, office=office, attempts=5)
    with one_entry("task.retried", actor=staff_user, office=office) as held:
        core_services.retry_task(office, str(result.pk), actor=staff_user)
    assert held["entry"].data["task"] == "Génération du PDF d'une facture"
    with none_written():
        core_services.retry_task(office, str(result.pk), actor=staff_user)  # no longer failed
    with none_written():
        core_services.retry_task(office, "pas-un-identifiant", actor=staff_user)
