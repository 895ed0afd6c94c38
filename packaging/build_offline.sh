#!/bin/sh
# Build the offline bundle: every wheel zcmask (with its web extra) needs on this machine's
# Python and platform, plus install.sh, packed as zcmask-offline-<version>-linux-x86_64.tar.gz.
#   PYTHON=.venv/bin/python packaging/build_offline.sh [OUTDIR]     (default OUTDIR: dist)
# Needs network access (PyPI); the bundle then installs without it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/dist"}
py=${PYTHON:-python3}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/pyproject.toml" | head -n 1)
name="zcmask-offline-$version"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$name/wheels" "$out"

export PIP_DISABLE_PIP_VERSION_CHECK=1
# The project itself, built once here, so that installing needs no build backend.
"$py" -m pip wheel -q --no-deps -w "$work/$name/wheels" "$root"
whl=$(ls "$work/$name/wheels"/zcmask-*.whl)
# Every dependency as a binary wheel for this interpreter and platform (nothing to compile offline).
"$py" -m pip download -q --only-binary=:all: -d "$work/$name/wheels" "$whl[web]"

cp "$root/packaging/install.sh" "$work/$name/install.sh"
chmod +x "$work/$name/install.sh"
"$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' > "$work/$name/PYTHON_VERSION"
cat > "$work/$name/README.txt" <<TXT
zcmask $version 离线安装包（Python $(cat "$work/$name/PYTHON_VERSION")，64 位 Linux）

  tar xzf $name-linux-x86_64.tar.gz
  cd $name
  ./install.sh                  # 安装到 ~/zcmask-env，全程不联网

之后每次打开终端先运行 . ~/zcmask-env/bin/activate，再使用 zcmask 命令。
用户手册在 docs/guide/ 文件夹（install.md、applicant.md、hr.md、reviewer.md，可用任何文本编辑器打开）；
示例材料在 samples/applicant/，试一试：zcmask mask samples/applicant -o 示例输出 --profile samples/applicant/profile.yaml
TXT
mkdir -p "$work/$name/docs" "$work/$name/samples"
cp -R "$root/docs/guide" "$root/docs/screenshots" "$work/$name/docs/"
cp -R "$root/samples/applicant" "$work/$name/samples/"
(cd "$work/$name/wheels" && sha256sum ./*.whl > ../SHA256SUMS)
tar -czf "$out/$name-linux-x86_64.tar.gz" -C "$work" "$name"
echo "$out/$name-linux-x86_64.tar.gz"
