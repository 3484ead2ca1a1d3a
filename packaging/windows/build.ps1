# Builds the Windows installer of Rectify Desktop on a Windows 10/11 x64 machine (or the GitHub Windows runner):
#
#     powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Python py] [-PythonArgs -3.11]
#
# 1. a build venv (build\windows\venv) with the project and PyInstaller (pip install .[packaging]);
# 2. the icon (build\windows\rectify-desktop.ico, rendered from resources\icons\rectify-desktop.svg with Qt);
# 3. PyInstaller (packaging\rectify-desktop.spec) -> build\windows\dist\rectify-desktop;
# 4. rectify-desktop-cli.exe self-test against the frozen program: the build stops on any failure;
# 5. makensis packaging\windows\installer.nsi -> dist\rectify-desktop-<version>-setup.exe.
#
# Needs Python 3.10+ (x64, python.org or the Python launcher) with access to PyPI, and NSIS 3 (makensis on the
# PATH, or in Program Files (x86)\NSIS; "choco install nsis" or "winget install NSIS.NSIS").
# This file is kept to ASCII: Windows PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code page.
param(
    [string]$Python = "python",
    [string[]]$PythonArgs = @()
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
$BuildDir = Join-Path $Root "build\windows"
$Venv = Join-Path $BuildDir "venv"
$VenvPy = Join-Path $Venv "Scripts\python.exe"
$Dist = Join-Path $BuildDir "dist\rectify-desktop"
$OutDir = Join-Path $Root "dist"

function Invoke-Checked {
    param([string]$What, [scriptblock]$Command)
    Write-Host "== $What"
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

$init = Get-Content -Raw -Encoding UTF8 (Join-Path $Root "rectify_desktop\__init__.py")
if ($init -notmatch '(?m)^__version__ = "([^"]+)"') { throw "__version__ not found in rectify_desktop\__init__.py" }
$Version = $Matches[1]
$Numbers = @([regex]::Matches($Version, '\d+') | ForEach-Object { $_.Value }) + @("0", "0", "0", "0")
$Version4 = ($Numbers[0..3] -join ".")
$Installer = Join-Path $OutDir "rectify-desktop-$Version-setup.exe"
Write-Host "Rectify Desktop $Version -> $Installer"

New-Item -ItemType Directory -Force -Path $BuildDir, $OutDir | Out-Null
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
Invoke-Checked "1/5 build venv" { & $Python @PythonArgs -m venv $Venv }
Invoke-Checked "pip" { & $VenvPy -m pip install -q --disable-pip-version-check --upgrade pip }
Invoke-Checked "install the project" { & $VenvPy -m pip install -q --disable-pip-version-check "$Root[packaging]" }

$Ico = Join-Path $BuildDir "rectify-desktop.ico"
Invoke-Checked "2/5 icon" {
    & $VenvPy (Join-Path $Root "packaging\render_icon.py") (Join-Path $Root "resources\icons\rectify-desktop.svg") $Ico 256
}

$env:RECTIFY_ICON_ICO = $Ico
if (Test-Path (Join-Path $BuildDir "dist")) { Remove-Item -Recurse -Force (Join-Path $BuildDir "dist") }
Push-Location $Root
try {
    Invoke-Checked "3/5 PyInstaller" {
        & (Join-Path $Venv "Scripts\pyinstaller.exe") --noconfirm --clean --log-level WARN `
            --distpath (Join-Path $BuildDir "dist") --workpath (Join-Path $BuildDir "work") packaging\rectify-desktop.spec
    }
} finally {
    Pop-Location
}

# The console twin prints the checks; UTF-8 so that the log shows the Chinese text.
$env:PYTHONIOENCODING = "utf-8"
Invoke-Checked "4/5 self-test of the frozen program" { & (Join-Path $Dist "rectify-desktop-cli.exe") self-test }

$Makensis = Get-Command makensis -ErrorAction SilentlyContinue
if ($Makensis) { $Makensis = $Makensis.Source } else {
    $Makensis = @("${env:ProgramFiles(x86)}\NSIS\makensis.exe", "$env:ProgramFiles\NSIS\makensis.exe") |
        Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $Makensis) { throw "makensis not found: install NSIS 3 (choco install nsis)" }
Invoke-Checked "5/5 makensis" {
    & $Makensis /V3 /INPUTCHARSET UTF8 "/DVERSION=$Version" "/DVERSION4=$Version4" "/DSOURCE_DIR=$Dist" `
        "/DAPP_ICON=$Ico" "/DOUT_FILE=$Installer" (Join-Path $PSScriptRoot "installer.nsi")
}

$size = (Get-Item $Installer).Length / 1MB
$folder = (Get-ChildItem -Recurse -File $Dist | Measure-Object -Sum Length).Sum / 1MB
Write-Host ("Installer: {0} ({1:N1} MB); program folder {2:N1} MB" -f $Installer, $size, $folder)
