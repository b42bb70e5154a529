"""Use case: web accounts. Sign up (a runner gets an Athlete row), sign in with argon2id-hashed passwords,
server-side sessions, clinician invitations, who may see whose data, data export and account deletion."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import store
from ..errors import InputError
from ..store.models import (
    Activity,
    Assessment,
    Athlete,
    DiaryEntry,
    GaitAnalysis,
    Intake,
    Plan,
    PlanLog,
    utcnow,
)
from ..store.web_models import ClinicianLink, Job, StoredFile, User, WebSession
from . import audit, files

# argon2id at the OWASP Password Storage Cheat Sheet's recommended minimum (m=19 MiB, t=2, p=1): about
# 30 ms per check here, so 50 runners signing in at once do not stall the server. Hashes made with other
# parameters are upgraded on the next sign-in (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Compared against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only used to keep timing even")

CONSENT_VERSION = "2026-11"  # bump when the consent wording on the sign-up page changes
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 256
SESSION_IDLE = dt.timedelta(hours=12)
SESSION_MAX = dt.timedelta(days=7)
SESSION_TOUCH_EVERY = dt.timedelta(minutes=5)  # how often last_seen_at is written (keeps reads cheap)
INVITE_VALID = dt.timedelta(days=14)
DEMO_EMAIL = "demo@hipcheck.local"
DEMO_PASSWORD = "demo-runner-2026"
DEMO_NAME = "Demo Runner"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$|^[^@\s]{1,64}@localhost$|^[^@\s]{1,64}@[^@\s.]{1,63}\.local$")


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    role: str
    display_name: str
    athlete_id: int | None
    athlete_name: str | None

    @property
    def is_clinician(self) -> bool:
        return self.role == "clinician"


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user: UserInfo
    csrf_token: str
    data: dict
    touch_due: bool = False


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _info(session: Session, user: User) -> UserInfo:
    name = session.get(Athlete, user.athlete_id).name if user.athlete_id else None
    return UserInfo(user.id, user.email, user.role, user.display_name, user.athlete_id, name)


def _db(db: store.Database | None) -> store.Database:
    return db or store.get_database()


# ---- validation ---------------------------------------------------------------------------------------
def normalise_email(email: str) -> str:
    clean = (email or "").strip().lower()
    if not clean or len(clean) > 254 or not _EMAIL.match(clean):
        raise InputError("e-mail: give an address such as sam@example.org")
    return clean


def validate_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN_CHARS:
        raise InputError(f"password: use at least {PASSWORD_MIN_CHARS} characters")
    if len(password) > PASSWORD_MAX_CHARS:
        raise InputError(f"password: use at most {PASSWORD_MAX_CHARS} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---- sign up / sign in --------------------------------------------------------------------------------
def sign_up(email: str, password: str, display_name: str, role: str = "athlete", consent: bool = False,
            db: store.Database | None = None, actor_ip: str | None = None) -> UserInfo:
    """Create an account. A runner also gets an Athlete row (named after them, made unique)."""
    email = normalise_email(email)
    validate_password(password)
    from .athletes import validate_name

    name = validate_name(display_name or "")
    if role not in ("athlete", "clinician"):
        raise InputError(f"role '{role}' is not one of athlete, clinician")
    if not consent:
        raise InputError("consent: tick the box to agree that hipcheck keeps your health data "
                         "(you can download or delete it at any time)")
    pw_hash = hash_password(password)  # slow on purpose: outside the transaction
    with _db(db).session() as s:
        if s.scalar(select(exists().where(User.email == email))):
            raise InputError("e-mail: an account with this address already exists; sign in instead")
        athlete = _new_athlete(s, name) if role == "athlete" else None
        user = User(email=email, password_hash=pw_hash, role=role, display_name=name,
                    athlete_id=athlete.id if athlete else None, consent_version=CONSENT_VERSION,
                    consented_at=utcnow())
        try:
            with s.begin_nested():
                s.add(user)
        except IntegrityError:
            raise InputError("e-mail: an account with this address already exists; sign in instead") from None
        audit.record(s, audit.Actor(user.id, role, actor_ip), "signup", athlete.id if athlete else None)
        return _info(s, user)


def _new_athlete(s: Session, name: str) -> Athlete:
    """An Athlete row for a new runner: their name, or "name (2)", "name (3)"... when taken."""
    for n in range(1, 1000):
        candidate = name if n == 1 else f"{name[:92]} ({n})"
        if s.scalar(select(exists().where(Athlete.name == candidate))):
            continue
        try:
            return store.add_athlete(s, candidate)
        except InputError:  # taken meanwhile by another sign-up
            continue
    raise InputError("name: too many athletes share this name; add a surname or initial")


def authenticate(email: str, password: str, db: store.Database | None = None) -> UserInfo | None:
    """The user when e-mail and password match, else None (same work either way). Only reads: the slow
    hash check runs outside any transaction; `record_login` then notes the sign-in."""
    try:
        email = normalise_email(email)
    except InputError:
        _verify(_DUMMY_HASH, password or "")
        return None
    with _db(db).session() as s:
        user = s.scalars(select(User).where(User.email == email)).one_or_none()
        found = (_info(s, user), user.password_hash) if user is not None else None
    if found is None:
        _verify(_DUMMY_HASH, password or "")
        return None
    info, stored = found
    return info if _verify(stored, password or "") else None


def record_login(user: UserInfo, password: str, db: store.Database | None = None,
                 actor_ip: str | None = None) -> None:
    """After a successful sign-in: the time, the audit entry, and a stronger hash when the parameters
    changed since the password was set."""
    with _db(db).session() as s:
        stored = s.scalar(select(User.password_hash).where(User.id == user.id))
    values: dict = {"last_login_at": utcnow()}
    if stored and _hasher.check_needs_rehash(stored):
        values["password_hash"] = hash_password(password)
    with _db(db).session() as s:
        s.execute(update(User).where(User.id == user.id).values(**values))
        audit.record(s, audit.Actor(user.id, user.role, actor_ip), "login")


def start_session(user_id: int, db: store.Database | None = None) -> tuple[str, str]:
    """A new session for the user: (cookie token, CSRF token). Only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    with _db(db).session() as s:
        s.add(WebSession(token_sha256=_sha256(token), user_id=user_id, csrf_token=csrf, created_at=now,
                         last_seen_at=now, expires_at=now + SESSION_MAX, data={}))
    return token, csrf


