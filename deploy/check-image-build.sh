#!/usr/bin/env bash
# Checks the image recipe without a container builder (base images cannot always be pulled):
# runs the build stage's script on a clean export of HEAD in a scratch directory, then what
# the final stage relies on: the installed cordon, run as a non-root user, with no compiler
# and no source tree, answers doctor and sandboxes a command.
# Not checked here: the base images themselves, COPY --from, USER, and the image's size.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d /tmp/cordon-image-check-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/src"
git -C "$repo" archive HEAD | tar -x -C "$scratch/src"
bash "$scratch/src/deploy/image-build.sh" "$scratch/src" "$scratch/opt-cordon" >"$scratch/build.log" 2>&1 || { tail -30 "$scratch/build.log"; exit 1; }
# The final stage has the installed prefix only.
rm -rf "$scratch/src"
chmod -R a+rX "$scratch"
mkdir -m 0777 "$scratch/work"
bin=$(mktemp -d "$scratch/bin-XXXX")
ln -s "$(command -v node)" "$bin/node"
ln -s /bin/sh "$bin/sh"
run() { su nobody -s /bin/sh -c "cd $scratch/work && PATH=$scratch/opt-cordon/bin:$bin:/usr/bin:/bin $*"; }
run "cordon doctor" | head -5
out=$(run "cordon run -- sh -c 'echo inside; cat /etc/hostname >/dev/null; touch $scratch/escape 2>/dev/null || echo write-refused'")
echo "$out"
[ "$out" = "$(printf 'inside\nwrite-refused')" ]
[ ! -e "$scratch/escape" ]
echo "check-image-build: ok"
