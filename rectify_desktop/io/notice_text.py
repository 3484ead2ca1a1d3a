"""The wording of 生成通报 / 生成报告: the paragraphs (blocks) of the notice or report, from the open ledger.

Three layouts of the same content:

- ``concise`` (简要通报, the notice's default): one paragraph per finding, saying what was done and what
  continues — real notices run 3–6 pages, not one page per three items;
- ``full`` (逐项报告, the report's default): one paragraph per item, what was done (整改进展 and the ticked
  measures), what continues (the measures not yet ticked) and the plan;
- ``outline`` (交换文本): every item with its labelled measures (整改情况：一是……) and progress (整改进展：…),
  as ``text_import`` reads it back; it keeps the ledger's own statuses, 未启动 included.

A public notice never says 尚未启动: an item not started is reported as 正在推进 with its measures and plan
(DOMAIN.md; issue 13, 14). Nothing is printed as a placeholder: a contact line the settings do not give is left
out. No Qt here; the ledger must be open (the models' database).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rectify_desktop.core import results, rules, stats
from rectify_desktop.core import settings as ledger_settings
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    Category,
    Finding,
    Inspection,
    Institution,
    Item,
    Measure,
    Meeting,
    Setting,
)
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io.text_import import STATUS_PHRASES, status_in

KINDS: dict[str, str] = {"notice": "通报", "report": "报告"}
_KIND_ALIASES = {"notice": "notice", "通报": "notice", "report": "report", "报告": "report"}
LAYOUTS: dict[str, str] = {"concise": "简要（每个问题一段）", "full": "逐项（每项一段）", "outline": "交换文本"}
_LAYOUT_ALIASES = {
    **{k: k for k in LAYOUTS},
    "简要": "concise",
    "逐项": "full",
    "详细": "full",
    "交换": "outline",
}
DEFAULT_LAYOUT = {"notice": "concise", "report": "full"}
CHARS_PER_LINE = 28
TITLE_CHARS_PER_LINE = 20  # 2号 (22 pt) characters across the 156 mm type area
ORGANISATION_RULES_NAMED = 2  # rules named in a document; the outline names up to 10 (the import reads them)


@dataclass
class Block:
    """One paragraph of the document: its style and text (a title may carry its own line breaks)."""

    style: str  # title, blank, salutation, body, h1, h2, h3, signature, date, note
    text: str
    lines: tuple[str, ...] = ()
    right_chars: float = 0  # signature and date: characters left empty at the right
    bold_chars: int = 0  # a heading run into its paragraph: its first characters, in bold


# --- settings and names --------------------------------------------------------------------------------


def setting(key: str, default: str = "") -> str:
    """A ledger setting (core/settings.py writes them), blank as the default."""
    row = Setting.get_or_none(Setting.key == key)
    value = row.value.strip() if row and row.value else ""
    return value or default


def normalise_kind(kind: str | None) -> str:
    k = _KIND_ALIASES.get((kind or "notice").strip().lower())
    if k is None:
        raise LedgerError(f"文档类型只能是 notice（通报）或 report（报告），而不是“{kind}”")
    return k


def normalise_layout(layout: str | None, kind: str) -> str:
    if not layout:
        return DEFAULT_LAYOUT[normalise_kind(kind)]
    k = _LAYOUT_ALIASES.get(layout.strip().lower())
    if k is None:
        raise LedgerError(f"文档详略只能是 concise（简要）、full（逐项）或 outline（交换文本），而不是“{layout}”")
    return k


def word_of(insp: Inspection) -> str:
    return {"巡察": "巡察", "审计": "审计", "督查": "督查"}.get(insp.kind, "检查")


def author_of(insp: Inspection) -> str:
    """The document's author (its 填报单位): the setting unit_name, else the inspected unit, else the signer."""
    return setting("unit_name") or insp.inspected_unit.strip() or issuer_of(insp)


def issuer_of(insp: Inspection) -> str:
    """Who signs: the setting unit_name, else the part of the ledger's title before 关于, else the unit."""
    unit = setting("unit_name")
    if unit:
        return unit
    title = (insp.title or "").strip()
    if "关于" in title:
        head = title.split("关于", 1)[0].strip()
        if 2 <= len(head) <= 30:
            return head
    return insp.inspected_unit.strip() or "本单位"


