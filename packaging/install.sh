#!/bin/sh
# Install zcmask from this offline bundle, without any network access.
#   ./install.sh                # into ~/zcmask-env
#   ./install.sh /opt/zcmask    # into another folder
# PYTHON=/usr/bin/python3.11 ./install.sh   picks the interpreter.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-"$HOME/zcmask-env"}
py=${PYTHON:-python3}

if ! command -v "$py" >/dev/null 2>&1; then
    echo "找不到 $py：请先安装 Python $(cat "$here/PYTHON_VERSION")。" >&2
    exit 1
fi
want=$(cat "$here/PYTHON_VERSION")
have=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$want" != "$have" ]; then
    echo "本安装包是为 Python $want 制作的，这台电脑的 $py 是 Python $have。" >&2
    echo "请用 PYTHON=python$want ./install.sh 指定解释器，或在 Python $have 的电脑上重新制作安装包（make wheelhouse）。" >&2
    exit 1
fi

echo "正在安装到 $dest（不联网）……"
"$py" -m venv "$dest"
# Ignore any pip configuration of this machine (index URLs, proxies): only the bundled wheels count.
PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$dest/bin/python" -m pip install --no-index --find-links "$here/wheels" -q "zcmask[web]"
"$dest/bin/zcmask" --version
echo "安装完成。以后每次打开终端先运行：. $dest/bin/activate"
