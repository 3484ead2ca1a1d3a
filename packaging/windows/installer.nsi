; Windows installer of 整改台账 (Rectify Desktop). NSIS 3, Unicode; this file is UTF-8 with a BOM.
;
;   makensis /INPUTCHARSET UTF8 /DVERSION=0.1.0 /DSOURCE_DIR=build\windows\dist\rectify-desktop ^
;            [/DAPP_ICON=build\windows\rectify-desktop.ico] [/DOUT_FILE=dist\rectify-desktop-0.1.0-setup.exe] installer.nsi
;
; build.ps1 fills these in: VERSION from rectify_desktop.__version__, SOURCE_DIR the folder PyInstaller made
; (packaging/rectify-desktop.spec). For all users (Program Files, with administrator rights) or, as an option
; that needs no administrator rights, for the current user only (%LOCALAPPDATA%\Programs); /AllUsers or
; /CurrentUser on the command line chooses without asking, /S installs silently.
; The clerk's ledgers and settings live in the user's own folders and are never touched by the uninstaller.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "VERSION 未定义：makensis /DVERSION=x.y.z"
!endif
!ifndef SOURCE_DIR
  !error "SOURCE_DIR 未定义：makensis /DSOURCE_DIR=PyInstaller 生成的 rectify-desktop 文件夹"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "rectify-desktop-${VERSION}-setup.exe"
!endif
!ifndef VERSION4
  !define VERSION4 "${VERSION}.0"
!endif

!define APP_NAME "整改台账"
!define APP_KEY "RectifyDesktop"
!define PUBLISHER "Rectify Desktop"
!define EXE "rectify-desktop.exe"
!define CLI_EXE "rectify-desktop-cli.exe"
!define PROGID "RectifyDesktop.Ledger"
!define EXT ".zgtz"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_KEY}"
!define SETTINGS_KEY "Software\${APP_KEY}"

Name "${APP_NAME}"
Caption "${APP_NAME} ${VERSION} 安装程序"
UninstallCaption "${APP_NAME} 卸载程序"
OutFile "${OUT_FILE}"
BrandingText "${APP_NAME} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

; --- who: all users (administrator) or only me (no administrator rights) -------------------------------
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${SETTINGS_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${SETTINGS_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!define MULTIUSER_INIT_TEXT_ADMINREQUIRED "安装${APP_NAME}需要管理员权限。"
!define MULTIUSER_INIT_TEXT_POWERREQUIRED "安装${APP_NAME}至少需要 Power Users 权限。"
!define MULTIUSER_INIT_TEXT_ALLUSERSNOTPOSSIBLE "当前账户没有为本机所有用户安装${APP_NAME}的权限，请选择“只为我自己安装”。"

!include MultiUser.nsh
!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh
!include x64.nsh

; --- pages -------------------------------------------------------------------------------------------
!ifdef APP_ICON
  !define MUI_ICON "${APP_ICON}"
  !define MUI_UNICON "${APP_ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_ABORTWARNING_TEXT "确定要退出${APP_NAME}的安装吗？"
!define MUI_WELCOMEPAGE_TITLE "欢迎安装${APP_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "整改台账用于记录巡察、审计、督查反馈问题的整改落实情况：问题清单、整改措施、责任分工、整改进展、佐证材料和销号。$\r$\n$\r$\n本程序无需联网，安装后即可使用、打印和导出。$\r$\n$\r$\n$_CLICK"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "现在运行${APP_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "MIT License"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${APP_NAME}需要 64 位的 Windows 10 或 Windows 11。"
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

; --- install -----------------------------------------------------------------------------------------
Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An earlier version's program files go first, so that no stale module is left beside the new ones.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SOURCE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Start menu and desktop ($SMPROGRAMS and $DESKTOP follow the install mode: all users or only me).
  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "${APP_NAME}"
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "${APP_NAME}"

  ; The ledger file type: *.zgtz opens in the program; ledgers named *.db get it under "打开方式" only.
  ; SHCTX is HKLM for all users and HKCU for only me.
  WriteRegStr SHCTX "Software\Classes\${EXT}" "" "${PROGID}"
  WriteRegStr SHCTX "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}" ""
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "整改台账文件"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${EXE},0"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open" "" "用整改台账打开(&O)"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr SHCTX "Software\Classes\.db\OpenWithProgids" "${PROGID}" ""
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}" "FriendlyAppName" "${APP_NAME}"
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)' ; SHCNE_ASSOCCHANGED

  ; Where and how it was installed, for the next installer and the uninstaller.
  WriteRegStr SHCTX "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${SETTINGS_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${SETTINGS_KEY}" "Version" "${VERSION}"

  ; 应用和功能 / 程序和功能
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

; --- uninstall ---------------------------------------------------------------------------------------
Section "Uninstall"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"

  ; The file type, only where it is still ours.
  ReadRegStr $0 SHCTX "Software\Classes\${EXT}" ""
  ${If} $0 == "${PROGID}"
    DeleteRegValue SHCTX "Software\Classes\${EXT}" ""
  ${EndIf}
  DeleteRegValue SHCTX "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty SHCTX "Software\Classes\${EXT}\OpenWithProgids"
  DeleteRegKey /ifempty SHCTX "Software\Classes\${EXT}"
  DeleteRegValue SHCTX "Software\Classes\.db\OpenWithProgids" "${PROGID}"
  DeleteRegKey SHCTX "Software\Classes\${PROGID}"
  DeleteRegKey SHCTX "Software\Classes\Applications\${EXE}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  DeleteRegKey SHCTX "${UNINST_KEY}"
  DeleteRegKey SHCTX "${SETTINGS_KEY}"

  ; Only the program's own files: anything else in the folder (a ledger saved there by mistake) stays.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