def short_body(body: str, issuer: str) -> str:
    """中共临川县委第三巡察组, signed by 中共临川县教育局党组 → 县委第三巡察组, as titles write it."""
    b = (body or "").strip()
    if not b:
        return ""
    b = b.removeprefix("中共")
    i = issuer.removeprefix("中共")
    n = 0
    while n < min(len(b), len(i)) and b[n] == i[n]:
        n += 1
    # The shared place name ends with 省/市/县/区/州/旗: keep its last character (县委 …).
    for k in range(n, 0, -1):
        if b[k - 1] in "省市县区州旗盟" and k < len(b):
            return b[k - 1 :]
    return b


def report_addressee(insp: Inspection, issuer: str) -> str:
    """Whom the report goes to: the setting report_to, else the committee's 巡察工作领导小组办公室 (县委第三巡察组 →
    县委巡察工作领导小组办公室): the group that inspected has gone home; the leading group's office follows up."""
    to = setting("report_to")
    if to:
        return to
    word = word_of(insp)
    body = short_body(insp.inspecting_body, issuer)
    if word != "巡察":
        return body or f"{word}工作领导小组办公室"
    m = re.match(r"^(.*?委)(?:第.+?)?巡[察视]", body)
    return f"{m.group(1) if m else ''}巡察工作领导小组办公室"


def cn_date(d: dt.date) -> str:
    """2026-11-28 → 二〇二六年十一月二十八日 (the 1999 edition's style; kept for callers that quote it)."""
    year = "".join("〇一二三四五六七八九"[int(c)] for c in str(d.year))
    return f"{year}年{rules.cn_number(d.month)}月{rules.cn_number(d.day)}日"


def ar_date(d: dt.date) -> str:
    """2026年12月1日: GB/T 9704-2012 7.3.5 writes 成文日期 (and every date of the text) in Arabic numerals."""
    return f"{d.year}年{d.month}月{d.day}日"


def text_width(text: str) -> float:
    """Width in characters of 3号: digits and Latin letters take half a character."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        if start.year == end.year:
            return f"{ar_date(start)}至{end.month}月{end.day}日"
        return f"{ar_date(start)}至{ar_date(end)}"
    if start:
        return f"{ar_date(start)}起"
    return ""


def document_title(insp: Inspection, kind: str) -> str:
    issuer = issuer_of(insp)
    body = short_body(insp.inspecting_body, issuer)
    what = f"{body}反馈意见" if body else f"{word_of(insp)}反馈意见"
    return f"{issuer}关于{what}整改情况的{KINDS[normalise_kind(kind)]}"


def title_lines(title: str, per_line: int = TITLE_CHARS_PER_LINE) -> tuple[str, ...]:
    """A long title broken where its words allow, in lines of similar length (GB/T 9704: 梯形或菱形)."""
    if len(title) <= per_line:
        return (title,)
    natural = set()
    for word in ("关于", "反馈", "整改", "的通报", "的报告"):
        at = title.find(word, 1)
        if at > 0:
            natural.add(at)
    at = title.find("关于")
    if at >= 0:
        end = title.find("组", at)
        if end > 0:
            natural.add(end + 1)
    best: tuple[float, int] | None = None
    for k in range(1, len(title)):
        a, b = k, len(title) - k
        if a > per_line:
            break
        if b > per_line and len(title) <= 2 * per_line:
            continue
        cost = abs(a - b) + (0 if k in natural else 10)
        if best is None or cost < best[0]:
            best = (cost, k)
    if best is None:
        return (title,)
    k = best[1]
    return (title[:k], *title_lines(title[k:], per_line))


# --- the items' wording --------------------------------------------------------------------------------


def _flat(text: str) -> str:
    """A ledger text as one paragraph: lines joined (as the import joins them back)."""
    return "".join(part.strip() for part in (text or "").splitlines())


def _flat_title(text: str) -> str:
    return " ".join((text or "").split())


# What the outline writes for an item's status when the clerk's own words do not say it: the status by the name
# the window gives it, 长期坚持, not the importer's 持续整改 (DOMAIN.md: one status, "also called 持续整改").
_PHRASES = {**STATUS_PHRASES, ONGOING: ONGOING}
# A progress text's own leading status ("已完成。…", "正在推进，…"): the documents say the status once, their way.
_LEADING_STATUS = re.compile(
    r"^(?:目前|截至目前|该项)?[，,]?(?:已整改完成|已完成|正在推进|持续整改|长期坚持|尚未启动|未启动)[。.；;，,]"
)
_END = "。；;，,、 "


def _outline_progress(status: str, progress: str) -> str:
    p = _flat(progress)
    phrase = _PHRASES.get(status, _PHRASES[NOT_STARTED])
    if not p:
        return phrase + "。"
    if status_in(p) != status:
        return f"{phrase}。{p}"
    return p


def _sentence(text: str) -> str:
    text = text.strip().rstrip(_END)
    return text + "。" if text else ""


def _done_words(it: Item, ticked: list[str]) -> str:
    """What was done: the clerk's 整改进展 without its status word, else the measures ticked as done."""
    p = _LEADING_STATUS.sub("", _flat(it.progress), count=1).strip()
    if p:
        return _sentence(p)
    if len(ticked) == 1:
        return _sentence("已" + ticked[0].strip().removeprefix("已"))
    if ticked:
        return _sentence(rules.measures_text(ticked, sep=""))
    return ""


