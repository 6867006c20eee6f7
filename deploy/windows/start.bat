@echo off
rem 卡盟安全助手（CardGuard）Windows 启动脚本：双击运行，或在 PowerShell / cmd 里运行 deploy\windows\start.bat
rem 第一次会建 .venv、安装依赖；之后每次都会检查更新过的依赖，再启动机器人。
rem 机器人意外退出时 5 秒后自动重启；设置写错（退出码 2）或按 Ctrl+C 正常退出时不重启。
chcp 65001 >nul
setlocal
cd /d "%~dp0..\.."
if not exist ".venv\Scripts\python.exe" (
    echo 第一次运行：正在建 .venv ...
    py -3 -m venv .venv 2>nul || python -m venv .venv
    if errorlevel 1 (
        echo 没找到 Python 3.10 或更新版本：请先从 https://www.python.org/downloads/ 安装，安装时勾选 Add python.exe to PATH
        pause
        exit /b 1
    )
)
".venv\Scripts\python.exe" -m pip install -q --disable-pip-version-check -e .
if errorlevel 1 (
    echo 安装依赖失败：检查网络后再运行一次
    pause
    exit /b 1
)
:run
".venv\Scripts\python.exe" bot.py
set code=%errorlevel%
if "%code%"=="0" exit /b 0
if "%code%"=="2" (
    echo 设置有误：按上面的提示改好 .env 再运行
    pause
    exit /b 2
)
echo 机器人意外退出（退出码 %code%），5 秒后重启；要停止就关掉这个窗口
timeout /t 5 /nobreak >nul
goto run
