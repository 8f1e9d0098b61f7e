; Inno Setup 6 script: a per-user installer for the one-folder app, no administrator rights.
; Compiled by `python packaging/build.py --installer`, which passes /DSourceDir=dist\evidence-desk.
#ifndef SourceDir
  #define SourceDir "..\..\dist\evidence-desk"
#endif

[Setup]
AppId={{B419C009-D6B1-42C1-905B-E922A087386F}
AppName=Evidence Desk
AppVerName=Evidence Desk 证据台
AppVersion=0.1.0
AppPublisher=Evidence Desk
; Per user: installs under %LOCALAPPDATA%\Programs and never asks for elevation.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={localappdata}\Programs\Evidence Desk
DefaultGroupName=Evidence Desk
DisableProgramGroupPage=yes
OutputBaseFilename=evidence-desk-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\evidence-desk.exe

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{userprograms}\Evidence Desk"; Filename: "{app}\evidence-desk.exe"
Name: "{userdesktop}\Evidence Desk"; Filename: "{app}\evidence-desk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\evidence-desk.exe"; Description: "Open Evidence Desk"; Flags: nowait postinstall skipifsilent