def _plan_words(it: Item, today: dt.date, public: bool, due: dt.date | None) -> str:
    """The plan, from the deadline as the lists read it (`due`, from stats.scan: 2026年10月底前 is 2026-10-31, 立行立改
    counts from the feedback date). A deadline passed is never a plan: the lists mark the item 已逾期, an internal
    report says so, a public notice says nothing of a date; one ahead is "计划于2027年7月底前完成". A phrase the
    rule cannot read (due None) names no plan, since whether its date has passed cannot be told."""
    shown = rules.deadline_display(it.deadline_date, _flat(it.deadline_text))
    if not shown or due is None:
        return ""
    if rules.is_overdue(it.status, due, today):
        return "" if public else f"已超过整改时限（{shown}），须加快推进。"
    if due < today or rules.IMMEDIATE in shown:
        return ""
    if not re.search(r"\d{4}", shown):
        # 6月底前, 年底前: the year the rule read them in, so that the plan never names a month of another year.
        shown = f"{due.year}年{shown.removeprefix('年')}"
    if shown.endswith("前"):
        return f"计划于{shown}完成。"
    return f"计划于{shown}{'底前' if shown.endswith('月') else '前'}完成。"


def _measure_clause(text: str) -> str:
    """A measure as the clause after 将 (将将… never)."""
    return text.strip().rstrip(_END).removeprefix("将")


def _next_words(open_measures: list[str]) -> str:
    if not open_measures:
        return ""
    return _sentence("下一步，将" + "；".join(_measure_clause(m) for m in open_measures))


def _lead(status: str, public: bool) -> str:
    if status == DONE:
        return "已完成整改。"
    if status == ONGOING:
        return "已取得阶段性成效，需长期坚持。"
    if status == NOT_STARTED and not public:
        return "尚未启动，已明确整改措施。"
    return "正在推进。"


def item_paragraph(
    it: Item, measures: list[tuple[str, bool]], today: dt.date, public: bool, due: dt.date | None = None
) -> str:
    """One item as the full report writes it: its status, what was done, what continues and the plan, each
    measure said once (done if ticked, to come if not: 下一步 lists only the measures not ticked, so a measure
    the progress text already reports as done must be ticked in the ledger, or it is promised again); `due` is
    its deadline as the lists read it."""
    ticked = [t for t, done in measures if done]
    open_ = [t for t, done in measures if not done]
    parts = [_lead(it.status, public), _done_words(it, ticked)]
    if it.status != DONE:
        parts.append(_next_words(open_))
        parts.append(_plan_words(it, today, public, due))
    if it.status == ONGOING and "长期坚持" not in "".join(parts[1:]):
        parts.append("该项工作将长期坚持。")
    return "整改情况：" + "".join(p for p in parts if p)


def _brief(text: str, at_least: int = 20, at_most: int = 48) -> str:
    """The first sentences of a text up to about `at_least` characters, cut only where a sentence, a clause
    (；) or failing those a comma ends, never inside one: a clause longer than `at_most` is kept whole."""
    text = text.strip()
    if len(text) <= at_most:
        return text
    out = ""
    for pattern in (r"(?<=[。；;])", r"(?<=[，,])"):
        pieces = re.split(pattern, text)
        out = pieces[0]
        for piece in pieces[1:]:
            if len(out) >= at_least or len(out) + len(piece) > at_most:
                break
            out += piece
        if len(out) <= at_most:
            break
        text = out
    return _sentence(out)


def _short_title(title: str) -> str:
    """An item's title to its first clause (党组理论学习中心组学习计划性、系统性不强，专题研讨不够深入 → its part before
    the comma): the concise notice names which item each sentence is about, briefly."""
    text = _flat_title(title).strip().rstrip(_END)
    head = re.split(r"[，,；;。]", text, maxsplit=1)[0]
    return head if len(head) >= 6 else text


