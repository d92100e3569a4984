#!/usr/bin/env bash
# 述职报告 kit：一条命令完成安装并运行（Debian/Ubuntu，Python ≥ 3.11）。
#   bash run.sh build   首次会自动安装；批量生成 params/ 里全部同志的报告、审阅页和汇编
#   bash run.sh test    首次会自动安装（含测试用的 LibreOffice、Chromium、中文字体）；运行全部测试
#   bash run.sh hub     首次会自动安装（含 JupyterHub 的代理程序）；在本机运行县级填报服务器（kit hub）
# 其余参数原样交给 kit build 或 pytest，例如：bash run.sh test -m "not slow"
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${KIT_VENV:-.venv}

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

# System needs, one a line: Debian packages (any one will do) | what it provides, which also
# counts as installed (cmd:NAME, file:PATH, font:FAMILY or py:MODULE of $PYTHON) | what it
# is for, in Chinese.  A package that dpkg knows but has removed prints "not-installed":
# only "installed" counts.
BUILD_NEEDS="python3-venv|py:ensurepip|Python 虚拟环境（venv）
unicode-data|file:/usr/share/unicode/Unihan_IRGSources.txt.bz2|汉字笔画数据（汇编按姓氏笔画排序）"
TEST_NEEDS="$BUILD_NEEDS
libreoffice-writer-nogui libreoffice-writer|file:/usr/lib/libreoffice/program/libswlo.so|LibreOffice Writer（生成 PDF）
libreoffice-calc-nogui libreoffice-calc|file:/usr/lib/libreoffice/program/libsclo.so|LibreOffice Calc（名册表格往返测试）
fonts-noto-cjk|font:Noto Serif CJK|Noto 中文字体（公文版式）
fonts-arphic-ukai|font:AR PL UKai|文鼎楷体（公文版式）
poppler-utils|cmd:pdftotext|poppler（核对 PDF）
chromium|file:/usr/bin/chromium|Chromium（表单与审阅页测试）
pandoc|cmd:pandoc|pandoc（读回 .docx 的测试）
npm|cmd:npm|npm（安装 JupyterHub 的代理程序）"
HUB_NEEDS="$BUILD_NEEDS
npm|cmd:npm|npm（安装 JupyterHub 的代理程序）"

provided() {  # $1: cmd:NAME | file:PATH | font:FAMILY
    case "$1" in
        cmd:*) command -v "${1#cmd:}" >/dev/null ;;
        file:*) [ -e "${1#file:}" ] ;;
        # Not `fc-list | grep -q`: with pipefail, grep's early exit fails fc-list (SIGPIPE).
        font:*) grep -qF "${1#font:}" <<<"$(fc-list 2>/dev/null || true)" ;;
        py:*) "$PYTHON" -c "import ${1#py:}" 2>/dev/null ;;
    esac
}

installed() {  # $1: one line of *_NEEDS
    local packages=${1%%|*} rest=${1#*|} p
    for p in $packages; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] &&
            return 0
    done
    provided "${rest%%|*}"
}

missing() {  # $1: *_NEEDS; prints the lines not installed
    local line
    while IFS= read -r line; do
        installed "$line" || printf '%s\n' "$line"
    done <<<"$1"
}

setup_system() {  # $1: *_NEEDS
    local lack packages line p
    lack=$(missing "$1")
    [ -z "$lack" ] && return 0
    # The first package of each line not installed.
    packages=$(while IFS= read -r line; do p=${line%%|*}; printf '%s ' "${p%% *}"; done <<<"$lack")
    if command -v apt-get >/dev/null; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        say "安装系统软件包：$packages（首次需要几分钟）…"
        log=$(mktemp)
        if ! { $sudo apt-get update -qq &&
               DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages; } \
               </dev/null >"$log" 2>&1; then
            cat "$log" >&2
        fi
        rm -f "$log"
        lack=$(missing "$1")  # verify: apt-get may have succeeded without installing all
        [ -z "$lack" ] && return 0
    fi
    say "以下系统软件仍未安装，无法继续："
    while IFS= read -r line; do
        p=${line%%|*}
        say "  · ${line##*|}：请安装软件包 ${p%% *}"
    done <<<"$lack"
    say "在 Debian/Ubuntu 上：sudo apt-get install $packages"
    exit 1
}

setup_proxy() {  # JupyterHub's proxy (kit hub and its tests): configurable-http-proxy, from npm
    command -v configurable-http-proxy >/dev/null && return 0
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "安装 JupyterHub 的代理程序 configurable-http-proxy …"
    $sudo npm install -g --silent configurable-http-proxy </dev/null >/dev/null 2>&1 || true
    if ! command -v configurable-http-proxy >/dev/null; then  # verify, as for the packages
        say "安装 configurable-http-proxy 失败。请检查网络后重试，或手动运行：sudo npm install -g configurable-http-proxy"
        exit 1
    fi
}

setup_python() {  # $1: pip extra ("" or "[test]")
    if [ ! -x "$VENV/bin/python" ]; then
        say "创建 Python 虚拟环境 $VENV …"
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the dependency list changed: repeat runs start at once.
    stamp="$VENV/.kit-installed-$(sha1sum <pyproject.toml | cut -c1-12)$1"
    if [ ! -f "$stamp" ]; then
        say "安装依赖（首次需要几分钟）…"
        log="$VENV/pip-install.log"
        # PyICU (built from source) gave way to pyicu-wheels: both install the module icu.
        if "$VENV/bin/python" -m pip show -q PyICU >/dev/null 2>&1; then
            "$VENV/bin/python" -m pip uninstall -y -q PyICU pyicu-wheels >/dev/null 2>&1 || true
        fi
        if ! { "$VENV/bin/python" -m pip install -q --upgrade pip &&
               "$VENV/bin/python" -m pip install -q -e ".$1"; } </dev/null >"$log" 2>&1; then
            cat "$log" >&2
            say "安装依赖失败（详情见上方，或 $log）。请检查网络后重试。"
            exit 1
        fi
        touch "$stamp"
    fi
}

cmd=${1:-build}
shift || true
case "$cmd" in
    build)
        setup_system "$BUILD_NEEDS"
        setup_python ""
        pdf=""
        command -v soffice >/dev/null && pdf="--pdf"
        exec "$VENV/bin/kit" build params -o build $pdf "$@"
        ;;
    test)
        setup_system "$TEST_NEEDS"
        setup_proxy
        setup_python "[test]"
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy"  # kit/, configured in pyproject.toml [tool.mypy]
        # Every system tool is checked above: a test skipped for want of one fails.
        KIT_TESTS_REQUIRE_TOOLS=1 exec "$VENV/bin/python" -m pytest "$@"
        ;;
    hub)
        setup_system "$HUB_NEEDS"
        setup_proxy
        setup_python ""
        exec "$VENV/bin/kit" hub "$@"
        ;;
    *)
        echo "用法：bash run.sh build | test | hub" >&2
        exit 2
        ;;
esac
