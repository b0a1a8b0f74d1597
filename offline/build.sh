#!/usr/bin/env bash
# Build the offline kit (`make offline-kit`): a folder of wheels from which a room without internet installs the
# workshop with `pip install --no-index --find-links KIT 'ecs-snap-lab[lab]'`. Building needs the registry.
#
# Usage: offline/build.sh [KIT]   (default dist/offline-kit; an existing kit there is replaced)
# The kit holds: the project's wheel; a wheel of every package binder/requirements.lock pins (the lab extra's whole
# dependency set and the check extra's pytest and nbval, the same versions Binder installs; a package published only
# as source is built into a wheel here, so the room builds nothing); INSTALL.md; nbval_sanitize.cfg for the room check;
# fonts/: the Noto Sans CJK font (SIL Open Font License) and its licence, for a Linux machine with no font that draws
# Chinese (the charts in zh-CN), taken from this machine's fonts-noto-cjk (`make test` installs it).
# Wheels with compiled code (numpy, pandas, matplotlib...) are for this machine's OS, CPU and Python version: PYTHON
# picks the Python the kit is for (default python3), and INSTALL.md says which one it was.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
kit=${1:-dist/offline-kit}
if [ -e "$kit" ] && [ ! -f "$kit/INSTALL.md" ] && [ -n "$(ls -A "$kit" 2>/dev/null)" ]; then
    echo "offline kit: $kit exists and is not a kit; not replacing it" >&2
    exit 2
fi
rm -rf "$kit"
mkdir -p "$kit"
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$kit" -r binder/requirements.lock
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$kit" .
cp tests/nbval_sanitize.cfg "$kit/"
font=${CJK_FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
if [ ! -f "$font" ]; then
    echo "offline kit: no CJK font at $font (apt-get install fonts-noto-cjk, or set CJK_FONT)" >&2
    exit 2
fi
mkdir -p "$kit/fonts"
cp "$font" "$kit/fonts/"
cp /usr/share/doc/fonts-noto-cjk/copyright "$kit/fonts/LICENSE-NotoSansCJK" 2>/dev/null \
    || echo "Noto Sans CJK: SIL Open Font License 1.1, https://github.com/notofonts/noto-cjk" >"$kit/fonts/LICENSE-NotoSansCJK"
target=$("$PYTHON" -c 'import platform, sys, sysconfig; print(f"{platform.python_implementation()} {sys.version_info.major}.{sys.version_info.minor} on {sysconfig.get_platform()}")')
sed "s|@TARGET@|$target|" offline/INSTALL.md >"$kit/INSTALL.md"
wheels=$(find "$kit" -name "*.whl" | wc -l)
echo "offline kit: $kit: $wheels wheels, $(du -sh "$kit" | cut -f1), for $target"
