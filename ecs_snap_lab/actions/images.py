"""CreateImage and DeleteImage: a custom image from an accomplished system-disk snapshot."""

from __future__ import annotations

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
        f"{snapshot_id} is {snap.status.value} ({snap.progress_at(world.now)}%)",
        "SnapshotId",
    )
    call.expect(
        snap.disk_type is DiskType.SYSTEM,
        "Snapshot.of_system_disk",
        f"{snapshot_id} is a snapshot of a data disk",
        "SnapshotId",
    )
    if replay := call.replayed():
        return replay
    image = world.add_image(snap, call.opt("ImageName"))
    call.passed("Effect", f"{image.image_id} made from {snapshot_id}; its Usage is now {snap.usage}")
    return call.remember({"ImageId": image.image_id})


@action("DeleteImage", "RegionId", "ImageId")
def delete_image(call: Call) -> dict:
    """Delete a custom image, which frees its snapshot for DeleteSnapshot."""
    image_id = call.params["ImageId"]
    image = find_image(call, image_id)
    call.expect(not image.public, "Image.own", f"{image_id} is a public image", "ImageId")
    call.world.remove_image(image)
    call.passed("Effect", f"{image_id} deleted")
    return {}
