<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Chinese for the strings of Qt's own dialogs that Qt's qtbase_zh_CN.qm (6.x) does not translate: Qt 6 gave the
     file dialog's labels mnemonics and split its messages, and the shipped translation still has the old texts.
     Wording follows qtbase_zh_CN's own (文件名称(&N)：, 查找范围：). Compiled with pyside6-lrelease into
     rectify_zh_CN.qm, which ui/app.py loads after Qt's own. -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 已存在。</translation>
    </message>
    <message>
        <source>Do you want to replace it?</source>
        <translation>您想要替换它吗？</translation>
    </message>
    <message>
        <source>Directory not found.</source>
        <translation>目录未找到。</translation>
    </message>
    <message>
        <source>Please verify the correct directory name was given.</source>
        <translation>请检查指定的目录名是否正确。</translation>
    </message>
    <message>
        <source>File not found.</source>
        <translation>文件未找到。</translation>
    </message>
    <message>
        <source>Please verify the correct file name was given.</source>
        <translation>请检查指定的文件名是否正确。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is write protected.</source>
        <translation>“%1”已被写入保护。</translation>
    </message>
    <message>
        <source>Do you want to delete it anyway?</source>
        <translation>您仍然想要删除它吗？</translation>
    </message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message>
        <source>Drive</source>
        <translation>驱动器</translation>
    </message>
    <message>
        <source>Folder</source>
        <comment>All other platforms</comment>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Folder</source>
        <comment>Match OS X Finder</comment>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
</context>
</TS>
