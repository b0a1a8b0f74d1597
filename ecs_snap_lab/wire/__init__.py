"""The wire: how a request to ECS is signed and sent, exports of any request, and a local endpoint.

`ecs_snap_lab.wire.signature` is stdlib only; nothing here is imported by `import ecs_snap_lab`.
"""
