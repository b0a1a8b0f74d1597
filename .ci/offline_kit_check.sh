#!/usr/bin/env bash
# The offline kit check (run by `make test`): build the kit as `make offline-kit` does (the only step that uses the
# registry), then follow the kit's INSTALL.md in a room with no index: a fresh venv installs 'ecs-snap-lab[lab]' and
# the check extra from the kit alone, `ecs-snap-lab doctor` passes (a real kernel included), and the notebooks
# copied out of the installed wheel by `ecs-snap-lab notebooks` pass strict nbval there, away from this checkout.
# The instructor's answer key, copied out of the wheel by `ecs-snap-lab notebooks --instructor`, is run there too,
# and so are the Chinese notebooks copied by `ecs-snap-lab notebooks --lang zh-CN` (the kit carries a CJK font).
# The stored outputs carry no progress records (see conftest.py), so the kernels run with them off as well.
# pip sees nothing but the kit: --no-index, and no pip configuration or PIP_* variable of this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kit="$work/kit"

PYTHON="$PYTHON" bash offline/build.sh "$kit"
echo "offline kit check: kit built ($((SECONDS - start)) s); installing from it alone"
for variable in $(compgen -e | grep '^PIP_' || true); do
    unset "$variable"
done
export PIP_CONFIG_FILE=/dev/null
"$PYTHON" -m venv "$work/room"
room="$work/room/bin"
"$room/python" -m pip install --quiet --no-index --find-links "$kit" 'ecs-snap-lab[lab]'
"$room/python" -m pip install --quiet --no-index --find-links "$kit" 'ecs-snap-lab[check]'
echo "offline kit check: installed ($((SECONDS - start)) s)"

cd "$work"
"$room/ecs-snap-lab" doctor
"$room/ecs-snap-lab" notebooks "$work/check" --instructor
"$room/ecs-snap-lab" notebooks "$work/check-zh" --lang zh-CN
if ! compgen -G "$kit/fonts/*.ttc" >/dev/null; then
    echo "offline kit check: FAILED: the kit carries no CJK font (fonts/)" >&2
    exit 1
fi
cd "$work/check"
ECS_SNAP_LAB_CHECK_RECORDS=0 "$room/python" -m pytest -p no:cacheprovider --nbval --nbval-current-env \
    --nbval-cell-timeout=120 --nbval-sanitize-with "$kit/nbval_sanitize.cfg" "$work/check" "$work/check-zh"
echo "offline kit check: passed in $((SECONDS - start)) s"