def finding_paragraph(
    items: list[Item],
    measures_of: dict[int, list[tuple[str, bool]]],
    today: dt.date,
    public: bool,
    deadlines: dict[int, dt.date | None] | None = None,
) -> str:
    """One finding as the concise notice writes it: its items' count by status, then what each did and what
    continues, briefly; `deadlines` are the items' as the lists read them (stats.scan)."""
    status = Counter(NOT_STARTED if (it.status == NOT_STARTED and not public) else it.status for it in items)
    if public:
        status[IN_PROGRESS] += status.pop(NOT_STARTED, 0)
    if len(items) == 1:
        lead = _lead(items[0].status, public)
    elif status[DONE] == len(items):
        lead = f"细化的{len(items)}项整改任务已全部完成。"
    else:
        counts = [f"已完成{status[DONE]}项"] if status[DONE] else []
        counts += [f"{s}{status[s]}项" for s in (IN_PROGRESS, ONGOING, NOT_STARTED) if status[s]]
        lead = f"细化为{len(items)}项整改任务，" + "，".join(counts) + "。"
    says = []
    for it in items:
        ms = measures_of.get(it.id, [])
        done = _brief(_done_words(it, [t for t, d in ms if d])).rstrip(_END)
        open_ = [t for t, d in ms if not d]
        if it.status != DONE and open_:
            first = _brief(_measure_clause(open_[0]), 0, 30).rstrip(_END)
            plan = _plan_words(it, today, public, (deadlines or {}).get(it.id)).rstrip(_END)
            done = f"{done}；下一步将{first}" if done else f"将{first}" + (f"，{plan}" if plan else "")
        if done and len(items) > 1:
            short = _short_title(it.title)
            done = f"针对{short}的问题，{done}" if "“" in short else f"针对“{short}”问题，{done}"
        if done:
            says.append(done)
    if len(says) > 1:
        body = "；".join(f"{rules.cn_number(i)}是{s}" for i, s in enumerate(says, 1)) + "。"
    else:
        body = _sentence(says[0]) if says else ""
    return lead + body


# --- the document --------------------------------------------------------------------------------------


def headline(s: stats.Stats, word: str, public: bool) -> str:
    """巡察反馈的13个问题细化为29项整改任务，已完成16项，正在推进10项，长期坚持3项，完成率55%. An item is a 整改任务
    in the notice and the report alike, from the opening to the closing (issue 13, 16), and its figures count 项
    of them. A public notice counts the items not started with those under way (issue 13, 14); the report and
    the outline give each status."""
    parts = [f"{word}反馈的{s.findings}个问题细化为{s.items}项整改任务", f"已完成{s.done}项"]
    if public:
        under_way = s.status[IN_PROGRESS] + s.status[NOT_STARTED]
        counts = [(IN_PROGRESS, under_way), (ONGOING, s.status[ONGOING])]
    else:
        counts = [(st, s.status[st]) for st in (IN_PROGRESS, ONGOING, NOT_STARTED)]
    parts += [f"{st}{n}项" for st, n in counts if n]
    parts.append(f"完成率{s.completion_whole}%")
    return "，".join(parts)


def _registers(inspection_id: int, named: int) -> str:
    figures = []
    meetings = Counter(
        k.strip() or "专题会议"
        for (k,) in Meeting.select(Meeting.kind)
        .where(Meeting.inspection == inspection_id)
        .order_by(Meeting.position, Meeting.id)
        .tuples()
    )
    if len(meetings) == 1:
        (k, n), *_ = meetings.items()
        figures.append(f"召开{k}{n}次")
    elif meetings:
        figures.append("先后召开" + "、".join(f"{k}{n}次" for k, n in meetings.items()))
    rule_titles = [
        t.strip().strip("《》")
        for (t,) in Institution.select(Institution.title)
        .where(Institution.inspection == inspection_id)
        .order_by(Institution.position, Institution.id)
        .tuples()
    ]
    if rule_titles:
        listed = [t for t in rule_titles if t and not t.startswith("（")][:named]
        names = "".join(f"《{t}》" for t in listed) + ("等" if listed else "")
        figures.append(f"制定完善{names}制度{len(rule_titles)}项")
    return ("反馈以来，" + "，".join(figures) + "。") if figures else ""