def session_for(token: str | None, db: store.Database | None = None) -> SessionInfo | None:
    """The live session behind a cookie token, or None (unknown, expired or idle too long). Only reads;
    `touch_due` says the caller should record activity with `touch_session` (every few minutes)."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    with _db(db).session() as s:
        row = s.scalars(select(WebSession).where(WebSession.token_sha256 == _sha256(token))).one_or_none()
        if row is None or row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now:
            return None
        user = s.get(User, row.user_id)
        return SessionInfo(row.id, _info(s, user), row.csrf_token, dict(row.data or {}),
                           now - row.last_seen_at > SESSION_TOUCH_EVERY)


def touch_session(session_id: int, db: store.Database | None = None) -> None:
    """Note activity on a session; expired sessions are cleared out at the same time."""
    now = utcnow()
    with _db(db).session() as s:
        s.execute(update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now))
        s.execute(delete(WebSession).where((WebSession.expires_at <= now) | (WebSession.last_seen_at <= now - SESSION_IDLE)))


def end_session(token: str | None, db: store.Database | None = None) -> None:
    if not token:
        return
    with _db(db).session() as s:
        s.execute(delete(WebSession).where(WebSession.token_sha256 == _sha256(token)))


def set_session_data(session_id: int, key: str, value: Any, db: store.Database | None = None) -> None:
    """Keep small page state (such as unfinished intake answers) with the session; None removes it."""
    database = _db(db)
    with database.session() as s:
        data = dict(s.scalar(select(WebSession.data).where(WebSession.id == session_id)) or {})
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    with database.session() as s:
        s.execute(update(WebSession).where(WebSession.id == session_id).values(data=data))


# ---- who may see whom ----------------------------------------------------------------------------------
def can_view(s: Session, user: UserInfo, athlete_id: int) -> bool:
    """A runner sees their own data; a clinician sees athletes who accepted their invitation."""
    if user.role == "athlete":
        return user.athlete_id == athlete_id
    return bool(s.scalar(select(exists().where(ClinicianLink.clinician_id == user.id,
                                               ClinicianLink.athlete_id == athlete_id,
                                               ClinicianLink.status == "accepted"))))


@dataclass(frozen=True)
class LinkInfo:
    id: int
    clinician_id: int
    clinician_name: str
    clinician_email: str
    athlete_id: int | None
    athlete_name: str | None
    note: str | None
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None


def _link_info(s: Session, link: ClinicianLink) -> LinkInfo:
    clin = s.get(User, link.clinician_id)
    ath = s.get(Athlete, link.athlete_id) if link.athlete_id else None
    return LinkInfo(link.id, clin.id, clin.display_name, clin.email, link.athlete_id, ath.name if ath else None,
                    link.note, link.status, link.created_at, link.expires_at, link.accepted_at)


def create_invite(clinician: UserInfo, note: str | None = None, db: store.Database | None = None) -> str:
    """A one-time invitation code the clinician gives to a runner (valid for 14 days)."""
    if not clinician.is_clinician:
        raise InputError("only clinicians can invite athletes")
    note = (note or "").strip()[:100] or None
    code = secrets.token_urlsafe(18)
    with _db(db).session() as s:
        s.add(ClinicianLink(clinician_id=clinician.id, code_sha256=_sha256(code), note=note, status="pending",
                            expires_at=utcnow() + INVITE_VALID))
    return code


def invite_for_code(code: str, db: store.Database | None = None) -> LinkInfo | None:
    """The pending, unexpired invitation behind a code, or None."""
    if not code or len(code) > 100:
        return None
    with _db(db).session() as s:
        link = s.scalars(select(ClinicianLink).where(ClinicianLink.code_sha256 == _sha256(code))).one_or_none()
        if link is None or link.status != "pending" or link.expires_at <= utcnow():
            return None
        return _link_info(s, link)


def accept_invite(code: str, athlete: UserInfo, db: store.Database | None = None,
                  actor_ip: str | None = None) -> LinkInfo:
    """The runner agrees to share their data with the inviting clinician."""
    if athlete.role != "athlete" or athlete.athlete_id is None:
        raise InputError("only a runner's account can accept a clinician's invitation")
    with _db(db).session() as s:
        link = s.scalars(select(ClinicianLink).where(ClinicianLink.code_sha256 == _sha256(code or ""))
                         .with_for_update()).one_or_none()
        if link is None or link.status != "pending" or link.expires_at <= utcnow():
            raise InputError("this invitation is not valid any more: ask your clinician for a new one")
        already = s.scalars(select(ClinicianLink).where(ClinicianLink.clinician_id == link.clinician_id,
                                                        ClinicianLink.athlete_id == athlete.athlete_id,
                                                        ClinicianLink.status == "accepted")).first()
        if already is not None:
            link.status = "revoked"  # used up; the existing link stands
            return _link_info(s, already)
        link.status, link.athlete_id, link.accepted_at = "accepted", athlete.athlete_id, utcnow()
        audit.record(s, audit.Actor(athlete.id, athlete.role, actor_ip), "link_accepted", athlete.athlete_id,
                     f"clinician:{link.clinician_id}")
        s.flush()
        return _link_info(s, link)


def revoke_link(link_id: int, user: UserInfo, db: store.Database | None = None,
                actor_ip: str | None = None) -> None:
    """Either side ends a link: the runner stops sharing, or the clinician lets go of the runner."""
    with _db(db).session() as s:
        link = s.get(ClinicianLink, link_id)
        mine = link is not None and ((user.role == "athlete" and link.athlete_id == user.athlete_id)
                                     or (user.role == "clinician" and link.clinician_id == user.id))
        if not mine or link.status == "revoked":
            raise InputError("no such link")
        link.status = "revoked"
        if link.athlete_id is not None:
            audit.record(s, audit.Actor(user.id, user.role, actor_ip), "link_revoked", link.athlete_id,
                         f"clinician:{link.clinician_id}")


def links_of_athlete(athlete_id: int, db: store.Database | None = None) -> list[LinkInfo]:
    with _db(db).session() as s:
        rows = s.scalars(select(ClinicianLink).where(ClinicianLink.athlete_id == athlete_id,
                                                     ClinicianLink.status == "accepted")
                         .order_by(ClinicianLink.accepted_at))
        return [_link_info(s, r) for r in rows]


def links_of_clinician(clinician_id: int, db: store.Database | None = None) -> list[LinkInfo]:
    """The clinician's accepted links and open invitations (expired ones left out)."""
    now = utcnow()
    with _db(db).session() as s:
        rows = s.scalars(select(ClinicianLink).where(ClinicianLink.clinician_id == clinician_id,
                                                     ClinicianLink.status != "revoked")
                         .order_by(ClinicianLink.created_at.desc()))
        return [_link_info(s, r) for r in rows if r.status == "accepted" or r.expires_at > now]


