"""Labels and measures (标签与整改措施) inside one item's text: the labels (整改措施, 整改进展, 责任领导,
责任部门, 整改时限 …) that cut it into fields, and the measures read from 一是/二是 chains, 1. 2. or (1)(2)
lines, or a paragraph of prose, with the progress sentences around them."""

from __future__ import annotations

import re

from rectify_desktop.core.importing import ImportedMeasure
from rectify_desktop.core.rules import cn_number
from rectify_desktop.io.text_words import status_in

# Labels inside an item's text. The first measure label gives the measures; a second one is progress.
_MEASURE_LABELS = ("整改落实情况", "整改情况", "整改措施", "整改举措", "主要措施", "落实情况")
_PROGRESS_LABELS = ("整改进展情况", "整改进展", "进展情况", "完成情况", "整改状态", "整改目标")
# Labels whose value is the item's status, when it states one: they outrank what the measures' text says.
_STATUS_LABELS = ("整改状态", "完成情况", "整改进展情况", "整改进展", "进展情况")
_FIELD_LABELS: dict[str, str] = {
    "责任领导": "leader",
    "牵头领导": "leader",
    "分管领导": "leader",
    "责任部门": "department",
    "责任单位": "department",
    "责任科室": "department",
    "责任股室": "department",
    "牵头单位": "department",
    "牵头部门": "department",
    "具体责任人": "person",
    "责任人": "person",
    "整改时限": "deadline",
    "完成时限": "deadline",
    "整改期限": "deadline",
    "时限要求": "deadline",
}
_ALL_LABELS = sorted((*_MEASURE_LABELS, *_PROGRESS_LABELS, *_FIELD_LABELS), key=len, reverse=True)
_LABEL_RE = re.compile(rf"({'|'.join(_ALL_LABELS)})\s*[:：]")


def _segments(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Text before the first label, and each label with its value, in order."""
    matches = list(_LABEL_RE.finditer(text))
    if not matches:
        return text.strip(), []
    head = text[: matches[0].start()].strip()
    segs = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        segs.append((m.group(1), text[m.end() : end].strip()))
    return head, segs


_PUNCT_BEFORE = set("。；;，,：:、！？!?\n （(")


def _find_marker(text: str, marker: str, start: int) -> int:
    i = text.find(marker, start)
    while i >= 0:
        if i == 0 or text[i - 1] in _PUNCT_BEFORE or text[:i].strip() == "":
            return i
        i = text.find(marker, i + 1)
    return -1


_PROGRESS_START = re.compile(
    r"^(?:目前|截至|现已|该项|该问题|整改进展|进展|已|正在|持续|尚|仍|阶段性|基本完成|部分整改|全部)"
)


def split_measures(value: str) -> tuple[list[ImportedMeasure], str, bool]:
    """ "一是……；二是……。" → the measures, the text around them (lead-in and what follows), and whether
    the text was a chain of 一是/二是 at all."""
    v = value.strip().lstrip("：:，,；; ")
    spots: list[tuple[int, int]] = []
    k, start = 1, 0
    while True:
        marker = cn_number(k) + "是"
        i = _find_marker(v, marker, start)
        if i < 0:
            break
        spots.append((i, len(marker)))
        start = i + len(marker)
        k += 1
    if not spots:
        numbered = _numbered_measures(v)
        if numbered is not None:
            return numbered[0], numbered[1], True
        return _prose_measure(v)
    around = [v[: spots[0][0]].strip()]
    parts = []
    for n, (i, length) in enumerate(spots):
        end = spots[n + 1][0] if n + 1 < len(spots) else len(v)
        parts.append(v[i + length : end])
    last = parts[-1]
    stop = last.find("。")
    if stop >= 0 and last[stop + 1 :].strip() and _PROGRESS_START.match(last[stop + 1 :].strip()):
        around.append(last[stop + 1 :].strip())
        parts[-1] = last[:stop]
    measures = [_measure(t) for t in (_measure_text(p) for p in parts) if t]
    return measures, "\n".join(a for a in around if a), True


_NUMBERED = re.compile(r"(?:^|(?<=[\n。；;，,：:]))\s*(?:(\d{1,2})\s*[.．、](?!\d)|[（(]\s*(\d{1,2})\s*[）)])")


def _numbered_measures(v: str) -> tuple[list[ImportedMeasure], str] | None:
    """ "1.…；2.…" or "(1)…(2)…", inline or one per line → the measures and the text before them; None when
    the numbers do not run 1, 2, 3 …"""
    spots = [m for m in _NUMBERED.finditer(v)]
    if not spots:
        return None
    run: list[re.Match[str]] = []
    for m in spots:
        if int(m.group(1) or m.group(2)) == len(run) + 1:
            run.append(m)
    if not run:
        return None
    parts = [v[m.end() : (run[i + 1].start() if i + 1 < len(run) else len(v))] for i, m in enumerate(run)]
    around = [v[: run[0].start()].strip()]
    last = parts[-1]
    stop = last.find("。")
    if stop >= 0 and last[stop + 1 :].strip() and _PROGRESS_START.match(last[stop + 1 :].strip()):
        around.append(last[stop + 1 :].strip())
        parts[-1] = last[:stop]
    measures = [_measure(t) for t in (_measure_text(p) for p in parts) if t]
    return measures, "\n".join(a for a in around if a)


_STATUS_SENTENCE = re.compile(r"^(?:该问题|该项|目前|截至目前|现已|已经|已|正在|持续|尚|仍)")


def _prose_measure(v: str) -> tuple[list[ImportedMeasure], str, bool]:
    """A paragraph of prose is one measure; a sentence before or after it that only states the status
    ("该问题已完成整改。…", "…。目前已完成。") is the progress."""
    sentences = [x for x in re.split(r"(?<=[。！？!?])", v) if x.strip()]
    around: list[str] = []
    while len(sentences) > 1 and _STATUS_SENTENCE.match(sentences[0].strip()) and status_in(sentences[0]):
        around.append(sentences.pop(0).strip())
    while len(sentences) > 1 and _STATUS_SENTENCE.match(sentences[-1].strip()) and status_in(sentences[-1]):
        around.append(sentences.pop().strip())
    text = _measure_text("".join(sentences))
    return ([_measure(text)] if text else []), "\n".join(around), False


def _measure_text(text: str) -> str:
    t = "".join(x.strip() for x in text.split("\n"))
    return t.strip().strip("；;。，,、 ").strip()


def _measure(text: str) -> ImportedMeasure:
    for mark in ("（已完成）", "(已完成)"):
        if text.endswith(mark):
            return ImportedMeasure(text[: -len(mark)].rstrip("；;。，, "), done=True)
    return ImportedMeasure(text, done="已完成" in text)


def _clauses(text: str) -> list[tuple[str, str]]:
    """ "对…问题，<unit>已…。对…问题，…。" → each problem and what was done about it; [] when the text is not
    written that way."""
    if not re.match(r"^对[^，。]{2,80}?问题[，,]", text.strip()):
        return []
    out: list[tuple[str, str]] = []
    for sentence in re.split(r"(?<=[。！？])", text.strip()):
        m = re.match(r"^\s*对([^，。]{2,80}?问题)[，,](.*)$", sentence, re.S)
        if m:
            out.append((m.group(1).strip(), m.group(2).strip()))
        elif sentence.strip() and out:
            out[-1] = (out[-1][0], out[-1][1] + sentence.strip())
    return out