def _tree(inspection_id: int) -> tuple[list[Category], dict, dict, dict]:
    """Categories, findings, items and measures in four queries, not one per finding and one per item: a
    notice of 10,000 items made 12,000 queries."""
    cats = list(Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id))
    in_inspection = Category.inspection == inspection_id
    findings_of: dict[int, list[Finding]] = defaultdict(list)
    for f in Finding.select().join(Category).where(in_inspection).order_by(Finding.position, Finding.id):
        findings_of[f.category_id].append(f)
    items_of: dict[int, list[Item]] = defaultdict(list)
    for it in Item.select().join(Finding).join(Category).where(in_inspection).order_by(Item.position, Item.id):
        items_of[it.finding_id].append(it)
    measures_of: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for item_id, text, done in (
        Measure.select(Measure.item, Measure.text, Measure.done)
        .join(Item)
        .join(Finding)
        .join(Category)
        .where(in_inspection)
        .order_by(Measure.position, Measure.id)
        .tuples()
    ):
        measures_of[item_id].append((_flat(text), bool(done)))
    return cats, findings_of, items_of, measures_of


def build(
    inspection_id: int, kind: str = "notice", today: dt.date | None = None, layout: str | None = None
) -> list[Block]:
    """The document's paragraphs, from the open ledger; `layout` concise, full or outline (the kind's default)."""
    kind = normalise_kind(kind)
    layout = normalise_layout(layout, kind)
    insp = Inspection.get_or_none(Inspection.id == inspection_id)
    if insp is None:
        raise LedgerError(f"台账中没有编号为 {inspection_id} 的巡察")
    today = today or dt.date.today()
    public = kind == "notice" and layout != "outline"
    # The items' deadlines read once, by the rule the lists and the window mark 已逾期 by (DeadlineContext, with
    # the settings' 立行立改 days), for the figures and for every plan the text names.
    scan = stats.scan(inspection_id, ledger_settings.get_int("immediate_days"))
    s = stats.compute(inspection_id, today, items=scan)
    word = word_of(insp)
    issuer = issuer_of(insp)
    body = insp.inspecting_body.strip()
    body_s = short_body(body, issuer)
    unit = insp.inspected_unit.strip() or issuer
    title = document_title(insp, kind)
    blocks = [Block("title", title, title_lines(title)), Block("blank", "")]

    # The preamble, then the figures in the first paragraph after it (issue 13, 16).
    opening = []
    period = _period(insp.period_start, insp.period_end)
    if body:
        opening.append(f"{period + '，' if period else ''}{body}对{unit}开展了{word}。")
    if insp.feedback_date:
        who = body_s or f"{word}组"
        opening.append(f"{ar_date(insp.feedback_date)}，{who}向{unit}反馈了{word}意见。")
    if kind == "notice":
        opening.append(f"按照党务公开原则和{word}工作有关要求，现将{word}整改情况予以公布。")
    else:
        blocks.append(Block("salutation", f"{report_addressee(insp, issuer)}："))
        opening.append(
            f"{issuer}坚持把抓好{word}整改作为重大政治任务，对照反馈意见逐项研究、逐条整改。现将整改情况报告如下。"
        )
    blocks.append(Block("body", "".join(opening)))
    blocks.append(Block("body", f"截至{ar_date(today)}，{headline(s, word, public)}。"))

    # 一、 the organisational work, with the registers' counts.
    blocks.append(Block("h1", "一、整改工作开展情况"))
    notes = [line.strip() for line in (insp.notes or "").splitlines() if line.strip()]
    if not notes:
        # What the ledger itself shows, not a bracketed request to the clerk left in the draft.
        n_cats = Category.select().where(Category.inspection == inspection_id).count()
        notes = [
            f"收到{word}反馈意见后，{issuer}认真研究部署整改工作，对照反馈的{n_cats}个方面{s.findings}个问题，"
            f"细化为{s.items}项整改任务，逐项制定整改措施，明确责任部门和整改时限，实行清单管理、对账销号。"
        ]
    registers = _registers(inspection_id, 10 if layout == "outline" else ORGANISATION_RULES_NAMED)
    if registers:
        notes.append(registers)
    produced = results.sentence(results.compute(inspection_id), registers=False)  # 问责 and 资金 (整改成效)
    if produced:
        notes.append(produced)
    blocks += [Block("body", n) for n in notes]

    # 二、 one section per category and finding; a paragraph per finding, or per item.
    blocks.append(Block("h1", f"二、{word}反馈问题整改落实情况"))
    cats, findings_of, items_of, measures_of = _tree(inspection_id)
    for ci, cat in enumerate(cats, 1):
        blocks.append(Block("h2", f"{rules.category_label(ci)}{_flat_title(cat.title)}"))
        for f in findings_of.get(cat.id, ()):
            f_title = _flat_title(f.title)
            heading = f"{rules.finding_label(f.number)}{f_title}"
            items = items_of.get(f.id, [])
            if layout == "concise" and items:
                # The heading runs into its paragraph (1.关于…的问题。整改情况：…), as short notices write it.
                lead = heading if heading[-1] in "。？！.?!" else heading + "。"
                said = finding_paragraph(items, measures_of, today, public, scan.deadlines)
                blocks.append(Block("body", lead + said, bold_chars=len(lead)))
                continue
            blocks.append(Block("h3", heading))
            if layout == "concise":
                continue
            alone = len(items) == 1 and _flat_title(items[0].title) == f_title
            for it in items:
                if not alone:
                    blocks.append(Block("body", f"{rules.item_label(it.number)}{_flat_title(it.title)}"))
                ms = measures_of.get(it.id, [])
                if layout == "full":
                    blocks.append(Block("body", item_paragraph(it, ms, today, public, scan.deadlines[it.id])))
                    continue
                measures = rules.measures_text([t for t, _ in ms], sep="")
                if measures:
                    blocks.append(Block("body", f"整改情况：{measures}"))
                blocks.append(Block("body", f"整改进展：{_outline_progress(it.status, it.progress)}"))

    blocks += _closing(s, word, issuer, kind, today)
    return blocks