def linked_athlete_ids(s: Session, clinician_id: int) -> list[int]:
    return list(s.scalars(select(ClinicianLink.athlete_id).where(ClinicianLink.clinician_id == clinician_id,
                                                                  ClinicianLink.status == "accepted")
                          .order_by(ClinicianLink.accepted_at)))


# ---- the demo account ------------------------------------------------------------------------------------
def ensure_demo_user(db: store.Database | None = None) -> tuple[str, str]:
    """Create the demo runner's account when missing; returns (e-mail, password) to print on start.

    Only for a local demo (`hipcheck serve --demo`, `make run`): the password is public."""
    with _db(db).session() as s:
        user = s.scalars(select(User).where(User.email == DEMO_EMAIL)).one_or_none()
        if user is not None:
            if not _verify(user.password_hash, DEMO_PASSWORD):
                user.password_hash = hash_password(DEMO_PASSWORD)
            return DEMO_EMAIL, DEMO_PASSWORD
    try:
        sign_up(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME, "athlete", consent=True, db=db)
    except InputError:  # created by another process meanwhile
        pass
    return DEMO_EMAIL, DEMO_PASSWORD


# ---- export and deletion ---------------------------------------------------------------------------------
def _csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def export_data(user: UserInfo, db: store.Database | None = None, actor_ip: str | None = None) -> bytes:
    """Everything kept about the user, as a zip: JSON documents, CSV tables, a FHIR bundle (when the report
    package provides one) and the original uploaded files that are still kept."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, _db(db).session() as s:
        row = s.get(User, user.id)
        account = {"email": row.email, "display_name": row.display_name, "role": row.role,
                   "created_at": _iso(row.created_at), "consent_version": row.consent_version,
                   "consented_at": _iso(row.consented_at), "exported_at": _iso(utcnow())}
        zf.writestr("account.json", json.dumps(account, indent=2))
        if user.role == "clinician":
            links = [{k: _iso(v) for k, v in vars(li).items()} for li in links_of_clinician(user.id, db)]
            zf.writestr("clinician_links.json", json.dumps(links, indent=2, default=str))
            zf.close()
            return buf.getvalue()
        aid = user.athlete_id
        athlete = s.get(Athlete, aid)
        zf.writestr("athlete.json", json.dumps({"name": athlete.name, "sex": athlete.sex,
                                                "birth_year": athlete.birth_year,
                                                "created_at": _iso(athlete.created_at)}, indent=2))
        for model, folder in ((Intake, "intakes"), (Assessment, "assessments"), (GaitAnalysis, "gait"),
                              (Plan, "plans")):
            for r in s.scalars(select(model).where(model.athlete_id == aid).order_by(model.id)):
                zf.writestr(f"{folder}/{r.id}.json", json.dumps(
                    {"id": r.id, "created_at": _iso(r.created_at), "document": r.document}, indent=2, default=str))
        diary = [{c: _iso(getattr(r, c)) for c in ("date", "pain_during", "pain_after", "pain_next_morning",
                                                    "location", "note")}
                 for r in s.scalars(select(DiaryEntry).where(DiaryEntry.athlete_id == aid).order_by(DiaryEntry.date))]
        zf.writestr("diary.csv", _csv(diary))
        acts = [{c: _iso(getattr(r, c)) for c in ("start_time", "sport", "is_run", "distance_m", "duration_s",
                                                   "moving_time_s", "elevation_gain_m", "avg_hr", "max_hr", "rpe",
                                                   "source_format", "source_name")}
                for r in s.scalars(select(Activity).where(Activity.athlete_id == aid).order_by(Activity.start_time))]
        zf.writestr("activities.csv", _csv(acts))
        logs = [{"plan_id": r.plan_id, "date": _iso(r.date), "exercise_id": r.exercise_id, "sets": r.sets,
                 "pain": r.pain}
                for r in s.scalars(select(PlanLog).join(Plan).where(Plan.athlete_id == aid).order_by(PlanLog.date))]
        zf.writestr("plan_log.csv", _csv(logs))
        bundle = fhir_bundle(athlete.name)
        if bundle is not None:
            zf.writestr("fhir-bundle.json", json.dumps(bundle, indent=2, default=str))
        for f in s.scalars(select(StoredFile).where(StoredFile.athlete_id == aid, StoredFile.deleted_at.is_(None))):
            path = files.path_of(f.stored_name)
            if path.is_file():
                zf.write(path, f"files/{f.id}-{f.original_name}")
        trail = [{"at": _iso(e.at), "who": f"{e.actor_role or '?'} #{e.actor_user_id}", "action": e.action,
                  "target": e.target or "", "ip": e.ip or ""}
                 for e in audit.events_for_athlete(s, aid, limit=100_000)]
        zf.writestr("access_log.csv", _csv(trail))
    with _db(db).session() as s:
        audit.record(s, audit.Actor(user.id, user.role, actor_ip), "export", aid)
    return buf.getvalue()


def fhir_bundle(athlete_name: str) -> dict | None:
    """The athlete's FHIR R4 bundle (intake, pain scores, gait metrics, plan), built from their latest plan
    exactly as `hipcheck plan --fhir` writes it; None while they have no plan."""
    from ..knowledge import get_knowledge
    from ..report.fhir import bundle_json
    from . import plan as plan_service

    try:
        result = plan_service.current_plan(athlete_name)
    except InputError:
        return None
    return json.loads(bundle_json(result.document, result.record, get_knowledge()))


def delete_account(user: UserInfo, password: str, db: store.Database | None = None,
                   actor_ip: str | None = None) -> None:
    """Remove the account and everything kept for it: the athlete's rows (cascading to every record),
    uploaded and derived files on disk, sessions, jobs and links. The audit trail keeps a tombstone."""
    doomed: list[str] = []
    with _db(db).session() as s:
        row = s.get(User, user.id)
        if row is None or not _verify(row.password_hash, password or ""):
            raise InputError("password: that is not your current password; nothing was deleted")
        aid = row.athlete_id
        s.delete(row)  # cascades: sessions, the clinician's links
        s.flush()
        if aid is not None:
            doomed = files.stored_names_of(s, aid)
            s.execute(delete(Job).where(Job.athlete_id == aid))
            s.delete(s.get(Athlete, aid))  # cascades: intakes, assessments, activities, diary, gait, plans...
        audit.record(s, audit.Actor(user.id, user.role, actor_ip), "account_deleted", aid,
                     None if aid is not None else f"clinician:{user.id}")
    for name in doomed:  # after the commit: a failed deletion must not leave rows pointing at nothing
        files.remove_bytes(name)


def count_users(db: store.Database | None = None) -> int:
    with _db(db).session() as s:
        return s.scalar(select(func.count()).select_from(User)) or 0


def demo_enabled() -> bool:
    return os.environ.get("HIPCHECK_DEMO", "") not in ("", "0", "false", "no")
