"""The data model, one module per aggregate. Importing this package registers every table."""
from server.models.alerts import Alert, AlertChoice
from server.models.audit import AuditEvent
from server.models.people import Membership, Passkey, PasskeyChallenge, RecoveryCode, StaffInvitation, User, UserSession
from server.models.placements import AttendanceRecord, ParentProgressReport, Placement, PlacementStaff
from server.models.providers import EvidenceFile, Provider, ProviderEvidence, ProviderReport, RiskAssessment
from server.models.pupils import Pupil
from server.models.schools import InsetDay, KeyContact, School, TermPeriod, Trust
from server.models.tracking import ChangeCounter
from server.models.visits import (ConcernNote, FollowUpAction, Photo, PhotoUploadPart, SafeguardingConcern,
                                  Visit, VisitVersion)

__all__ = [
    "Alert", "AlertChoice", "AttendanceRecord", "AuditEvent", "ChangeCounter", "ConcernNote", "EvidenceFile", "FollowUpAction", "InsetDay",
    "KeyContact", "Membership", "ParentProgressReport", "Passkey", "PasskeyChallenge", "Photo", "PhotoUploadPart",
    "Placement", "PlacementStaff", "Provider", "ProviderEvidence", "ProviderReport", "Pupil", "RecoveryCode",
    "RiskAssessment", "SafeguardingConcern", "School", "StaffInvitation", "TermPeriod",
    "Trust", "User", "UserSession", "Visit", "VisitVersion",
]
