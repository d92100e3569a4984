#!/usr/bin/env bash
# 述职报告 kit：一条命令完成安装并运行（Debian/Ubuntu，Python ≥ 3.11）。
#   bash run.sh build   首次会自动安装；批量生成 params/ 里全部同志的报告、审阅页和汇编
#   bash run.sh test    首次会自动安装（含测试用的 LibreOffice、Chromium、中文字体）；运行全部测试
#   bash run.sh hub     首次会自动安装（含 JupyterHub 的代理程序）；在工作文件夹里运行县级服务器（kit hub）
# 其余参数原样交给 kit build 或 pytest，例如：bash run.sh test -m "not slow"
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${KIT_VENV:-.venv}
SYSTEM_PACKAGES="libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-arphic-ukai poppler-utils chromium pandoc libicu-dev pkg-config unicode-data"

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

setup_python() {  # $1: pip extra ("" or "[test]")
    if [ ! -x "$VENV/bin/python" ]; then
        say "创建 Python 虚拟环境 $VENV …"
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the dependency list changed: repeat runs start at once.
    stamp="$VENV/.kit-installed-$(cat pyproject.toml | sha1sum | cut -c1-12)$1"
    if [ ! -f "$stamp" ]; then
        say "安装依赖（首次需要几分钟）…"
        log="$VENV/pip-install.log"
        if ! { "$VENV/bin/python" -m pip install -q --upgrade pip &&
               "$VENV/bin/python" -m pip install -q -e ".$1"; } >"$log" 2>&1; then
            cat "$log" >&2
            say "安装依赖失败（详情见上方，或 $log）。请检查网络后重试。"
            exit 1
        fi
        touch "$stamp"
    fi
}

setup_system() {  # LibreOffice (PDF), fonts, poppler (PDF checks), Chromium (form tests), pandoc (.docx reader tests)
    missing=""
    command -v soffice >/dev/null || missing="yes"
    # Calc (collection workbooks round trip) is a separate package from Writer.
    if command -v dpkg-query >/dev/null && ! dpkg-query -W libreoffice-calc-nogui >/dev/null 2>&1 \
        && ! dpkg-query -W libreoffice-calc >/dev/null 2>&1; then missing="yes"; fi
    command -v pdftotext >/dev/null || missing="yes"
    command -v chromium >/dev/null || missing="yes"
    command -v pandoc >/dev/null || missing="yes"
    # Not `fc-list | grep -q`: with pipefail, grep's early exit fails fc-list (SIGPIPE).
    fonts=$(fc-list 2>/dev/null || true)
    grep -q "Noto Serif CJK" <<<"$fonts" || missing="yes"
    grep -q "UKai" <<<"$fonts" || missing="yes"
    [ -z "$missing" ] && return 0
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if ! command -v apt-get >/dev/null; then
        say "未找到 apt-get：请手动安装 $SYSTEM_PACKAGES"
        return 0
    fi
    say "安装 LibreOffice、中文字体、Chromium、pandoc（首次需要几分钟）…"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        $SYSTEM_PACKAGES >/dev/null
}

setup_icu() {  # PyICU is built against the system's ICU; Unihan gives stroke counts (汇编 order)
    pkg-config --exists icu-i18n 2>/dev/null &&
        [ -f /usr/share/unicode/Unihan_IRGSources.txt.bz2 ] && return 0
    command -v apt-get >/dev/null || { say "请手动安装 libicu-dev pkg-config unicode-data"; return 0; }
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "安装 ICU 和汉字笔画数据…"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libicu-dev pkg-config unicode-data >/dev/null
}

setup_proxy() {  # JupyterHub's proxy (kit hub and its tests): configurable-http-proxy, from npm
    command -v configurable-http-proxy >/dev/null && return 0
    if ! command -v npm >/dev/null; then
        say "未找到 npm：kit hub 需要 Node.js 和 npm（Debian/Ubuntu：apt-get install nodejs npm）。"
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "安装 JupyterHub 的代理程序 configurable-http-proxy …"
    $sudo npm install -g --silent configurable-http-proxy >/dev/null 2>&1 || true
    if ! command -v configurable-http-proxy >/dev/null; then
        say "安装 configurable-http-proxy 失败。请检查网络后重试，或手动运行：npm install -g configurable-http-proxy"
        exit 1
    fi
}

cmd=${1:-build}
shift || true
case "$cmd" in
    build)
        setup_icu
        setup_python ""
        pdf=""
        command -v soffice >/dev/null && pdf="--pdf"
        exec "$VENV/bin/kit" build params -o build $pdf "$@"
        ;;
    test)
        setup_icu
        setup_python "[test]"
        setup_system
        setup_proxy
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy"  # kit/, configured in pyproject.toml [tool.mypy]
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    hub)
        setup_icu
        setup_python ""
        setup_proxy
        exec "$VENV/bin/kit" hub "$@"
        ;;
    *)
        echo "用法：bash run.sh build | test | hub" >&2
        exit 2
        ;;
esac
