"""The wire: how a request to ECS is signed and sent, exports of any request, and a local endpoint.

    from ecs_snap_lab.wire import serve          # the local endpoint (ecs_snap_lab.wire.server.serve)
    from ecs_snap_lab.wire import wsgi_app       # the same endpoint for any WSGI server (ecs_snap_lab.wire.wsgi)
    from ecs_snap_lab.wire import exports, signature, v3

Stdlib only; nothing here is imported by `import ecs_snap_lab`, and the server is imported on first use of `serve`
or `wsgi_app`.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "serve":
        from .server import serve

        return serve
    if name == "wsgi_app":
        from .wsgi import wsgi_app

        return wsgi_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
