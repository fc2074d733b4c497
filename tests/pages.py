"""Every page of the portal: who may open it, and for a page about one record, the fixture
that gives a record of station B (or of the other county) with its owner and an outsider.
tests/test_access.py proves these; the boundary and full-number tests walk them."""

from __future__ import annotations

from accounts.models import Role

CASEWORKER, SUPERVISOR, AUDITOR, ADMIN = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
)
STAFF = {CASEWORKER, SUPERVISOR, AUDITOR}

# Pages without an object: the roles that may open them (GET answers 200).
PAGES = {
    "home": STAFF,  # administrators are sent on to their staff list
    "registry:resident_list": STAFF,
    "registry:resident_create": {CASEWORKER},
    "registry:household_create": {CASEWORKER},
    "administration:staff_list": {ADMIN},
    "administration:staff_create": {ADMIN},
    "administration:station_list": {ADMIN},
    "administration:station_create": {ADMIN},
    "administration:policy": {ADMIN, SUPERVISOR, AUDITOR},
    "filing:list": STAFF,
    "filing:start": {CASEWORKER},
    "filing:notice": STAFF,
    "filing:review_queue": {SUPERVISOR},
    "administration:calendar": {ADMIN},
    "registry:enrollment_start": {CASEWORKER},
    "registry:enrollment_create": {CASEWORKER},
    "registry:household_members": {CASEWORKER},
    "reimbursement:list": STAFF,
    "reimbursement:create": {CASEWORKER},
    "reimbursement:checklist": {CASEWORKER},
    "oversight:audit_log": {SUPERVISOR, AUDITOR},
    "registry:import_create": {CASEWORKER},
    "registry:resident_export": STAFF,
    "oversight:audit_export": {SUPERVISOR, AUDITOR},
    "oversight:audit_chain": {SUPERVISOR, AUDITOR},
    "messaging:outbox": STAFF,
    "reports": STAFF,
}
PUBLIC = {"login", "logout"}
EVERY_ROLE = {"password_change", "keep_alive"}

# Pages about one record: the fixture giving a record of station B (or of the other county for
# county-level records), a user who may open it, and one of another station who must get 404.
STATION_B = ("bob", "alice")  # station B's caseworker, station A's caseworker
OTHER_COUNTY_ADMIN = ("grace", "erin")
OTHER_COUNTY_SUPERVISOR = ("carol", "hank")
OBJECT_PAGES = {
    "registry:resident_detail": ("resident_b", STATION_B),
    "registry:resident_edit": ("registering_resident_b", STATION_B),
    "registry:reveal": ("resident_b", STATION_B),
    "registry:import_detail": ("import_b", STATION_B),
    "registry:import_valid_rows": ("import_b", STATION_B),
    "registry:registration_form": ("resident_b", STATION_B),
    "registry:household_detail": ("household_b", STATION_B),
    "registry:household_edit": ("household_b", STATION_B),
    "administration:staff_edit": ("staff_of_other_county", OTHER_COUNTY_ADMIN),
    "administration:station_edit": ("station_x", OTHER_COUNTY_ADMIN),
    "administration:unlock": ("staff_of_other_county", OTHER_COUNTY_ADMIN),
    "filing:create": ("resident_b", STATION_B),
    "filing:detail": ("filing_b", STATION_B),
    "filing:cancel": ("filing_b", STATION_B),
    "filing:attach_letter": ("filing_b", STATION_B),
    "filing:review": ("filing_b", OTHER_COUNTY_SUPERVISOR),
    "filing:close_in_error": ("filing_b", OTHER_COUNTY_SUPERVISOR),
    "filing:commitment_letter": ("filing_b", STATION_B),
    "filing:filing_form": ("filing_b", STATION_B),
    "filing:print_all": ("filing_b", STATION_B),
    "filing:rejection_notice": ("rejected_filing_b", STATION_B),
    "filing:call_back": ("rejected_filing_b", STATION_B),
    "filing:evidence_file": ("filing_b", STATION_B),
    "registry:enrollment_create_for": ("resident_b", STATION_B),
    "registry:enrollment_detail": ("enrollment_b", STATION_B),
    "registry:enrollment_update": ("enrollment_b", STATION_B),
    "registry:change_create": ("resident_b", STATION_B),
    "registry:change_detail": ("change_b", STATION_B),
    "registry:change_complete": ("change_b", STATION_B),
    "registry:change_decide": ("change_b", OTHER_COUNTY_SUPERVISOR),
    "registry:change_registration_form": ("change_b", STATION_B),
    "reimbursement:detail": ("case_b", STATION_B),
    "reimbursement:edit": ("case_b", STATION_B),
    "reimbursement:forward": ("case_b", STATION_B),
    "reimbursement:void": ("case_b", STATION_B),
    "reimbursement:missing_notice": ("case_b", STATION_B),
    "reimbursement:large_amount_letter": ("case_b", STATION_B),
    "reimbursement:print_all": ("case_b", STATION_B),
    "reimbursement:sign_letter": ("case_b", STATION_B),
    "visit_print": ("visiting_resident_b", STATION_B),
    "messaging:call": ("text_to_call_b", STATION_B),
    "messaging:called": ("text_to_call_b", STATION_B),
}
POST_ONLY = {
    "administration:unlock",
    "registry:import_valid_rows",
    "registry:reveal",
    "filing:cancel",
    "filing:attach_letter",
    "filing:review",
    "filing:close_in_error",
    "filing:call_back",
    "registry:enrollment_update",
    "registry:change_complete",
    "registry:change_decide",
    "reimbursement:forward",
    "reimbursement:void",
    "reimbursement:sign_letter",
    "messaging:call",
    "messaging:called",
}


def url_args(name: str, record) -> list:
    if name == "filing:evidence_file":
        return [record.pk, "material", record.material.pk]
    return [record.pk]
