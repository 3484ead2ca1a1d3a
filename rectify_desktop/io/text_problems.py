"""The problem part (问题部分) read into categories (方面), findings (问题) and items (细化问题), whatever
its ladder, each item's labels and measures filling its fields."""

from __future__ import annotations

import re

from rectify_desktop.core.importing import ImportedCategory, ImportedFinding, ImportedItem
from rectify_desktop.core.models import DONE
from rectify_desktop.io.text_measures import (
    _FIELD_LABELS,
    _MEASURE_LABELS,
    _PROGRESS_LABELS,
    _STATUS_LABELS,
    _clauses,
    _segments,
    split_measures,
)
from rectify_desktop.io.text_outline import (
    _WRAPPER_HEAD,
    _clean_title,
    _Line,
    _marker_text,
    _Node,
    _Section,
    _split_title,
)
from rectify_desktop.io.text_skipped import _ParserBase
from rectify_desktop.io.text_words import _BARE_STATUS, _num, _short, status_in


class _Problems(_ParserBase):
    """The parser's reading of the problems."""

    def _read_part(self, problems: list[_Section]) -> None:
        """The problem part, whatever its ladder: the levels present are mapped onto category, finding and
        item from the top, and a section heading over them is a category when there are several."""
        headed = [s for s in problems if s.heading is not None]
        loose = [s for s in problems if s.heading is None]
        for sec in loose:
            self._read_region(sec.lines, None, generic=True)
        if not headed:
            return
        single = len(headed) == 1
        head = headed[0].heading.text if single and headed[0].heading else ""
        wrapper = single and bool(_WRAPPER_HEAD.search(head)) and not re.search(r"方面", head)
        if wrapper:
            sec = headed[0]
            self._read_region(sec.lines, sec.heading, generic=True)
            return
        kinds = {ln.kind for s in headed for ln in s.lines if ln.kind in ("category", "finding", "item")}
        if not kinds:
            # Every heading is itself a finding (ladder H): one category over them.
            cat = _Node("category", None, "", headed[0].heading.no if headed[0].heading else 0)
            for sec in headed:
                assert sec.heading is not None
                node = _Node("finding", sec.heading.number, sec.heading.text, sec.heading.no)
                node.body = [ln.text for ln in sec.lines]
                cat.children.append(node)
            cat.text = self._inspection_name()
            self.warnings.append(f"文本没有（一）（二）这样的方面标题，问题已归入方面“{_short(cat.text, 30)}”。")
            self.result.categories.append(self._category(cat))
            return
        ranked = [k for k in ("category", "finding", "item") if k in kinds]
        mapping = dict(zip(ranked, ("finding", "item"), strict=False))
        for sec in headed:
            assert sec.heading is not None
            cat = _Node("category", sec.heading.number, sec.heading.text, sec.heading.no)
            cats = self._build(sec.lines, mapping, cat)
            for c in cats:
                self.result.categories.append(self._category(c))

    def _read_region(self, lines: list[_Line], heading: _Line | None, generic: bool) -> None:
        kinds = [k for k in ("category", "finding", "item") if any(ln.kind == k for ln in lines)]
        if len(kinds) >= 3:
            levels: tuple[str, ...] = ("category", "finding", "item")
        elif kinds == ["finding", "item"]:
            levels = ("finding", "item")
        elif kinds == ["category"] and self._categories_are_findings(lines):
            levels = ("finding",)  # ladder G: （一）<problem>。 with its measures under it
        elif len(kinds) == 2 or kinds == ["category"]:
            levels = ("category", "finding")
        else:
            levels = ("finding",)
        mapping = dict(zip(kinds, levels, strict=False))
        cats = self._build(lines, mapping, None)
        default_title = _clean_title(heading.text) if heading is not None else self._inspection_name()
        unnamed = [c for c in cats if c.number is None and not c.text]
        if heading is not None and not unnamed:
            self._skip(heading, "章节标题")
        for c in unnamed:
            c.text = default_title
            if c.children and generic:
                self.warnings.append(f"文本没有（一）（二）这样的方面标题，问题已归入方面“{_short(c.text, 30)}”。")
        for c in cats:
            self.result.categories.append(self._category(c))

    def _categories_are_findings(self, lines: list[_Line]) -> bool:
        """（一）（二） alone are findings when what stands under them is a rectification, not a heading's."""
        return any(ln.kind == "text" for ln in lines) and self.notice

    def _inspection_name(self) -> str:
        title = re.sub(r"整改落实台账$", "", self.result.title).strip()
        return title or "反馈问题"

    def _build(self, lines: list[_Line], mapping: dict[str, str], top: _Node | None) -> list[_Node]:
        """The nodes of one region; lines before the first marker are listed as not imported."""
        cats: list[_Node] = [top] if top is not None else []
        current_cat = top
        finding: _Node | None = None
        item: _Node | None = None
        for ln in lines:
            level = mapping.get(ln.kind)
            if level == "category":
                current_cat = _Node("category", ln.number, ln.text, ln.no)
                cats.append(current_cat)
                finding = item = None
            elif level == "finding" or (level == "item" and finding is None):
                if current_cat is None:
                    current_cat = _Node("category", None, "", ln.no)
                    cats.append(current_cat)
                if level == "item":
                    self.warnings.append(
                        f"第{ln.no}行的（{ln.number}）前面没有“1.”这样的问题序号，已作为一个问题导入。"
                    )
                finding = _Node("finding", ln.number if level == "finding" else None, ln.text, ln.no)
                current_cat.children.append(finding)
                item = None
            elif level == "item":
                assert finding is not None
                item = _Node("item", ln.number, ln.text, ln.no)
                finding.children.append(item)
            else:
                target = item or finding or current_cat
                if target is None:
                    self.context.append(ln.text)
                    self._skip(ln, "前言")
                else:
                    target.body.append(_marker_text(ln))
        return cats

    def _category(self, node: _Node) -> ImportedCategory:
        title, description = _split_title(node.text)
        body = "\n".join(node.body)
        self.context += node.body
        cat = ImportedCategory(
            title=title or "（未命名方面）",
            description="\n".join(x for x in (description, body) if x),
            source=f"第{node.no}行",
        )
        for f in node.children:
            cat.findings.append(self._finding(f))
        return cat

    def _finding(self, node: _Node) -> ImportedFinding:
        full = "\n".join([node.text, *node.body])
        head, segs = _segments(full)
        title, description = _split_title(head)
        fnd = ImportedFinding(title=title or "（未命名问题）", number=node.number, source=f"第{node.no}行")
        if node.children:
            fnd.description = description
            if segs:
                label = "、".join(dict.fromkeys(s[0] for s in segs))
                fnd.description = "\n".join(x for x in (description, *(f"{lab}：{val}" for lab, val in segs)) if x)
                self.warnings.append(
                    f"问题{_num(node.number)}“{_short(fnd.title)}”下的“{label}”写在问题一级而不是细化问题下，"
                    "已放入问题的说明，未作为整改措施导入。"
                )
            for it in node.children:
                fnd.items.append(self._item(it, node))
            return fnd
        clauses = _clauses(description) if self.notice and not segs else []
        if clauses:
            # An audit finding: each "对…问题，<unit>已…" clause is one item with its own measure (ladder F).
            for ctitle, ctext in clauses:
                fnd.items.append(self._item_from(ctitle, ctext, [], None, node.no, free=True))
            return fnd
        # A finding the text does not split is one item with the finding's own title.
        item = self._item_from(fnd.title, description, segs, None, node.no, free=True)
        if item.description == description:
            fnd.description, item.description = description, ""
        fnd.items.append(item)
        return fnd

    def _item(self, node: _Node, finding: _Node) -> ImportedItem:
        full = "\n".join([node.text, *node.body])
        head, segs = _segments(full)
        title, description = _split_title(head)
        return self._item_from(title or "（未命名细化问题）", description, segs, node.number, node.no, free=True)

    def _item_from(
        self,
        title: str,
        description: str,
        segs: list[tuple[str, str]],
        number: int | None,
        no: int,
        free: bool = False,
    ) -> ImportedItem:
        item = ImportedItem(title=title, number=number, description=description, source=f"第{no}行")
        progress: list[str] = []
        status_text = ""
        said: str | None = None
        have_measures = False
        unlabelled: list[str] = []
        for label, value in segs:
            if label in _MEASURE_LABELS and not have_measures:
                have_measures = True
                self.measure_labels += 1
                measures, around, chain = split_measures(value)
                item.measures = measures
                if around:
                    progress.append(around)
                if not chain:
                    status_text = value
            elif label == "整改目标":
                item.description = "\n".join(x for x in (item.description, f"整改目标：{value}") if x)
            elif label in _MEASURE_LABELS or label in _PROGRESS_LABELS:
                first, _, more = value.partition("\n")
                if more.strip() and label not in _MEASURE_LABELS:
                    unlabelled.append(more)  # "整改进展情况：已经完成。" then the measures, one per line
                    value = first
                if label in _STATUS_LABELS and said is None:
                    bare = value.strip().strip("。.；;，, ")
                    said = DONE if bare == "完成" else status_in(value)
                    if bare == "完成" or _BARE_STATUS.match(value.replace("\n", "")):
                        continue
                progress.append(value)
            else:
                attr = _FIELD_LABELS[label]
                # The first clause is the field; anything after it is kept in the remarks, never dropped.
                cut = re.search(r"[；;。\n]", value)
                val, rest = (value[: cut.start()], value[cut.end() :]) if cut else (value, "")
                val = val.strip(" ，,、")
                rest = rest.strip(" ；;。\n")
                if val and not getattr(item, attr):
                    setattr(item, attr, val)
                elif val:
                    rest = "\n".join(x for x in (val, rest) if x)
                if rest:
                    item.remarks = "\n".join(x for x in (item.remarks, f"{label}：{rest}") if x)
        if not have_measures and free and self.notice:
            # No measure label: 一是… chains, numbered lines or a paragraph of prose are the measures.
            text = "\n".join(x for x in (item.description, *unlabelled) if x)
            unlabelled = []
            if text.strip():
                measures, around, chain = split_measures(text)
                item.measures, item.description = measures, ""
                if around:
                    progress.append(around)
                if not chain:
                    status_text = text
                self.measure_labels += 1
        if unlabelled:
            item.description = "\n".join(x for x in (item.description, *unlabelled) if x)
        text = "\n".join(p for p in progress if p)
        item.progress = "" if _BARE_STATUS.match(text.replace("\n", "")) else text
        stated = said or status_in(text) or (status_in(status_text) if status_text else None)
        if stated:
            item.status = stated
        self.item_status.append(stated)
        self.item_had_label.append(have_measures)
        return item
