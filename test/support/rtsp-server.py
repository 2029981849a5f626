#!/usr/bin/python3
"""Minimal GStreamer RTSP server used by the integration tests.

Serves a live H.264 test pattern (a bouncing ball) at
rtsp://127.0.0.1:PORT/PATH, optionally behind HTTP-style basic auth.

Must be run with the system interpreter (/usr/bin/python3): it needs the
Debian python3-gi bindings and gir1.2-gst-rtsp-server-1.0, which other
Python installs on PATH (pyenv etc.) do not see.

Once the server socket is bound it prints exactly one line,
``READY rtsp://127.0.0.1:PORT/PATH``, to stdout. It exits cleanly on
SIGTERM/SIGINT, and with --exit-on-stdin-eof also when stdin reaches EOF, so
that it cannot outlive a parent that died without stopping it (the TS harness
passes the flag and keeps stdin open as a pipe for exactly this reason).
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

HOST = "127.0.0.1"
# Role name bound to the basic-auth credentials and granted by the factory.
ROLE = "tester"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # GstRTSPServer cannot report the port it picked for service "0", so the
    # caller has to choose a free port itself.
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/test")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="quit when stdin is closed (i.e. the parent process went away)",
    )
    args = parser.parse_args()

    if args.port <= 0 or args.port > 65535:
        parser.error("--port must be in 1..65535 (0 is not supported)")
    if not args.path.startswith("/"):
        args.path = "/" + args.path
    if (args.user is None) != (args.password is None):
        parser.error("--user and --password must be given together")
    for name in ("width", "height", "fps"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    return args


def build_launch(width: int, height: int, fps: int) -> str:
    # format=I420 keeps x264enc on a 4:2:0 profile that every decoder accepts.
    # key-int-max=fps gives a keyframe every second, so a client that joins the
    # shared stream mid-way decodes its first frame quickly.
    return (
        "( videotestsrc is-live=true pattern=ball"
        f" ! video/x-raw,format=I420,width={width},height={height},framerate={fps}/1"
        f" ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps}"
        " ! rtph264pay name=pay0 pt=96 )"
    )


def setup_auth(server, factory, user: str, password: str) -> None:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, ROLE)
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)

    # RTSPMediaFactory.add_role() is variadic and not usable from Python, so
    # build the permissions from a structure instead.
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_role_from_structure(
        Gst.Structure.new_from_string(
            f"{ROLE}"
            f", {GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS}=(boolean)true"
            f", {GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT}=(boolean)true"
        )
    )
    factory.set_permissions(permissions)


def main() -> int:
    args = parse_args()
    Gst.init(None)

    server = GstRtspServer.RTSPServer()
    server.set_address(HOST)
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(build_launch(args.width, args.height, args.fps))
    # One pipeline for all clients: cheaper, and mirrors a real camera.
    factory.set_shared(True)
    if args.user is not None:
        setup_auth(server, factory, args.user, args.password)
    server.get_mount_points().add_factory(args.path, factory)

    loop = GLib.MainLoop()

    # attach() binds the listening socket synchronously; 0 means it failed
    # (typically the port was taken between the caller probing it and now).
    if server.attach(None) == 0:
        print(f"rtsp-server: failed to listen on {HOST}:{args.port}", file=sys.stderr)
        return 1

    def quit_loop(*_args) -> bool:
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit_loop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, quit_loop)

    def on_stdin(fd: int, _condition) -> bool:
        # EOF (or error/hangup) on stdin means the parent is gone.
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if data:
            return GLib.SOURCE_CONTINUE
        return quit_loop()

    if args.exit_on_stdin_eof:
        GLib.unix_fd_add_full(
            GLib.PRIORITY_DEFAULT,
            sys.stdin.fileno(),
            GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
            on_stdin,
        )

    print(f"READY rtsp://{HOST}:{args.port}{args.path}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
