"""One module per family of actions: params -> checks -> effect -> result. Importing registers them all."""

from ..model.faults import FaultKind
from . import disks, images, instances, policies, snapshots
from .base import ACTIONS, ActionSpec, ApiFailure, Call

__all__ = [
    "ACTIONS",
    "ActionSpec",
    "ApiFailure",
    "Call",
    "FaultKind",
    "disks",
    "images",
    "instances",
    "policies",
    "snapshots",
]