def _closing(s: stats.Stats, word: str, issuer: str, kind: str, today: dt.date) -> list[Block]:
    """三、 next steps, the invitation or 特此报告, the signature and the date; contacts only from the settings."""
    blocks = [Block("h1", "三、下一步工作打算")]
    steps = [f"下一步，{issuer}将坚持目标不变、标准不降、力度不减，持续抓好{word}反馈问题整改落实。"]
    clauses = []
    rest = s.status[IN_PROGRESS] + s.status[NOT_STARTED]
    if rest:
        # 按期 only while no deadline has passed; the report names how many have (the lists' 已逾期).
        late = f"（其中{s.overdue}项已超过整改时限）" if s.overdue and kind == "report" else ""
        when = "尽快" if s.overdue else "按期"
        clauses.append(f"对尚未完成的{rest}项整改任务{late}，紧盯时间节点，加强跟踪督办，确保{when}整改到位")
    if s.status[ONGOING]:
        clauses.append(f"对需要长期坚持的{s.status[ONGOING]}项整改任务，建立健全长效机制，持续推进落实")
    if s.done:
        clauses.append(f"对已完成的{s.done}项整改任务适时开展“回头看”，巩固整改成果，坚决防止问题反弹回潮")
    if clauses:
        steps.append("；".join(clauses) + "。")
    steps.append(f"坚持以{word}整改为契机，举一反三、标本兼治，以整改实效推动各项工作高质量发展。")
    blocks.append(Block("body", "".join(steps)))
    phone = setting("contact_phone")
    if kind == "notice":
        contact = [f"{label}：{value}" for key, label in (
            ("contact_phone", "联系电话"), ("contact_address", "通信地址"), ("contact_email", "电子邮箱"),
        ) if (value := setting(key))]  # fmt: skip
        invite = f"欢迎广大干部群众对{word}整改落实情况进行监督。"
        if contact:
            invite += "如有意见建议，请及时向我们反映。" + "；".join(contact) + "。"
        blocks.append(Block("body", invite))
    else:
        blocks.append(Block("body", "特此报告。"))
    blocks.append(Block("blank", ""))
    date = ar_date(today)
    # GB/T 9704 7.3.5.2: the signature 2 characters from the right, the date's first character 2 to the
    # right of the signature's; a date longer than the signature stays 2 from the right. Widths count digits
    # as half a character.
    sig_w, date_w = text_width(issuer), text_width(date)
    sig_right, date_right = 2.0, sig_w - date_w
    if date_right < 2:
        date_right, sig_right = 2.0, 4 + date_w - sig_w
    sig_right = max(0.0, min(sig_right, CHARS_PER_LINE - sig_w))
    blocks.append(Block("signature", issuer, right_chars=sig_right))
    blocks.append(Block("date", date, right_chars=date_right))
    if kind == "report":
        person = setting("contact_person")
        who = "，".join(x for x in (f"联系人：{person}" if person else "", f"联系电话：{phone}" if phone else "") if x)
        if who:
            blocks.append(Block("note", f"（{who}）"))
    return blocks
