"""CreateImage and DeleteImage: a custom image from an accomplished system-disk snapshot."""

from __future__ import annotations

from ..i18n import _
from ..model.resources import DiskType, SnapshotStatus
from .base import Call, action
from .finders import find_image, find_snapshot


@action("CreateImage", "RegionId", "SnapshotId", known=("ImageName", "ClientToken"))
def create_image(call: Call) -> dict:
    """A custom image from a snapshot. Refused while the snapshot is still being created (the seed)."""
    world = call.world
    snapshot_id = call.params["SnapshotId"]
    snap = find_snapshot(call, snapshot_id)
    call.expect(
        snap.status is SnapshotStatus.ACCOMPLISHED,
        "Snapshot.accomplished",
        _("{snapshot_id} is {value} ({progress_at}%)").format(
            snapshot_id=snapshot_id, value=snap.status.value, progress_at=snap.progress_at(world.now)
        ),
        "SnapshotId",
    )
    call.expect(
        snap.disk_type is DiskType.SYSTEM,
        "Snapshot.of_system_disk",
        _("{snapshot_id} is a snapshot of a data disk").format(snapshot_id=snapshot_id),
        "SnapshotId",
    )
    if replay := call.replayed():
        return replay
    image = world.add_image(snap, call.opt("ImageName"))
    call.passed(
        "Effect",
        _("{image_id} made from {snapshot_id}; its Usage is now {usage}").format(
            image_id=image.image_id, snapshot_id=snapshot_id, usage=snap.usage
        ),
    )
    return call.remember({"ImageId": image.image_id})


@action("DeleteImage", "RegionId", "ImageId")
def delete_image(call: Call) -> dict:
    """Delete a custom image, which frees its snapshot for DeleteSnapshot."""
    image_id = call.params["ImageId"]
    image = find_image(call, image_id)
    call.expect(not image.public, "Image.own", _("{image_id} is a public image").format(image_id=image_id), "ImageId")
    call.world.remove_image(image)
    call.passed("Effect", _("{image_id} deleted").format(image_id=image_id))
    return {}
